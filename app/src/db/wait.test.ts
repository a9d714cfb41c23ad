import { describe, expect, it } from "vitest";
import { nextStep, notReachableYet, parseWaitSeconds, waitForPostgres } from "./wait.ts";

/** An error shaped like Node's system errors and pg's server errors: a message and a code. */
function anError(message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), extra);
}

const refused = anError("connect ECONNREFUSED 10.0.0.7:5432", {
  code: "ECONNREFUSED",
  syscall: "connect",
});
const at = { attempt: 1, elapsedMs: 0, limitMs: 180_000, target: "acme-postgres:5432" };

describe("notReachableYet", () => {
  it.each<[string, unknown, string | undefined]>([
    ["a refused connection", refused, "connect ECONNREFUSED"],
    [
      "a name DNS does not know yet",
      anError("getaddrinfo ENOTFOUND acme-postgres", { code: "ENOTFOUND", syscall: "getaddrinfo" }),
      "getaddrinfo ENOTFOUND",
    ],
    [
      "DNS not answering yet",
      anError("getaddrinfo EAI_AGAIN acme-postgres", { code: "EAI_AGAIN", syscall: "getaddrinfo" }),
      "getaddrinfo EAI_AGAIN",
    ],
    [
      "a timed-out connect",
      anError("connect ETIMEDOUT", { code: "ETIMEDOUT" }),
      "connect ETIMEDOUT",
    ],
    [
      "a reset connection",
      anError("read ECONNRESET", { code: "ECONNRESET", syscall: "read" }),
      "read ECONNRESET",
    ],
    [
      "a refused dual-stack connect (an AggregateError with an empty message)",
      Object.assign(new AggregateError([refused], ""), { code: "ECONNREFUSED" }),
      "connect ECONNREFUSED",
    ],
    [
      "a server still starting up",
      anError("the database system is starting up", { code: "57P03" }),
      "the database system is starting up",
    ],
    [
      "pg's own connection timeout",
      anError("timeout exceeded when trying to connect"),
      "connection timed out",
    ],
    ["a wrong password", anError("password authentication failed", { code: "28P01" }), undefined],
    ["a missing database", anError('database "x" does not exist', { code: "3D000" }), undefined],
    ["a bug", new TypeError("x is not a function"), undefined],
    ["a thrown string", "boom", undefined],
  ])("%s", (_what, error, expected) => {
    expect(notReachableYet(error)).toBe(expected);
  });
});

describe("nextStep", () => {
  it.each<[number, number]>([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [5, 5000],
    [30, 5000],
  ])("waits with capped exponential backoff: attempt %i, %i ms", (attempt, delayMs) => {
    expect(nextStep(refused, { ...at, attempt })).toMatchObject({ action: "wait", delayMs });
  });

  it("says what it waits for, without the address's password or the full error", () => {
    expect(nextStep(refused, { ...at, attempt: 3, elapsedMs: 4500 })).toEqual({
      action: "wait",
      delayMs: 2000,
      line: "waiting for PostgreSQL at acme-postgres:5432: connect ECONNREFUSED (attempt 3, 4.5 s so far)",
    });
  });

  it("waits no longer than the time left, then gives up naming the last reason", () => {
    expect(nextStep(refused, { ...at, attempt: 9, elapsedMs: 178_800 })).toMatchObject({
      action: "wait",
      delayMs: 1200,
    });
    expect(nextStep(refused, { ...at, attempt: 10, elapsedMs: 180_000 })).toEqual({
      action: "fail",
      message:
        "PostgreSQL at acme-postgres:5432 was not reachable within 180.0 s (10 attempts): connect ECONNREFUSED",
    });
  });

  it("fails at once when PostgreSQL rejects the password, saying it does not match", () => {
    const step = nextStep(
      anError('password authentication failed for user "fintrack"', { code: "28P01" }),
      at,
    );
    expect(step).toMatchObject({ action: "fail" });
    expect(step.action === "fail" && step.message).toMatch(
      /^the password in DATABASE_URL does not match PostgreSQL's at acme-postgres:5432 \(28P01: password authentication failed for user "fintrack"\); the database keeps the password it was created with/,
    );
  });

  it("fails at once when PostgreSQL refuses the user", () => {
    expect(
      nextStep(anError('no pg_hba.conf entry for host "10.0.0.9"', { code: "28000" }), at),
    ).toEqual({
      action: "fail",
      message:
        'PostgreSQL at acme-postgres:5432 refused the connection (28000: no pg_hba.conf entry for host "10.0.0.9")',
    });
  });

  it("fails at once on any other error, with its own message", () => {
    expect(nextStep(anError('database "x" does not exist', { code: "3D000" }), at)).toEqual({
      action: "fail",
      message: 'database "x" does not exist',
    });
  });

  it("does not wait at all with a limit of 0", () => {
    expect(nextStep(refused, { ...at, limitMs: 0 })).toMatchObject({ action: "fail" });
  });
});

describe("parseWaitSeconds", () => {
  it.each<[string | undefined, number]>([
    [undefined, 180],
    ["", 180],
    ["0", 0],
    ["30", 30],
    [" 600 ", 600],
    ["3600", 3600],
  ])("reads %j as %i", (raw, expected) => {
    expect(parseWaitSeconds(raw)).toBe(expected);
  });

  it.each(["-1", "1.5", "3601", "ten", "1e3", "0x10"])("refuses %j, naming the variable", (raw) => {
    expect(() => parseWaitSeconds(raw)).toThrow(/^MIGRATE_WAIT_SECONDS must be a whole number/);
  });
});

describe("waitForPostgres", () => {
  /** A clock that only sleeping moves, and a connect that fails `failures` times first. */
  function harness(failures: Error[]) {
    let clock = 0;
    const lines: string[] = [];
    const sleeps: number[] = [];
    let attempts = 0;
    return {
      lines,
      sleeps,
      attempts: () => attempts,
      options: {
        connect: () => {
          attempts++;
          const failure = failures.shift();
          return failure === undefined ? Promise.resolve() : Promise.reject(failure);
        },
        target: "db:5432",
        log: (line: string) => lines.push(line),
        sleep: (ms: number) => {
          sleeps.push(ms);
          clock += ms;
          return Promise.resolve();
        },
        now: () => clock,
      },
    };
  }

  it("retries until PostgreSQL accepts, printing one line per wait", async () => {
    const h = harness([refused, refused, anError("starting up", { code: "57P03" })]);
    await waitForPostgres({ ...h.options, limitMs: 180_000 });
    expect(h.attempts()).toBe(4);
    expect(h.sleeps).toEqual([500, 1000, 2000]);
    expect(h.lines).toEqual([
      "waiting for PostgreSQL at db:5432: connect ECONNREFUSED (attempt 1, 0.0 s so far)",
      "waiting for PostgreSQL at db:5432: connect ECONNREFUSED (attempt 2, 0.5 s so far)",
      "waiting for PostgreSQL at db:5432: starting up (attempt 3, 1.5 s so far)",
    ]);
  });

  it("gives up once the limit is spent", async () => {
    const h = harness(Array.from({ length: 100 }, () => refused));
    await expect(waitForPostgres({ ...h.options, limitMs: 10_000 })).rejects.toThrow(
      /^PostgreSQL at db:5432 was not reachable within 10.0 s \(6 attempts\)/,
    );
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it("stops at the first authentication failure", async () => {
    const h = harness([refused, anError("password authentication failed", { code: "28P01" })]);
    await expect(waitForPostgres({ ...h.options, limitMs: 180_000 })).rejects.toThrow(
      /does not match/,
    );
    expect(h.attempts()).toBe(2);
  });
});
