import type pg from "pg";
import { describe, expect, it } from "vitest";
import { redisPrefixOf, tenantIdentity, tenantOf } from "./tenant.ts";

const installation = "5f0c3a52-8a7e-4c1b-9d53-0c1f6b2e9a11";

/** A pool whose `select id from installation` answers the queued outcomes in turn. */
function poolAnswering(...outcomes: (string | Error)[]): { pool: pg.Pool; queries: () => number } {
  let count = 0;
  const pool = {
    query: () => {
      const next = outcomes[count++];
      if (next instanceof Error || next === undefined) return Promise.reject(next ?? new Error());
      return Promise.resolve({ rows: [{ id: next }] });
    },
  } as unknown as pg.Pool;
  return { pool, queries: () => count };
}

describe("tenantIdentity", () => {
  it("tells apart two databases served at one origin, and one database served at two", () => {
    const a = tenantIdentity("https://a.example", installation);
    expect(tenantIdentity("https://a.example", installation)).toBe(a);
    expect(tenantIdentity("https://a.example", "0d6e8f2a-1b3c-4d5e-8f70-9a1b2c3d4e5f")).not.toBe(a);
    expect(tenantIdentity("https://b.example", installation)).not.toBe(a);
  });

  it("fits a Redis key prefix of its own", () => {
    const tenant = tenantIdentity("https://a.example", installation);
    expect(redisPrefixOf(tenant)).toMatch(/^fintrack:[A-Za-z0-9_-]{22}:$/);
  });
});

describe("tenantOf", () => {
  it("reads the installation id once and keeps the identity", async () => {
    const { pool, queries } = poolAnswering(installation);
    const tenant = tenantOf(pool, new URL("https://a.example/app"));
    expect(await tenant()).toBe(tenantIdentity("https://a.example", installation));
    expect(await tenant()).toBe(tenantIdentity("https://a.example", installation));
    expect(queries()).toBe(1);
  });

  it("tries again after PostgreSQL was away", async () => {
    const { pool } = poolAnswering(new Error("Connection terminated"), installation);
    const tenant = tenantOf(pool, new URL("https://a.example"));
    await expect(tenant()).rejects.toThrow("Connection terminated");
    expect(await tenant()).toBe(tenantIdentity("https://a.example", installation));
  });
});
