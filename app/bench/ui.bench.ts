// The web UI at 100,000 transactions: seeds one account with 100,000 transactions (COPY) and a
// year of budgets into a private PostgreSQL, starts the real app (node app/src/main.ts, built UI,
// production mode) and a second one on an empty household, signs in with Chromium and measures:
// the dashboard from navigation start until its charts and tables show their data (median of N
// loads) next to the same dashboard of an empty household; the register's first rows (the one
// account's and every account's, /transactions) next to an empty register; and the frames of
// scrolling each register 5,000 rows down next to a static 10,000-row HTML list scrolled the
// same way. Prints figures, asserts nothing.
// Usage: npm run bench:ui [-- --transactions 100000 --loads 5 --rows 5000 --step 168]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { migrate } from "../src/db/migrate.ts";
import { ensureWebBuilt } from "../src/static-files/ensure-built.ts";
import { launchBrowser } from "../test/harness/browser.ts";
import { postgresUrl, query, startPostgres } from "../test/harness/postgres.ts";
import { freePort, waitFor } from "../test/harness/process.ts";
import { startRedis } from "../test/harness/redis.ts";
import { seedLedger, seedMoneyFeatures } from "./seed.ts";
import { json, startNode, stopChildren } from "./support.ts";

const { values: args } = parseArgs({
  options: {
    transactions: { type: "string", default: "100000" },
    loads: { type: "string", default: "5" },
    rows: { type: "string", default: "5000" },
    step: { type: "string", default: "168" },
  },
});
const transactions = Number(args.transactions);
const loads = Number(args.loads);
const scrollRows = Number(args.rows);
/** Pixels scrolled per frame: three 56 px register rows, about 10,000 px/s at 60 frames/s. */
const step = Number(args.step);
/** The register's row height (app/web/src/screens/register/register-list.tsx ROW). */
const ROW = 56;
const LOGIN = { email: "bench@fintrack.local", password: "a long and boring passphrase" };

/**
 * Runs in every page before its own scripts (over CDP, so the app's CSP does not apply): notes
 * the time since navigation start of the first frame painted once a screen shows its data.
 * Dashboard: no loading indicator, each of its cards showing rows (the month card: its figures),
 * an empty state or an error, and the net worth table's chart drawn. Register: its first rows, or its empty state.
 */
const READY_PROBE = `(() => {
  window.__ready = {};
  const dashboardReady = () => {
    const cards = document.querySelectorAll(".dashboard section.card");
    if (cards.length < 5 || document.querySelector(".loading")) return false;
    return [...cards].every((card) => card.querySelector(".empty, .load-error, li, dl.facts") !== null ||
      (card.querySelector("tbody tr") !== null && card.querySelector(".chart canvas") !== null));
  };
  const registerReady = () => document.querySelector(".register-rows > li, .register .empty") !== null;
  const check = () => {
    for (const [name, ready] of [["dashboard", dashboardReady], ["register", registerReady]]) {
      if (window.__ready[name] !== undefined || window.__ready[name + "Pending"] || !ready()) continue;
      window.__ready[name + "Pending"] = true;
      requestAnimationFrame(() => {
        window.__ready[name] = performance.now();
        window.__ready[name + "Errors"] = document.querySelectorAll(".load-error").length;
      });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
})()`;

/**
 * Scrolls `selector` down by `step` px each animation frame until `target` px, recording every
 * frame's interval and the browser's long animation frames and long tasks on the way. A frame in
 * which the list could not move on (its next page of rows had not arrived) counts as stalled.
 */
