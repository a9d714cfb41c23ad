import { createHmac, hkdfSync } from "node:crypto";
import { randomId, safeEqual, sha256Hex } from "./secrets.ts";
import type { SessionCookie } from "./cookies.ts";

// The trusted-device cookie of OWASP's "Slow Down Online Guessing Attacks with Device Cookies"
// (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies): a
// browser that completed a sign-in (password, and the second factor when on) for an account
// gets a token naming that account, and later sign-ins to it from that browser are throttled on
// their own rather than with every unknown client, so strangers failing on purpose cannot lock
// the owner out. The token is `<nonce>.<mac>`: it proves only that this browser once knew the
// password, so the password is still asked for every time.

/** How long a browser stays trusted without signing in again there. */
export const deviceCookieMaxAgeMs = 180 * 24 * 60 * 60_000;

/**
 * Like the session cookie, `__Host-` and Secure over HTTPS and httpOnly; SameSite=Strict since
 * only the app's own sign-in form has any use for it.
 */
export function deviceCookie(baseUrl: URL): SessionCookie {
  const secure = baseUrl.protocol === "https:";
  return {
    name: secure ? "__Host-fintrack_device" : "fintrack_device",
    options: {
      httpOnly: true,
      secure,
      sameSite: "strict",
      path: "/",
      maxAge: deviceCookieMaxAgeMs,
    },
  };
}

/** The key device tokens are signed with, derived from the session secret. */
export function deviceKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "fintrack", "device-cookie-v1", 32));
}

function mac(key: Buffer, account: string, nonce: string): string {
  return createHmac("sha256", key).update(`${account}|${nonce}`, "utf8").digest("base64url");
}

/** A new device token for `account` (an account id, see accountId), to set as the cookie. */
export function newDeviceToken(key: Buffer, account: string): string {
  const nonce = randomId(16);
  return `${nonce}.${mac(key, account, nonce)}`;
}

/**
 * The throttling id of the device that presents `token` for `account`: a hash of its nonce, so
 * Redis never holds the cookie itself. Undefined when there is no token, or it is forged or was
 * issued for another account: that browser is then an unknown client.
 */
export function trustedDeviceId(
  key: Buffer,
  account: string,
  token: string | undefined,
): string | undefined {
  if (token === undefined) return undefined;
  const [nonce = "", signature = "", ...rest] = token.split(".");
  if (nonce === "" || rest.length > 0) return undefined;
  if (!safeEqual(signature, mac(key, account, nonce))) return undefined;
  return sha256Hex(nonce);
}
