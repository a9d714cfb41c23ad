import type { CookieOptions } from "express";

/** The session cookie's name and options for an app served at `baseUrl`. */
export interface SessionCookie {
  name: string;
  options: CookieOptions;
}

/**
 * Over HTTPS the cookie is `__Host-` prefixed and `Secure`: browsers then refuse it unless it
 * came over TLS, for the exact host and path `/`, so a sibling subdomain cannot plant or shadow
 * it. httpOnly keeps it from scripts; SameSite=Lax keeps it off cross-site POSTs (login CSRF
 * included) while a link from an email still opens the app signed in.
 */
export function sessionCookie(baseUrl: URL, maxAgeMs: number): SessionCookie {
  const secure = baseUrl.protocol === "https:";
  return {
    name: secure ? "__Host-fintrack_session" : "fintrack_session",
    options: { httpOnly: true, secure, sameSite: "lax", path: "/", maxAge: maxAgeMs },
  };
}

/** The options that clear the cookie: the same attributes, or browsers keep the old one. */
export function clearingOptions(cookie: SessionCookie): CookieOptions {
  const options = { ...cookie.options };
  delete options.maxAge;
  return options;
}

/** The value of cookie `name` in a `Cookie` request header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    const value = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
