import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRedisPrefix } from "../harness/database.ts";

describe("the test Redis server", () => {
  const { url, prefix } = useRedisPrefix();
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(url, { keyPrefix: prefix });
  });
  afterAll(() => {
    redis.disconnect();
  });

  it("refuses clients without the password", async () => {
    const anonymous = new Redis(url.replace(/:[^:@/]+@/, "@"), {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const errors: Error[] = [];
    anonymous.on("error", (error: Error) => errors.push(error));
    await expect(anonymous.connect().then(() => anonymous.get("anything"))).rejects.toThrow(
      /NOAUTH|Authentication/i,
    );
    anonymous.disconnect();
  });

  it("stores a value and expires it", async () => {
    await redis.set("session", "value", "PX", 300);
    expect(await redis.get("session")).toBe("value");
    const ttl = await redis.pttl("session");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 400));
    expect(await redis.get("session")).toBeNull();
  });
});
