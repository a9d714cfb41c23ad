import { hmacBase64url, safeEqual } from "./secrets.ts";

/**
 * The CSRF token of a session: HMAC-SHA256(sessionSecret, "csrf:" + sessionId), base64url (the
 * OWASP "signed double submit" bound to the session). Nothing is stored, every replica derives
 * the same token, and it dies with the session: a new id at login means a new token. Only the
 * server can make it, because only it knows the secret and the httpOnly session id.
 */
export function csrfToken(sessionSecret: string, sessionId: string): string {
  return hmacBase64url(sessionSecret, `csrf:${sessionId}`);
}

/** Whether `offered` is the session's CSRF token, compared in constant time. */
export function csrfValid(
  sessionSecret: string,
  sessionId: string,
  offered: string | undefined,
): boolean {
  if (offered === undefined || offered === "") return false;
  return safeEqual(offered, csrfToken(sessionSecret, sessionId));
}

/** The methods that change state and so need the token (RFC 9110 safe methods do not). */
export function isUnsafeMethod(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}
