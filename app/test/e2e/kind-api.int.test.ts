import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { migrate } from "../../src/db/migrate.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { useRedisPrefix, useTestDatabase } from "../harness/database.ts";
import { freePort } from "../harness/process.ts";

const repoRoot = resolve(import.meta.dirname, "../../..");

/** Runs bash with hack/kind-test.sh's API helpers loaded; never blocks the server in this process. */
async function kindBash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const preamble = "set -euo pipefail\nsource hack/lib.sh\nsource hack/kind/api.sh\n";
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["-c", preamble + script], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// `make kind-test` needs Docker, which CI's main run lacks; its API half (hack/kind/api.sh: a
// cookie session, the ledger it books, the reports it compares between a tenant and its
// restored copy) is proven here against the real app on every run instead.
describe("hack/kind/api.sh against the real app", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  const work = mkdtempSync(join(tmpdir(), "fintrack-kind-api-"));
  let running: RunningServer;
  let base = "";

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await pool.end();
    const port = await freePort();
    running = await startServer(
      loadConfig({
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        SESSION_SECRET: "k".repeat(48),
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
      }),
      pino({ level: "silent" }),
    );
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${base}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error("the app never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await running.shutdown(1000);
    rmSync(work, { recursive: true, force: true });
  });

  const user = '"email":"e2e@acme.example","password":"lunch at the harbour on friday"';

  it("books the ledger, and a second session reads the same accounts, report and transactions", async () => {
    const run = await kindBash(`
      api_session "${base}" "${work}/first.cookies"
      api POST /auth/register 201 '{${user},"name":"E2E User"}' >/dev/null
      api_csrf_token
      account="$(seed_ledger)"
      capture_reports "${work}/first" "$account"
      api_session "${base}" "${work}/second.cookies"
      api POST /auth/login 200 '{${user}}' >/dev/null
      capture_reports "${work}/second" "$account"
      compare_reports "${work}/first" "${work}/second"
      echo "account=$account"
    `);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^account=\d+$/m);
  });

  it("fails the comparison on a single changed value and names the file", async () => {
    const changed = join(work, "changed");
    const run = await kindBash(`
      mkdir -p "${changed}" && cp "${work}/first/"*.json "${changed}/"
      sed -i 's/"Bakery"/"Bakerz"/' "${changed}/transactions.json"
      compare_reports "${work}/first" "${changed}"
    `);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('+      "payee": "Bakerz"');
    expect(run.stderr).toContain("transactions.json differs");
  });

  it("fails a ledger that does not add up, and a call answered with another status", async () => {
    const empty = join(work, "empty");
    const run = await kindBash(`
      api_session "${base}" "${work}/third.cookies"
      api POST /auth/login 200 '{${user}}' >/dev/null
      api GET /no/such/route 200
    `);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("GET /api/v1/no/such/route answered 404, not 200");

    const wrongAccount = await kindBash(`
      api_session "${base}" "${work}/fourth.cookies"
      api POST /auth/login 200 '{${user}}' >/dev/null
      api_csrf_token
      other="$(api POST /accounts 201 '{"name":"Empty","type":"cash","currency":"EUR"}' | json_field id)"
      capture_reports "${empty}" "$other"
    `);
    expect(wrongAccount.code).toBe(1);
    expect(wrongAccount.stderr).toMatch(/holds 0\.00, not the 1182\.25 booked/);
  });
});
