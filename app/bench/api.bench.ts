// The API under a million transactions: seeds 20 accounts and 1,000,000 transactions with COPY
// into a private PostgreSQL, starts the real app (node app/src/main.ts) against it, and reports
// p50/p95 of the list page, a filtered page, a `q` search and the balances; then the list
// endpoint's requests per second under autocannon next to a bare node:http + pg handler running
// the same query, in the same run. Prints figures, asserts nothing.
// Usage: npm run bench:api [-- --transactions 1000000 --seconds 10 --samples 300]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { migrate } from "../src/db/migrate.ts";
import { postgresUrl, startPostgres } from "../test/harness/postgres.ts";
import { freePort, waitFor } from "../test/harness/process.ts";
import { startRedis } from "../test/harness/redis.ts";
import { seedLedger, seedMoneyFeatures } from "./seed.ts";
import { json, ownerToken, startNode, stopChildren } from "./support.ts";

const { values: args } = parseArgs({
  options: {
    transactions: { type: "string", default: "1000000" },
    accounts: { type: "string", default: "20" },
    seconds: { type: "string", default: "10" },
    samples: { type: "string", default: "300" },
    connections: { type: "string", default: "10" },
  },
});
const transactions = Number(args.transactions);
const samples = Number(args.samples);

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Times `count` sequential requests (after a short warm-up); returns sorted milliseconds. */
async function latencies(
  count: number,
  next: (i: number) => string,
  token: string,
): Promise<number[]> {
  const headers = { authorization: `Bearer ${token}` };
  for (let i = 0; i < 20; i++) await json(await fetch(next(i), { headers }));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = next(i);
    const started = performance.now();
    await json(await fetch(url, { headers }));
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function throughput(url: string, token: string): Promise<number> {
  const result = await autocannon({
    url,
    connections: Number(args.connections),
    duration: Number(args.seconds),
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${String(result.non2xx)} non-2xx, ${String(result.errors)} errors`);
  return result.requests.average;
}

const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
try {
  const databaseUrl = postgresUrl(postgres, "postgres");
  const pool = new pg.Pool({ connectionString: databaseUrl });
  await migrate(pool);
  const seedStarted = performance.now();
  const seeded = await seedLedger(pool, { accounts: Number(args.accounts), transactions });
  await seedMoneyFeatures(pool, seeded);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await pool.end();

  const [appPort, metricsPort, barePort] = await Promise.all([freePort(), freePort(), freePort()]);
  startNode(new URL("../src/main.ts", import.meta.url), {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    SESSION_SECRET: randomBytes(32).toString("hex"),
    PORT: String(appPort),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: "warn",
    FINTRACK_BASE_CURRENCY: "EUR",
  });
  startNode(new URL("./bare-server.ts", import.meta.url), {
    DATABASE_URL: databaseUrl,
    PORT: String(barePort),
  });
  const app = `http://127.0.0.1:${String(appPort)}`;
  const bare = `http://127.0.0.1:${String(barePort)}`;
  await waitFor("the app", async () => json(await fetch(`${app}/readyz`)));
  await waitFor("the bare handler", async () => json(await fetch(`${bare}/healthz`)));
  const token = await ownerToken(app, "read");

  const api = `${app}/api/v1`;
  const { accountIds, categoryIds, searchWords } = seeded;
  const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;
  const month = (i: number) => String((i % 12) + 1).padStart(2, "0");
  const scenarios: [string, (i: number) => string][] = [
    ["list page (limit 50)", () => `${api}/transactions?limit=50`],
    [
      "filtered page (account + category + year)",
      (i) =>
        `${api}/transactions?limit=50&accountId=${at(accountIds, i)}&categoryId=${at(categoryIds, i)}&from=2024-01-01&to=2024-12-31`,
    ],
    ["q search", (i) => `${api}/transactions?limit=50&q=${encodeURIComponent(at(searchWords, i))}`],
    ["balances (GET /accounts)", () => `${api}/accounts`],
    [
      "spending by category (a year)",
      (i) =>
        `${api}/reports/spending?from=${String(2021 + (i % 5))}-01-01&to=${String(2021 + (i % 5))}-12-31`,
    ],
    [
      "spending by payee (a month)",
      (i) =>
        `${api}/reports/spending?groupBy=payee&from=2024-${month(i)}-01&to=2024-${month(i)}-28`,
    ],
    [
      "cashflow by month (five years)",
      () => `${api}/reports/cashflow?from=2021-01-01&to=2025-12-31`,
    ],
    [
      "cashflow by week (a year)",
      (i) =>
        `${api}/reports/cashflow?interval=week&from=${String(2021 + (i % 5))}-01-01&to=${String(2021 + (i % 5))}-12-31`,
    ],
    ["net worth (five years of months)", () => `${api}/reports/net-worth?from=2021-01&to=2025-12`],
    ["budget (rollover over five years)", (i) => `${api}/reports/budget?month=2025-${month(i)}`],
  ];
  const rows: string[][] = [];
  for (const [name, next] of scenarios) {
    const times = await latencies(samples, next, token);
    rows.push([name, quantile(times, 0.5).toFixed(1), quantile(times, 0.95).toFixed(1)]);
  }
  const listPath = "/api/v1/transactions?limit=50";
  const appRps = await throughput(`${app}${listPath}`, token);
  const bareRps = await throughput(`${bare}${listPath}`, token);

  console.log(
    `\nfintrack bench:api — ${transactions.toLocaleString("en")} transactions over ${String(accountIds.length)} accounts, seeded with COPY in ${seedSeconds.toFixed(1)} s (${postgres.version})`,
  );
  console.log("\nlatency, sequential requests (ms)        p50      p95");
  for (const [name, p50, p95] of rows)
    console.log(
      `  ${(name ?? "").padEnd(40)}${(p50 ?? "").padStart(6)}   ${(p95 ?? "").padStart(6)}`,
    );
  console.log(`\nthroughput of ${listPath}, ${args.connections} connections, ${args.seconds} s`);
  console.log(`  fintrack app (auth, validation, logging, metrics)  ${appRps.toFixed(0)} req/s`);
  console.log(`  baseline: bare node:http + pg, same query          ${bareRps.toFixed(0)} req/s`);
  console.log(
    `  ratio                                              ${((appRps / bareRps) * 100).toFixed(0)} %`,
  );
  console.log(
    "\ntargets: list p95 <= 20 ms, search p95 <= 50 ms, reports p95 < 50 ms, throughput >= 50 % of the baseline",
  );
} catch (error) {
  console.error("bench:api failed:", error);
  process.exitCode = 1;
} finally {
  await stopChildren();
  await Promise.all([postgres.stop(), redis.stop()]);
  // The app and the baseline are children that would keep the event loop alive.
  process.exit();
}
