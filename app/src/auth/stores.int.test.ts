import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { useRedisPrefix } from "../../test/harness/database.ts";
import { guardedSessions } from "./guard.ts";
import { publicIdOf, redisSessionStore } from "./sessions.ts";
import { describeSessionStore, describeThrottle } from "../../test/harness/stores-contract.ts";
import { redisThrottle } from "./throttle.ts";

describe("the Redis stores", () => {
  const { url, prefix } = useRedisPrefix();
  let redis: Redis;
  let n = 0;
  // A prefix per test, so each starts from an empty store as the contract expects.
  const fresh = () => `${prefix}${String(n++)}:`;

  beforeAll(async () => {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(() => {
    redis.disconnect();
  });

  describeSessionStore("Redis", () => redisSessionStore(redis, fresh()));
  describeThrottle("Redis", () => redisThrottle(redis, fresh()));

  it("keys a session by the sha256 of its id and indexes it under its user", async () => {
    const p = fresh();
    const store = redisSessionStore(redis, p);
    const id = await store.create(
      { userId: "42", tenant: "t", createdAt: 1, lastSeenAt: 1, userAgent: "ua", ip: "ip" },
      60_000,
      120_000,
    );
    const keys = (await redis.keys(`${p}*`)).sort();
    expect(keys).toEqual([`${p}session:${publicIdOf(id)}`, `${p}user-sessions:42`]);
    expect(await redis.smembers(`${p}user-sessions:42`)).toEqual([publicIdOf(id)]);
    expect(await redis.pttl(`${p}session:${publicIdOf(id)}`)).toBeGreaterThan(59_000);
    expect(await redis.pttl(`${p}user-sessions:42`)).toBeGreaterThan(119_000);
  });

  it("drops index entries whose session expired when listing", async () => {
    const p = fresh();
    const store = redisSessionStore(redis, p);
    const session = {
      userId: "42",
      tenant: "t",
      createdAt: 1,
      lastSeenAt: 1,
      userAgent: "",
      ip: "",
    };
    await store.create(session, 20, 60_000);
    const kept = await store.create(session, 60_000, 60_000);
    await new Promise((r) => setTimeout(r, 60));
    expect((await store.listForUser("42")).map((s) => s.publicId)).toEqual([publicIdOf(kept)]);
    expect(await redis.scard(`${p}user-sessions:42`)).toBe(1);
  });

  it("lets exactly the free attempts through when they arrive in parallel", async () => {
    const throttle = redisThrottle(redis, fresh());
    const policy = { limit: 5, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 60_000 };
    const waits = await Promise.all(
      Array.from({ length: 40 }, () => throttle.attempt("burst", policy, 1_000_000)),
    );
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
  });

  it("answers 503 while Redis is unreachable, as the app keeps running", async () => {
    const gone = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    gone.on("error", () => undefined);
    const store = guardedSessions(redisSessionStore(gone), pino({ level: "silent" }));
    await expect(store.get("A".repeat(22))).rejects.toMatchObject({ status: 503 });
    gone.disconnect();
  });
});
