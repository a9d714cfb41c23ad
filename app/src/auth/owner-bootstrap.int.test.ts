import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useRedisPrefix, useTestDatabase } from "../../test/harness/database.ts";
import { freePort } from "../../test/harness/process.ts";
import { loadConfig } from "../config.ts";
import { migrate } from "../db/migrate.ts";
import { starterCategories } from "../domain/default-categories.ts";
import { startServer, type RunningServer } from "../server.ts";

interface Readyz {
  ready: boolean;
  checks: Record<string, string>;
}

// The password breaks the policy (one of the most common), so the configured owner cannot exist.
const weakPassword = "password1234";

describe("a configured owner that cannot be created", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let running: RunningServer;
  let base = "";
  let logs = "";

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await pool.end();
    const port = await freePort();
    const config = loadConfig(
      {
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        VALIDATE_RESPONSES: "true",
        SESSION_SECRET: "s".repeat(48),
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        FINTRACK_ADMIN_EMAIL: "owner@acme.example",
        FINTRACK_ADMIN_PASSWORD_FILE: "/run/secrets/admin-password",
        FINTRACK_SIGNUP: "open",
      },
      () => weakPassword,
    );
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    running = await startServer(config, pino({ level: "info" }, sink));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await running.shutdown(1000);
  });

  it("keeps the app not ready (503), naming the reason without the password", async () => {
    const deadline = Date.now() + 10_000;
    let body: Readyz | undefined;
    let status = 0;
    // The bootstrap runs in the background; wait until it has given up and said why.
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/readyz`);
      status = res.status;
      body = (await res.json()) as Readyz;
      if (body.checks.owner?.includes("cannot be created")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(503);
    expect(body?.ready).toBe(false);
    expect(body?.checks.owner).toMatch(/FINTRACK_ADMIN_EMAIL.*cannot be created.*common/);
    expect(JSON.stringify(body)).not.toContain(weakPassword);
    expect(logs).toMatch(/the owner account cannot be created/);
    expect(logs).not.toContain(weakPassword);
  });

  it("does not make the first visitor who registers the owner", async () => {
    const res = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "mallory@example.test",
        password: "lunch at the harbour on friday",
        name: "Mallory",
      }),
    });
    expect(res.status).toBe(503);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const { rows } = await pool.query("select 1 from users");
    await pool.end();
    expect(rows).toHaveLength(0);
  });
});

describe("a configured owner's household", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();

  /** Starts the app as the operator would, with the owner and FINTRACK_LOCALE; waits for ready. */
  async function start(locale: string): Promise<RunningServer> {
    const port = await freePort();
    const config = loadConfig(
      {
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        SESSION_SECRET: "s".repeat(48),
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        FINTRACK_ADMIN_EMAIL: "owner@acme.example",
        FINTRACK_ADMIN_PASSWORD_FILE: "/run/secrets/admin-password",
        FINTRACK_LOCALE: locale,
      },
      () => "lunch at the harbour on friday",
    );
    const running = await startServer(config, pino({ level: "silent" }));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return running;
      await new Promise((r) => setTimeout(r, 100));
    }
    await running.shutdown(1000);
    throw new Error("the app did not turn ready");
  }

  const categoryNames = async (): Promise<string[]> => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const { rows } = await pool.query<{ name: string }>("select name from categories order by id");
    await pool.end();
    return rows.map((r) => r.name);
  };

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await pool.end();
  });

  it("starts with the starter categories in FINTRACK_LOCALE, added once across restarts", async () => {
    const first = await start("fr");
    await first.shutdown(1000);
    const french = starterCategories("fr").flatMap((top) => [
      top.name,
      ...top.children.map((c) => c.name),
    ]);
    expect((await categoryNames()).sort()).toEqual([...french].sort());
    expect(french).toContain("Revenus");

    // A restart (here with another language configured) finds the owner and adds nothing.
    const second = await start("de");
    await second.shutdown(1000);
    expect((await categoryNames()).sort()).toEqual([...french].sort());
  });
});
