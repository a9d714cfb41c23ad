import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** `bytes` random bytes as base64url: 16 bytes give a 128-bit session id. */
export function randomId(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** sha256 of `value` as hex: how long random secrets (tokens, invitations) are stored. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** sha256 of `value` as base64url. */
export function sha256Base64url(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url");
}

/** HMAC-SHA256 of `message` under `key`, base64url. */
export function hmacBase64url(key: string, message: string): string {
  return createHmac("sha256", key).update(message, "utf8").digest("base64url");
}

/**
 * Compares two strings in time independent of where they differ. Both sides are hashed first so
 * the comparison also takes the same time whatever their lengths.
 */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

const tokenPrefix = "ft_";
// 32 random bytes are 43 base64url characters.
const tokenPattern = /^ft_[A-Za-z0-9_-]{43}$/;

/** A new personal access token: `ft_` and 32 random bytes, base64url. */
export function newPersonalToken(): string {
  return tokenPrefix + randomId(32);
}

/** Whether `value` has the shape of a personal access token (checked before any lookup). */
export function isPersonalToken(value: string): boolean {
  return tokenPattern.test(value);
}
