import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { useRedisPrefix, useTestDatabase } from "../test/harness/database.ts";
import { freePort } from "../test/harness/process.ts";

const here = dirname(fileURLToPath(import.meta.url));

describe("the app process (npm start's main.ts) against real PostgreSQL and Redis", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  const stops: (() => void)[] = [];
  afterAll(() => {
    for (const stop of stops) stop();
  });

  async function poll(url: string, want: number): Promise<Response> {
    const deadline = Date.now() + 20_000;
    let last: Response | undefined;
    while (Date.now() < deadline) {
      try {
        last = await fetch(url);
        if (last.status === want) return last;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${url} never answered ${want} (last: ${last?.status ?? "no answer"})`);
  }

  it("refuses to start with a broken configuration, listing the problem", () => {
    let output = "";
    let status: number | null = 0;
    try {
      execFileSync(process.execPath, [join(here, "main.ts")], {
        env: { PATH: process.env.PATH, PORT: "eighty" },
        stdio: "pipe",
      });
    } catch (error) {
      const e = error as { status: number | null; stderr: Buffer };
      status = e.status;
      output = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(output).toContain("PORT");
  });

  const adminPassword = "a sturdy household passphrase";
  const adminPasswordFile = join(mkdtempSync(join(tmpdir(), "fintrack-admin-")), "admin-password");
  writeFileSync(adminPasswordFile, `${adminPassword}\n`);

  it("is alive but not ready until migrated, ready after `npm run migrate`, and drains on SIGTERM", async () => {
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      SESSION_SECRET: "x".repeat(48),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
      // As the operator's Deployment sets them: the owner from a mounted secret file.
      FINTRACK_ADMIN_EMAIL: "owner@acme.example",
      FINTRACK_ADMIN_PASSWORD_FILE: adminPasswordFile,
      FINTRACK_SIGNUP: "open",
      // Not the operator's: every answer is checked against its route's declared schema.
      VALIDATE_RESPONSES: "true",
    };
    const child = spawn(process.execPath, [join(here, "main.ts")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    stops.push(() => child.kill("SIGKILL"));

    const base = `http://127.0.0.1:${port}`;
    await poll(`${base}/healthz`, 200);
    const notReady = await poll(`${base}/readyz`, 503);
    expect(((await notReady.json()) as { checks: Record<string, string> }).checks.schema).toMatch(
      /schema at none/,
    );

    execFileSync("npm", ["run", "--silent", "migrate"], {
      cwd: join(here, ".."),
      env,
      stdio: "pipe",
    });
    await poll(`${base}/readyz`, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain("http_request_duration_seconds");
    expect(metrics).toContain("process_resident_memory_bytes");

    // The owner is created once the schema exists; the start does not wait for it. Polling the
    // table, not the login, which would count as failed attempts and be throttled.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const ownerExists = async () =>
      (await pool.query("select 1 from users where email = 'owner@acme.example'")).rowCount === 1;
    const deadline = Date.now() + 15_000;
    while (!(await ownerExists()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await pool.end();
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@acme.example", password: adminPassword }),
    });
    expect(login.status, output).toBe(200);
    expect(((await login.json()) as { role: string }).role).toBe("owner");
    const registered = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: "e2e@acme.example",
        password: "lunch at the harbour on friday",
        name: "E2E User",
      }),
    });
    expect(registered.status).toBe(201);
    expect(((await registered.json()) as { role: string }).role).toBe("member");
    expect(registered.headers.get("set-cookie")).toMatch(/^fintrack_session=.*HttpOnly/i);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).not.toContain("x".repeat(48));
    expect(output).not.toContain(adminPassword);
  });
});
