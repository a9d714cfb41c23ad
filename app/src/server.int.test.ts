import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, postgresUrl, type PostgresServer } from "../test/harness/postgres.ts";
import { freePort } from "../test/harness/process.ts";
import { startRedis, type RedisServer } from "../test/harness/redis.ts";
import { sha256Hex } from "./auth/secrets.ts";
import { loadConfig } from "./config.ts";
import { migrate } from "./db/migrate.ts";
import { startServer, type RunningServer } from "./server.ts";

interface Readyz {
  ready: boolean;
  checks: Record<string, string>;
}

async function readyz(base: string): Promise<{ status: number; body: Readyz }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz };
}

/** Polls /readyz until it answers `status`; outages and recoveries take a moment to show. */
async function readyzBecomes(base: string, status: number): Promise<Readyz> {
  const deadline = Date.now() + 20_000;
  let last: { status: number; body: Readyz } | undefined;
  while (Date.now() < deadline) {
    last = await readyz(base);
    if (last.status === status) return last.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/readyz never answered ${status}: ${JSON.stringify(last)}`);
}

// Its own PostgreSQL and Redis, because this file stops and starts them.
describe("the server through a database outage and a graceful shutdown", () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  let running: RunningServer;
  let base = "";

  let databaseUrl = "";

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    databaseUrl = postgresUrl(postgres, "postgres");
    const pool = new pg.Pool({ connectionString: databaseUrl });
    await migrate(pool);
    const { rows } = await pool.query<{ id: string }>(
      "insert into users (email, name, password_hash, role) values ('o@x.example', 'O', 'x', 'owner') returning id::text",
    );
    await pool.query(
      "insert into api_tokens (user_id, name, token_hash, scope) values ($1, 't', $2, 'write')",
      [rows[0]?.id, sha256Hex(token)],
    );
    await pool.end();
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      VALIDATE_RESPONSES: "true",
      SESSION_SECRET: "s".repeat(48),
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
    });
    running = await startServer(config, pino({ level: "silent" }));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await running.shutdown(1000);
    await Promise.all([postgres.stop(), redis.stop()]);
  });

  const token = `ft_${randomBytes(32).toString("base64url")}`;
  const openAccount = (name: string) =>
    fetch(`${base}/api/v1/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name, type: "cash", currency: "EUR", openingDate: "2026-01-01" }),
    });

  it("stays alive, reports not ready while PostgreSQL is down, and recovers by itself", async () => {
    expect((await readyzBecomes(base, 200)).checks).toEqual({
      postgres: "ok",
      redis: "ok",
      schema: "ok",
    });

    await postgres.halt();
    const down = await readyzBecomes(base, 503);
    expect(down.checks.postgres).not.toBe("ok");
    expect(down.checks.redis).toBe("ok");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // A write during the outage is refused as retryable, never acknowledged and lost.
    const refused = await openAccount("During the outage");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);

    await postgres.restart();
    expect((await readyzBecomes(base, 200)).ready).toBe(true);
    expect((await openAccount("After the outage")).status).toBe(201);
    const list = (await (
      await fetch(`${base}/api/v1/accounts`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { data: { name: string }[] };
    expect(list.data.map((a) => a.name)).toEqual(["After the outage"]);
  });

  /** A second server on the same PostgreSQL and Redis, with `env` added to its settings. */
  const startAnother = async (env: Record<string, string>) => {
    const port = await freePort();
    const server = await startServer(
      loadConfig({
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        VALIDATE_RESPONSES: "true",
        SESSION_SECRET: "s".repeat(48),
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        ...env,
      }),
      pino({ level: "silent" }),
    );
    return { server, url: `http://127.0.0.1:${port}` };
  };

  it("keeps answering new connections while it drains, each told to close, then stops listening", async () => {
    const { server: draining, url } = await startAnother({ SHUTDOWN_DELAY_SECONDS: "2" });
    await readyzBecomes(url, 200);

    const stopped = draining.shutdown(1000);
    // As a Service still routing to this replica would: a new connection after SIGTERM.
    const during = await fetch(`${url}/api/v1/accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(during.status).toBe(200);
    expect(during.headers.get("connection")).toBe("close");
    expect((await readyz(url)).status).toBe(503);

    await stopped;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("answers 503 with Retry-After while Redis is frozen, before Redis thaws", async () => {
    const { server: frozenAware, url } = await startAnother({ REDIS_COMMAND_TIMEOUT_MS: "300" });
    const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await readyzBecomes(url, 200);
      await admin.connect();
      // Redis accepts every command and answers none until the pause ends, as a frozen one does.
      await admin.call("client", "pause", "4000", "all");
      // Queued behind the pause: it settles only once Redis thaws.
      const thawed = admin.ping().then(() => "thawed" as const);
      // Sign-in consults the throttle in Redis first.
      const answered = fetch(`${url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "nobody@x.example", password: "not the password at all" }),
      });
      const first = await Promise.race([answered.then(() => "answered" as const), thawed]);
      expect(first).toBe("answered");
      const res = await answered;
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      await thawed;
    } finally {
      admin.disconnect();
      await frozenAware.shutdown(1000);
    }
  });
});
