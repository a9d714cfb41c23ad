import { describe, expect, it } from "vitest";
import { commonPasswords } from "./common-passwords.ts";
import {
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPassword,
  verifyPasswordOrDummy,
} from "./passwords.ts";

const email = "jane.doe@example.org";

describe("passwordProblem", () => {
  it("accepts a 12-character password with no composition at all", () => {
    expect(passwordProblem("correct cows", { email })).toBeUndefined();
  });

  it("refuses 11 characters and accepts 12, counting code points not UTF-16 units", () => {
    expect(passwordProblem("a".repeat(5) + "xyzqwv", { email })).toMatch(/at least 12/);
    // Eleven emoji are 22 UTF-16 units but 11 code points: still too short.
    expect(passwordProblem("🦊".repeat(11), { email })).toMatch(/at least 12/);
    expect(passwordProblem("🦊".repeat(12), { email })).toBeUndefined();
  });

  it("accepts 128 characters and refuses 129", () => {
    expect(passwordProblem("ab".repeat(64), { email })).toBeUndefined();
    expect(passwordProblem("ab".repeat(64) + "c", { email })).toMatch(/at most 128/);
  });

  it.each(["password1234", "123456789012", "qwertyuiopas", "Password1234", "iloveyou2025"])(
    "refuses the common password %s",
    (password) => {
      expect(passwordProblem(password, { email })).toMatch(/most common/);
    },
  );

  it("refuses the email itself and any password containing its local part", () => {
    expect(passwordProblem("Jane.Doe@example.org", { email })).toMatch(/email/);
    expect(passwordProblem("my jane.doe secret", { email })).toMatch(/email/);
  });

  it("does not refuse passwords for containing a one- or two-letter local part", () => {
    expect(passwordProblem("a quiet lake at dawn", { email: "al@example.org" })).toBeUndefined();
  });

  it("lists only entries the length rule would let through, in lower case", () => {
    expect(commonPasswords.size).toBeGreaterThan(300);
    for (const p of commonPasswords) {
      expect([...p].length).toBeGreaterThanOrEqual(12);
      expect(p).toBe(p.toLowerCase());
    }
  });
});

describe("hashing", () => {
  it("hashes with argon2id at 19 MiB, 2 passes, 1 lane and verifies only the right password", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored, "correct horse batterY")).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it("matches a password typed with composed or decomposed accents alike (NFKC)", async () => {
    const stored = await hashPassword("caf\u00e9 au lait bitte");
    expect(await verifyPassword(stored, "cafe\u0301 au lait bitte")).toBe(true);
  });

  it("treats a malformed stored hash as a mismatch, not an error", async () => {
    expect(await verifyPassword("not a hash", "whatever password")).toBe(false);
    expect(needsRehash("not a hash")).toBe(true);
  });

  it("asks to rehash hashes made with weaker parameters", async () => {
    const { hash } = await import("@node-rs/argon2");
    expect(needsRehash(await hash("old password 1", { memoryCost: 8192, timeCost: 1 }))).toBe(true);
  });

  it("spends a verification on unknown accounts and always answers false", async () => {
    expect(await verifyPasswordOrDummy(undefined, "anything at all")).toBe(false);
    const started = performance.now();
    expect(await verifyPasswordOrDummy(undefined, "anything at all")).toBe(false);
    // 19 MiB of argon2id cannot finish in 5 ms: a real verification ran.
    expect(performance.now() - started).toBeGreaterThan(5);
    const stored = await hashPassword("the real password");
    expect(await verifyPasswordOrDummy(stored, "the real password")).toBe(true);
  });
});
