import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { useRedisPrefix, useTestDatabase } from "../test/harness/database.ts";
import { createApp } from "./app.ts";
import { readiness, type Readiness } from "./health.ts";
import { route } from "./http/route.ts";

describe("the HTTP app against real PostgreSQL and Redis", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let pool: pg.Pool;
  let redis: Redis;
  let server: Server;
  let base = "";
  let schemaCurrent = true;
  let ready: Readiness;
  const registry = new Registry();

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    ready = readiness([
      {
        name: "postgres",
        check: async () => {
          await pool.query("select 1");
        },
      },
      {
        name: "redis",
        check: async () => {
          await redis.ping();
        },
      },
      {
        name: "schema",
        check: () =>
          schemaCurrent ? Promise.resolve() : Promise.reject(new Error("2 migrations pending")),
      },
    ]);
    const app = createApp({
      config: {
        baseUrl: new URL("https://money.acme.example"),
        trustProxy: true,
        validateResponses: true,
      },
      log: pino({ level: "silent" }),
      registry,
      readiness: ready,
      routes: [
        route({
          method: "post",
          path: "/echo",
          operationId: "echo",
          summary: "Answers its body",
          tag: "test",
          access: "public",
          body: z.object({ text: z.string() }),
          responses: { 200: { description: "The body", schema: z.object({ text: z.string() }) } },
          handler: ({ body }) => Promise.resolve(body),
        }),
      ],
      authenticate: () => Promise.resolve(undefined),
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    redis.disconnect();
    await pool.end();
  });

  it("answers /healthz while alive and /readyz when PostgreSQL, Redis and the schema are", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      checks: { postgres: "ok", redis: "ok", schema: "ok" },
    });
  });

  it("reports not ready, saying why, when the schema is behind", async () => {
    schemaCurrent = false;
    const behind = await fetch(`${base}/readyz`);
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as { checks: Record<string, string> }).checks.schema).toBe(
      "2 migrations pending",
    );
    schemaCurrent = true;
  });

  it("sends strict security headers and no X-Powered-By", async () => {
    const res = await fetch(`${base}/healthz`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=63072000/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("answers unknown API routes with a problem+json 404 that is never cached", async () => {
    const res = await fetch(`${base}/api/v1/nothing-here?x=1`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toMatchObject({
      status: 404,
      code: "not_found",
      instance: "/api/v1/nothing-here",
    });
  });

  it("refuses malformed JSON with a 400 problem", async () => {
    const res = await fetch(`${base}/api/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "bad_request",
      detail: "the body is not valid JSON",
    });
  });

  it("keeps a sensible caller request id and replaces a hostile one", async () => {
    const kept = await fetch(`${base}/healthz`, { headers: { "x-request-id": "req-1234567890" } });
    expect(kept.headers.get("x-request-id")).toBe("req-1234567890");
    const replaced = await fetch(`${base}/healthz`, { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("records request durations by route template, not by raw path", async () => {
    await fetch(`${base}/api/v1/secret-account-12345`);
    const text = await registry.metrics();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(text).not.toContain("secret-account-12345");
  });

  it("fails readiness for good once draining for shutdown, while staying alive", async () => {
    ready.drain();
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, string> }).checks.shutdown).toBe(
      "draining",
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
