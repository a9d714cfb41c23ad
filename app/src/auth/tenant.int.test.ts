import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, registerOwner } from "../../test/harness/client.ts";
import { useRedisPrefix, useTestDatabase } from "../../test/harness/database.ts";
import { startTenant, type Tenant } from "../../test/harness/tenant.ts";
import { publicIdOf } from "./sessions.ts";

// Two households run by one operator may share a Redis, and a cookie may be copied from one to
// the other: a session is the tenant's it was made by, never another's, even for a user of the
// same id (each database numbers its users from 1).
describe("sessions bound to their tenant, two tenants sharing one Redis", () => {
  const dbA = useTestDatabase();
  const dbB = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let a: Tenant;
  let b: Tenant;
  let ownerA: ApiClient;
  let ownerB: ApiClient;

  beforeAll(async () => {
    // The same secret and the same origin: nothing but the tenant itself tells them apart.
    [a, b] = await Promise.all([
      startTenant({ databaseUrl: dbA.url, redisUrl, baseUrl: "http://127.0.0.1:8080" }),
      startTenant({ databaseUrl: dbB.url, redisUrl, baseUrl: "http://127.0.0.1:8080" }),
    ]);
    ownerA = new ApiClient(a.base);
    ownerB = new ApiClient(b.base);
    // B's owner first: A's session is then younger than B's owner's password, the case in which
    // B, checking only the user id, would take it for its own owner's.
    await registerOwner(ownerB, { name: "Owner B" });
    await registerOwner(ownerA, { name: "Owner A" });
  });
  afterAll(async () => {
    await Promise.all([a.running.shutdown(1000), b.running.shutdown(1000)]);
  });

  it("refuses tenant A's session cookie at tenant B, as signed out", async () => {
    const copied = new ApiClient(b.base);
    copied.setCookie("fintrack_session", ownerA.sessionCookie);
    const res = await copied.get("/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBeTruthy();
  });

  it("keeps both tenants' own sessions working, each its own owner", async () => {
    const meA = await ownerA.get<{ name: string }>("/me");
    const meB = await ownerB.get<{ name: string }>("/me");
    expect([meA.status, meA.body.name]).toEqual([200, "Owner A"]);
    expect([meB.status, meB.body.name]).toEqual([200, "Owner B"]);
  });

  it("keeps each tenant's keys in Redis under a namespace of its own", async () => {
    const redis = new Redis(redisUrl);
    try {
      const namespaceOf = async (client: ApiClient) => {
        const [key = ""] = await redis.keys(`*session:${publicIdOf(client.sessionCookie ?? "")}`);
        return key.slice(0, key.indexOf("session:"));
      };
      const [a, b] = [await namespaceOf(ownerA), await namespaceOf(ownerB)];
      expect(a).toMatch(/^fintrack:.+:$/);
      expect(b).toMatch(/^fintrack:.+:$/);
      expect(a).not.toBe(b);
    } finally {
      redis.disconnect();
    }
  });
});
