import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import {
  ANSWER_LOST_AFTER_MS,
  decideOnKey,
  IDEMPOTENCY_KEY_PATTERN,
  parseIdempotencyKey,
  requestFingerprint,
  type StoredKey,
} from "./idempotency-key.ts";

const statusOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.status : -1;
  }
  return undefined;
};

describe("parseIdempotencyKey", () => {
  it("reads an sf-string, unescaping quotes and backslashes", () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe(
      "8e03978e-40d5-43e8-bc93-6894a57f9324",
    );
    expect(parseIdempotencyKey(' "a\\"b\\\\c" ')).toBe('a"b\\c');
  });

  it("is absent without the header", () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ["a bare token", "8e03978e"],
    ["an empty string", '""'],
    ["two keys joined by a comma", '"a", "b"'],
    ["a missing closing quote", '"abc'],
    ["an unknown escape", '"a\\nb"'],
    ["a non-ASCII character", '"caf\u00e9"'],
    ["a control character", '"a\tb"'],
    ["more than 255 characters", `"${"k".repeat(256)}"`],
  ])("refuses %s with 400", (_what, header) => {
    expect(statusOf(() => parseIdempotencyKey(header))).toBe(400);
  });

  it("accepts 255 characters", () => {
    expect(parseIdempotencyKey(`"${"k".repeat(255)}"`)).toHaveLength(255);
  });

  it("documents the same syntax it accepts", () => {
    const pattern = new RegExp(IDEMPOTENCY_KEY_PATTERN);
    expect(pattern.test('"a\\"b"')).toBe(true);
    expect(pattern.test('"8e03978e"')).toBe(true);
    expect(pattern.test("8e03978e")).toBe(false);
    expect(pattern.test('""')).toBe(false);
    expect(pattern.test('"a"b"')).toBe(false);
  });
});

describe("requestFingerprint", () => {
  const base = { method: "POST", url: "/api/v1/transactions", body: { amount: "-1", payee: "x" } };

  it("is the same for a resent request", () => {
    expect(requestFingerprint(base)).toBe(requestFingerprint({ ...base, body: { ...base.body } }));
  });

  it("differs by method, path, query and body", () => {
    const first = requestFingerprint(base);
    expect(requestFingerprint({ ...base, method: "PUT" })).not.toBe(first);
    expect(requestFingerprint({ ...base, url: "/api/v1/accounts" })).not.toBe(first);
    expect(requestFingerprint({ ...base, url: "/api/v1/transactions?x=1" })).not.toBe(first);
    expect(requestFingerprint({ ...base, body: { amount: "-2", payee: "x" } })).not.toBe(first);
  });

  it("digests the bytes of an upload", () => {
    const upload = { ...base, body: Buffer.from("a") };
    expect(requestFingerprint(upload)).not.toBe(
      requestFingerprint({ ...base, body: Buffer.from("b") }),
    );
  });
});

describe("decideOnKey", () => {
  const now = 1_000_000_000;
  const stored = (overrides: Partial<StoredKey> = {}): StoredKey => ({
    fingerprint: "f",
    claimedAt: now - 1000,
    answer: undefined,
    ...overrides,
  });
  const refusal = (decision: ReturnType<typeof decideOnKey>) =>
    decision.action === "refuse" && decision.error instanceof AppError
      ? { status: decision.error.status, code: decision.error.code }
      : undefined;

  it("runs a request whose key is new or expired", () => {
    expect(decideOnKey(undefined, "f", now)).toEqual({ action: "proceed" });
  });

  it("replays the recorded answer of the same request", () => {
    const answer = { status: 201, headers: { location: "/x" }, body: "{}" };
    expect(decideOnKey(stored({ answer }), "f", now)).toEqual({ action: "replay", answer });
  });

  it("refuses another request reusing the key with 422, even once answered", () => {
    const answer = { status: 201, headers: {}, body: "{}" };
    expect(refusal(decideOnKey(stored({ answer }), "g", now))).toEqual({
      status: 422,
      code: "idempotency_key_reused",
    });
  });

  it("answers 409 while the first request is being processed", () => {
    expect(refusal(decideOnKey(stored(), "f", now))).toEqual({
      status: 409,
      code: "idempotency_key_in_progress",
    });
  });

  it("answers 409 saying the answer was lost once no request can still be running", () => {
    const old = stored({ claimedAt: now - ANSWER_LOST_AFTER_MS });
    expect(refusal(decideOnKey(old, "f", now))).toEqual({
      status: 409,
      code: "idempotency_answer_unavailable",
    });
  });
});