const SCROLL_PROBE = `async ({ selector, target, step }) => {
  const el = document.querySelector(selector);
  if (!el) throw new Error("nothing to scroll at " + selector);
  const loaf = [];
  const tasks = [];
  const longFrames = [];
  // What a long animation frame spent its time on: scripts (and the layout they forced), then
  // style, layout and paint after them.
  const describe = (entry) => {
    const end = entry.startTime + entry.duration;
    const scripts = (entry.scripts ?? []).map((s) =>
      s.invokerType + " " + String(s.invoker).slice(0, 60) + " " + s.duration.toFixed(0) + " ms" +
      (s.forcedStyleAndLayoutDuration > 1 ? " (forced layout " + s.forcedStyleAndLayoutDuration.toFixed(0) + " ms)" : ""));
    const render = entry.renderStart > 0 ? end - entry.renderStart : 0;
    const styleLayout = entry.styleAndLayoutStart > 0 ? end - entry.styleAndLayoutStart : 0;
    return entry.duration.toFixed(0) + " ms: rendering " + render.toFixed(0) + " ms (style and layout " +
      styleLayout.toFixed(0) + " ms)" + (scripts.length > 0 ? "; " + scripts.join("; ") : "");
  };
  const watch = (type, into) => {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) return undefined;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        into.push(entry.duration);
        if (type === "long-animation-frame" && entry.duration > 50) longFrames.push(describe(entry));
      }
    });
    observer.observe({ type });
    return observer;
  };
  const observers = [watch("long-animation-frame", loaf), watch("longtask", tasks)];
  const frames = [];
  let stalled = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    let last;
    const tick = (now) => {
      if (last !== undefined) frames.push(now - last);
      last = now;
      const before = el.scrollTop;
      if (before >= target || now - started > 180000) {
        resolve();
        return;
      }
      el.scrollTop = before + step;
      if (el.scrollTop <= before) stalled += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // Entries of the last frames are delivered a little later.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const observer of observers) observer?.disconnect();
  return {
    frames,
    loaf,
    longFrames,
    tasks,
    stalled,
    reached: el.scrollTop,
    seconds: (performance.now() - started) / 1000,
    loafSupported: PerformanceObserver.supportedEntryTypes.includes("long-animation-frame"),
  };
}`;

interface ScrollRun {
  frames: number[];
  loaf: number[];
  /** What each long animation frame over 50 ms spent its time on. */
  longFrames: string[];
  tasks: number[];
  stalled: number;
  reached: number;
  seconds: number;
  loafSupported: boolean;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Registers the owner of a fresh household through the API, as the sign-up form does. */
async function registerOwner(base: string): Promise<void> {
  await json(
    await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...LOGIN, name: "Bench" }),
    }),
  );
}

async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(LOGIN.email);
  await page.getByLabel("Password").fill(LOGIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor({ timeout: 60_000 });
}

/** A signed-in page on `base` in a context of its own (cookies are per host, not per port). */
async function signedInPage(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: "en-US",
  });
  await context.addInitScript(READY_PROBE);
  const page = await context.newPage();
  await signIn(page, base);
  return page;
}

interface ApiTiming {
  path: string;
  start: number;
  end: number;
}

