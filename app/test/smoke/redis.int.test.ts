import { connect } from "node:net";
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
    // Speak RESP on a raw socket: a client library's reconnect logic would blur the answer.
    const { hostname, port } = new URL(url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        resolve(data.toString());
        socket.destroy();
      });
      socket.once("error", reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
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
