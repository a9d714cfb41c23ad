import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import { sha256Hex } from "./secrets.ts";

/** RFC 6238 as every authenticator app understands it: SHA1, 6 digits, 30 s steps. */
const params = { issuer: "fintrack", algorithm: "SHA1", digits: 6, period: 30 } as const;

/** A new random TOTP secret (160 bits, as RFC 4226 recommends), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URL an authenticator app scans as a QR code. */
export function otpauthUrl(secret: string, accountName: string): string {
  return new TOTP({ ...params, label: accountName, secret: Secret.fromBase32(secret) }).toString();
}

/** The time step `now` falls in. */
export function totpStep(now: number): number {
  return Math.floor(now / 1000 / params.period);
}

/** The current code for `secret` (what the user's app shows); tests use it. */
export function totpCode(secret: string, now: number): string {
  return TOTP.generate({ ...params, secret: Secret.fromBase32(secret), timestamp: now });
}

/**
 * The time step `code` belongs to when it is valid at `now` (one step of clock drift either way)
 * and later than `lastStep`, the step of the last accepted code; undefined otherwise. Refusing
 * steps up to `lastStep` makes every code single use, as RFC 6238 section 5.2 asks.
 */
export function matchTotp(
  secret: string,
  code: string,
  now: number,
  lastStep: number | null,
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = TOTP.validate({
    ...params,
    secret: Secret.fromBase32(secret),
    token: code,
    timestamp: now,
    window: 1,
  });
  if (delta === null) return undefined;
  const step = totpStep(now) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}

// Crockford's base32: no i, l, o or u, so a code read aloud or retyped survives.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

/** `count` new recovery codes: 16 base32 characters (80 bits) each, as `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = [...randomBytes(16)].map((b) => alphabet[b & 31] ?? "0").join("");
    return chars.match(/.{4}/g)?.join("-") ?? chars;
  });
}

/** A recovery code as typed (any case, spaces, dashes, Crockford look-alikes) in canonical form. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "").replace(/[il]/g, "1").replace(/o/g, "0");
}

/** Whether `code` could be a recovery code at all (checked before touching the database). */
export function looksLikeRecoveryCode(code: string): boolean {
  return new RegExp(`^[${alphabet}]{16}$`).test(normalizeRecoveryCode(code));
}

/**
 * How a recovery code is stored: sha256 of its canonical form. 80 random bits make a slow hash
 * unnecessary, and a plain hash can be looked up directly.
 */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(normalizeRecoveryCode(code));
}

/**
 * The key that seals TOTP secrets at rest, derived from the session secret: a stolen database
 * dump alone then cannot mint codes. Rotating SESSION_SECRET therefore makes existing TOTP
 * enrolments unreadable; users sign in with a recovery code and enrol again.
 */
export function totpKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "fintrack", "totp-secret-v1", 32));
}

/** Seals a TOTP secret with AES-256-GCM: `v1.` + base64url(iv | tag | ciphertext). */
export function sealTotpSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
}

/** Opens a sealed TOTP secret; undefined when it was sealed with another key or is damaged. */
export function openTotpSecret(key: Buffer, sealed: string): string | undefined {
  if (!sealed.startsWith("v1.")) return undefined;
  const raw = Buffer.from(sealed.slice(3), "base64url");
  if (raw.length < 29) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
