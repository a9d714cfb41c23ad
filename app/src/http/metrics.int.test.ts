import { readFileSync } from "node:fs";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../test/harness/client.ts";
import { useRedisPrefix, useTestDatabase } from "../../test/harness/database.ts";
import { freePort } from "../../test/harness/process.ts";
import { checkMetrics } from "../../test/harness/promtool.ts";
import { loadConfig } from "../config.ts";
import { migrate } from "../db/migrate.ts";
import { startServer, type RunningServer } from "../server.ts";

/** A multipart/form-data upload of one bank file into an account, as the browser sends it. */
function multipart(accountId: string, filename: string, bytes: Buffer) {
  const boundary = "----fintrack-metrics-boundary";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="accountId"\r\n\r\n${accountId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      "Content-Type: text/csv\r\n\r\n",
  );
  return {
    bytes: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** The value of one sample line `name{labels} value` of an exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// The real server (startServer, as main.ts runs it) on real PostgreSQL and Redis: what Prometheus
// scrapes from a tenant's pod, not a registry assembled by the test.
describe("the app's /metrics", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let running: RunningServer;
  let base = "";
  let metricsUrl = "";

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await pool.end();
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    running = await startServer(
      loadConfig({
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        VALIDATE_RESPONSES: "true",
        SESSION_SECRET: "m".repeat(48),
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
      }),
      pino({ level: "silent" }),
    );
    base = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // Redis connects in the background; sign-up needs the session store.
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${base}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error("the app never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }

    // Traffic first, so the histogram, the counters and the default metrics all have samples.
    const owner = new ApiClient(base);
    const password = "metrics are only as good as their names";
    const registered = await owner.post("/auth/register", {
      email: "owner@metrics.example",
      password,
      name: "Owner",
    });
    expect(registered.status).toBe(201);
    const stranger = new ApiClient(base);
    const refused = await stranger.post("/auth/login", {
      email: "owner@metrics.example",
      password: "not the password",
    });
    expect(refused.status).toBe(401);
    const account = await owner.post<{ id: string }>("/accounts", {
      name: "Card",
      type: "credit_card",
      currency: "USD",
      openingDate: "2026-01-01",
    });
    expect(account.status).toBe(201);
    const booked = await owner.post("/transactions", {
      accountId: account.body.id,
      date: "2026-01-02",
      amount: "-12.50",
      payee: "Bakery",
    });
    expect(booked.status).toBe(201);
    const csv = readFileSync(
      new URL("../../test/fixtures/imports/us-credit-card.csv", import.meta.url),
    );
    const upload = multipart(account.body.id, "us-credit-card.csv", csv);
    const uploaded = await owner.request<{ id: string }>("POST", "/imports", upload.bytes, {
      contentType: upload.headers["Content-Type"],
    });
    expect(uploaded.status).toBe(201);
    expect((await owner.post(`/imports/${uploaded.body.id}/commit`, {})).status).toBe(200);
    expect((await owner.get("/reports/spending?from=2026-01-01&to=2026-01-31")).status).toBe(200);
    expect((await owner.get("/api/v1/no/such/route")).status).toBe(404);
  });
  afterAll(async () => {
    await running.shutdown(1000);
  });

  it("passes promtool check metrics without a single lint problem", async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = await res.text();
    expect(checkMetrics(exposition)).toEqual({ status: 0, problems: [] });
  });

  it("carries samples of every metric the dashboards and alerts query", async () => {
    const exposition = await (await fetch(metricsUrl)).text();
    const requests = (route: string, method: string, status: number) =>
      sample(
        exposition,
        `http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`,
      );
    expect(requests("/api/v1/auth/register", "POST", 201)).toBe(1);
    expect(requests("/api/v1/auth/login", "POST", 401)).toBe(1);
    expect(requests("/api/v1/imports/:id/commit", "POST", 200)).toBe(1);
    expect(requests("unmatched", "GET", 404)).toBe(1);
    expect(sample(exposition, 'fintrack_logins_failed_total{reason="password"}')).toBe(1);
    expect(sample(exposition, 'fintrack_logins_failed_total{reason="totp"}')).toBe(0);
    expect(sample(exposition, "fintrack_transactions_created_total")).toBe(1);
    expect(sample(exposition, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});