/** Navigates to `url` and answers when `screen` showed its data (ms since navigation start). */
async function timeScreen(
  page: Page,
  url: string,
  screen: "dashboard" | "register",
): Promise<{ ms: number; errors: number; api: ApiTiming[] }> {
  await page.goto(url);
  // Polled over CDP: the app's CSP forbids the eval that waitForFunction would need.
  await waitFor(
    `the ${screen} showing its data`,
    async () => {
      if (!(await page.evaluate<boolean>(`window.__ready?.${screen} !== undefined`))) {
        throw new Error("not yet");
      }
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  );
  return page.evaluate<{ ms: number; errors: number; api: ApiTiming[] }>(`({
    ms: window.__ready.${screen},
    errors: window.__ready.${screen}Errors,
    api: performance.getEntriesByType("resource")
      .filter((e) => e.name.includes("/api/v1/"))
      .map((e) => ({ path: new URL(e.name).pathname + new URL(e.name).search, start: e.startTime, end: e.responseEnd })),
  })`);
}

/** Loads a screen `count` times (after one warm-up load) and keeps the median load. */
async function medianLoad(
  page: Page,
  url: string,
  screen: "dashboard" | "register",
  count: number,
) {
  await timeScreen(page, url, screen);
  const runs = [];
  for (let i = 0; i < count; i++) runs.push(await timeScreen(page, url, screen));
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (mid === undefined) throw new Error("no loads");
  return { median: mid, all: runs.map((r) => r.ms) };
}

/** Scrolls the register at `url` (one account's, or every account's at /transactions). */
async function scrollRegister(page: Page, url: string): Promise<ScrollRun> {
  await page.goto(url);
  await page.locator(".register-rows > li").first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  return page.evaluate<ScrollRun>(
    `(${SCROLL_PROBE})(${JSON.stringify({ selector: ".register-viewport", target: scrollRows * ROW, step })})`,
  );
}

/** The same scroll over a plain list of 10,000 static rows as tall as the register's. */
async function scrollStaticList(page: Page, height: number): Promise<ScrollRun> {
  const rows = Array.from(
    { length: 10_000 },
    (_, i) =>
      `<li><span>2026-03-${String((i % 28) + 1).padStart(2, "0")}</span><span><b>Payee ${String(i)}</b><small>Category ${String(i % 30)}</small></span><span>cleared</span><span>-${String(i % 200)}.00 €</span></li>`,
  ).join("");
  // A blank page: the app's CSP would refuse the list's inline style.
  await page.goto("about:blank");
  await page.setContent(`<!doctype html><html><head><style>
    body { margin: 0; font: 16px system-ui, sans-serif; }
    #list { height: ${String(height)}px; overflow: auto; }
    ul { margin: 0; padding: 0; list-style: none; }
    li { height: ${String(ROW)}px; display: grid; grid-template-columns: 7rem 1fr 6rem 8rem;
      align-items: center; border-bottom: 1px solid #ddd; padding: 0 1rem; }
    li span:nth-child(2) { display: flex; flex-direction: column; }
  </style></head><body><div id="list"><ul>${rows}</ul></div></body></html>`);
  await page.waitForTimeout(500);
  return page.evaluate<ScrollRun>(
    `(${SCROLL_PROBE})(${JSON.stringify({ selector: "#list", target: scrollRows * ROW, step })})`,
  );
}

/** The columns of the scrolling table, each this wide. */
const SCROLL_COLUMNS = ["frames", "p50", "p95", "max", ">50 ms", "LoAF>50", "stalled", "s"];
const CELL = 9;

function scrollLine(name: string, run: ScrollRun): string {
  const sorted = [...run.frames].sort((a, b) => a - b);
  const cells = [
    String(run.frames.length),
    quantile(sorted, 0.5).toFixed(1),
    quantile(sorted, 0.95).toFixed(1),
    (sorted.at(-1) ?? Number.NaN).toFixed(1),
    String(run.frames.filter((f) => f > 50).length),
    run.loafSupported ? String(run.loaf.filter((d) => d > 50).length) : "n/a",
    String(run.stalled),
    run.seconds.toFixed(1),
  ];
  const details = run.longFrames.map((d) => `\n      long frame ${d}`).join("");
  return `  ${name.padEnd(36)}${cells.map((c) => c.padStart(CELL)).join("")}${details}`;
}

function apiLines(api: readonly ApiTiming[]): string[] {
  return [...api]
    .sort((a, b) => a.start - b.start)
    .map(
      (a) =>
        `    ${a.start.toFixed(0).padStart(6)} -> ${a.end.toFixed(0).padStart(6)}  (${(a.end - a.start).toFixed(0).padStart(4)} ms)  ${a.path}`,
    );
}

const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
let browser: Browser | undefined;
try {
  await ensureWebBuilt();
  const databaseUrl = postgresUrl(postgres, "postgres");
  await query(postgres, "postgres", "create database bench_empty");
  const emptyUrl = postgresUrl(postgres, "bench_empty");
  const pool = new pg.Pool({ connectionString: databaseUrl });
  await migrate(pool);
  const seedStarted = performance.now();
  // Five years up to today, so the dashboard's twelve months and this month's budgets have data.
  const from = new Date(Date.now() - 5 * 365 * 86_400_000).toISOString().slice(0, 10);
  const seeded = await seedLedger(pool, { accounts: 1, transactions, from });
  await seedMoneyFeatures(pool, seeded);
  await pool.query(
    `insert into budgets (category_id, month, amount)
     select c, date_trunc('month', current_date)::date, 5000000
     from unnest($1::bigint[]) c on conflict do nothing`,
    [seeded.categoryIds.slice(3, 13)],
  );
  // The register's baseline: an account of the same household without transactions.
  const { rows: emptyAccount } = await pool.query<{ id: string }>(
    `insert into accounts (name, type, currency, opening_balance, opening_date)
     values ('Empty account', 'checking', 'EUR', 0, current_date) returning id::text`,
  );
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await pool.end();
  // The dashboard's baseline: a household with one account and nothing in it.
  const emptyPool = new pg.Pool({ connectionString: emptyUrl });
  await migrate(emptyPool);
  await emptyPool.query(
    `insert into accounts (name, type, currency, opening_balance, opening_date)
     values ('Empty account', 'checking', 'EUR', 0, current_date)`,
  );
  await emptyPool.end();

  const start = async (url: string) => {
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const base = `http://127.0.0.1:${String(port)}`;
    startNode(new URL("../src/main.ts", import.meta.url), {
      NODE_ENV: "production",
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      SESSION_SECRET: randomBytes(32).toString("hex"),
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      BASE_URL: base,
      LOG_LEVEL: "error",
      FINTRACK_BASE_CURRENCY: "EUR",
    });
    await waitFor("the app", async () => json(await fetch(`${base}/readyz`)), {
      timeoutMs: 60_000,
    });
    await registerOwner(base);
    return base;
  };
  const [app, emptyApp] = [await start(databaseUrl), await start(emptyUrl)];

  browser = await launchBrowser();
  const page = await signedInPage(browser, app);
  const emptyPage = await signedInPage(browser, emptyApp);
  const accountId = seeded.accountIds[0] ?? "";

  const dashboard = await medianLoad(page, `${app}/`, "dashboard", loads);
  const dashboardEmpty = await medianLoad(emptyPage, `${emptyApp}/`, "dashboard", loads);
  const register = await medianLoad(page, `${app}/accounts/${accountId}`, "register", loads);
  const registerEmpty = await medianLoad(
    page,
    `${app}/accounts/${emptyAccount[0]?.id ?? ""}`,
    "register",
    loads,
  );
  // The register of every account (/transactions): the same rows with their account column.
  const allAccounts = await medianLoad(page, `${app}/transactions`, "register", loads);
  const scrolled = await scrollRegister(page, `${app}/accounts/${accountId}`);
  const scrolledAll = await scrollRegister(page, `${app}/transactions`);
  const viewportHeight = await page.evaluate<number>(
    `document.querySelector(".register-viewport").clientHeight`,
  );
  const baseline = await scrollStaticList(emptyPage, viewportHeight);
  const version = browser.version();

  const ms = (n: number) => n.toFixed(0).padStart(7);
  const list = (all: readonly number[]) => all.map((n) => n.toFixed(0)).join(", ");
  console.log(
    `\nfintrack bench:ui — ${transactions.toLocaleString("en")} transactions in one account, seeded with COPY in ${seedSeconds.toFixed(1)} s (${postgres.version}); Chromium ${version}, 1280x860`,
  );
  console.log(
    `\ndashboard: navigation start -> charts and tables showing their data (ms), median of ${String(loads)} loads`,
  );
  console.log(
    `  ${transactions.toLocaleString("en")} transactions`.padEnd(38) +
      `${ms(dashboard.median.ms)}   (${list(dashboard.all)})${dashboard.median.errors > 0 ? "  LOAD ERRORS SHOWN" : ""}`,
  );
  console.log(
    "  baseline: empty household".padEnd(38) +
      `${ms(dashboardEmpty.median.ms)}   (${list(dashboardEmpty.all)})`,
  );
  console.log("  API requests of the median load (ms since navigation start):");
  for (const line of apiLines(dashboard.median.api)) console.log(line);
  console.log("\nregister: navigation start -> first rows shown (ms), median");
  console.log(
    `  ${transactions.toLocaleString("en")} transactions`.padEnd(38) +
      `${ms(register.median.ms)}   (${list(register.all)})`,
  );
  console.log(
    "  all accounts (/transactions)".padEnd(38) +
      `${ms(allAccounts.median.ms)}   (${list(allAccounts.all)})`,
  );
  console.log(
    "  baseline: empty account".padEnd(38) +
      `${ms(registerEmpty.median.ms)}   (${list(registerEmpty.all)})`,
  );
  console.log(
    `\nregister: scrolling ${scrollRows.toLocaleString("en")} rows down, ${String(step)} px per frame (frame intervals, ms)`,
  );
  console.log(`  ${"".padEnd(36)}${SCROLL_COLUMNS.map((h) => h.padStart(CELL)).join("")}`);
  console.log(scrollLine(`register, ${transactions.toLocaleString("en")} transactions`, scrolled));
  console.log(scrollLine("all accounts (/transactions)", scrolledAll));
  console.log(scrollLine("baseline: static 10,000-row list", baseline));
  console.log(
    `  (reached ${String(Math.round(scrolled.reached / ROW))} rows; "stalled": frames waiting for the next page of rows)`,
  );
  console.log(
    "\ntargets: dashboard median <= 1000 ms; scrolling without frames over 50 ms, p95 <= 20 ms",
  );
} catch (error) {
  console.error("bench:ui failed:", error);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await stopChildren();
  await Promise.all([postgres.stop(), redis.stop()]);
  // The apps are children that would keep the event loop alive.
  process.exit();
}
