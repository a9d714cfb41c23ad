import { describe, expect, it } from "vitest";
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  openTotpSecret,
  otpauthUrl,
  sealTotpSecret,
  totpCode,
  totpKey,
  totpStep,
} from "./totp.ts";

// RFC 6238 appendix B: the SHA1 seed "12345678901234567890", base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

describe("TOTP codes", () => {
  it("computes the RFC 6238 test vector (T = 59 s gives 287082)", () => {
    expect(totpCode(rfcSecret, 59_000)).toBe("287082");
  });

  it("accepts the current code and one step of drift either way, answering its step", () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, now), now, null)).toBe(step);
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, now - 30_000), now, null)).toBe(step - 1);
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, now + 30_000), now, null)).toBe(step + 1);
    expect(matchTotp(rfcSecret, totpCode(rfcSecret, now - 90_000), now, null)).toBeUndefined();
  });

  it("refuses a code whose step is not later than the last one used (single use)", () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    const code = totpCode(rfcSecret, now);
    expect(matchTotp(rfcSecret, code, now, step)).toBeUndefined();
    expect(matchTotp(rfcSecret, code, now, step - 1)).toBe(step);
  });

  it("refuses anything but six digits", () => {
    expect(matchTotp(rfcSecret, "28708", 59_000, null)).toBeUndefined();
    expect(matchTotp(rfcSecret, "2870823", 59_000, null)).toBeUndefined();
  });

  it("makes 160-bit secrets and an otpauth URL for SHA1, 6 digits, 30 s, issuer fintrack", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl(secret, "jane@example.org"));
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("issuer")).toBe("fintrack");
    expect(url.searchParams.get("algorithm")).toBe("SHA1");
    expect(url.searchParams.get("digits")).toBe("6");
    expect(url.searchParams.get("period")).toBe("30");
    expect(url.searchParams.get("secret")).toBe(secret);
  });
});

describe("recovery codes", () => {
  it("makes ten different 80-bit codes in groups of four", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
      expect(looksLikeRecoveryCode(code)).toBe(true);
    }
  });

  it("hashes a code the same however it is typed", () => {
    const [code = ""] = newRecoveryCodes(1);
    const typed = ` ${code.toUpperCase().replaceAll("-", " ")} `;
    expect(hashRecoveryCode(typed)).toBe(hashRecoveryCode(code));
    expect(normalizeRecoveryCode("ABCD-EFGH-ILO0")).toBe("abcdefgh1100");
  });

  it("does not take a TOTP code or a short string for a recovery code", () => {
    expect(looksLikeRecoveryCode("123456")).toBe(false);
    expect(looksLikeRecoveryCode("abcd-efgh")).toBe(false);
  });
});

describe("sealed TOTP secrets", () => {
  const key = totpKey("a".repeat(32));

  it("round-trips under the same key and differs every time it is sealed", () => {
    const a = sealTotpSecret(key, rfcSecret);
    const b = sealTotpSecret(key, rfcSecret);
    expect(a).not.toBe(b);
    expect(a).not.toContain(rfcSecret);
    expect(openTotpSecret(key, a)).toBe(rfcSecret);
  });

  it("cannot be opened with another session secret's key or after tampering", () => {
    const sealed = sealTotpSecret(key, rfcSecret);
    expect(openTotpSecret(totpKey("b".repeat(32)), sealed)).toBeUndefined();
    const flipped = sealed.slice(0, -2) + (sealed.endsWith("AA") ? "BB" : "AA");
    expect(openTotpSecret(key, flipped)).toBeUndefined();
    expect(openTotpSecret(key, rfcSecret)).toBeUndefined();
  });
});
