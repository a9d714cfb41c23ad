import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { guardedSessions, guardedThrottle } from "./guard.ts";
import { memorySessionStore } from "./sessions.ts";
import { memoryThrottle } from "./throttle.ts";

const log = pino({ level: "silent" });
const down = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379"));

describe("guarded stores", () => {
  it("answer a store outage as a 503 unavailable problem, not a 500", async () => {
    const sessions = guardedSessions({ ...memorySessionStore(), get: down }, log);
    const error: unknown = await sessions.get("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      status: 503,
      code: "unavailable",
      headers: { "Retry-After": "5" },
    });
    const throttle = guardedThrottle({ ...memoryThrottle(), attempt: down }, log);
    await expect(
      throttle.attempt("k", { limit: 1, windowMs: 1, baseDelayMs: 1, maxDelayMs: 1 }, 0),
    ).rejects.toMatchObject({ status: 503 });
  });

  it("pass answers through unchanged", async () => {
    const sessions = guardedSessions(memorySessionStore(), log);
    const id = await sessions.create(
      { tenant: "t", userId: "1", createdAt: 0, lastSeenAt: 0, userAgent: "", ip: "" },
      60_000,
      60_000,
    );
    expect((await sessions.get(id))?.userId).toBe("1");
  });
});
