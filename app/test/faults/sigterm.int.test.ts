import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useRedisPrefix, useTestDatabase } from "../harness/database.ts";
import {
  aHousehold,
  type AppProcess,
  type Household,
  migrateDatabase,
  startAppProcess,
} from "./app-process.ts";
import {
  checkLedger,
  figuresOf,
  steadyWrites,
  type TrafficReport,
  unavailableWithoutRetryAfter,
} from "./steady-writes.ts";

// As the operator's pod runs the app, scaled down so the suite stays short: the delay while
// endpoints drop the pod, the drain of in-flight requests, and the app's own bound on aborting
// what outlived the drain (5 s, see server.ts). The pod's grace period adds headroom to these.
const delaySeconds = 1;
const drainSeconds = 4;
const abortSeconds = 5;
const exitBudgetMs = (delaySeconds + drainSeconds + abortSeconds + 2) * 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SIGTERM mid-request, under a steady stream of writes (the app as a process)", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let household: Household;
  let app: AppProcess | undefined;
  /** The lock holder of a scenario, released (rolled back) when the scenario ends. */
  let holder: pg.Client | undefined;

  const start = () =>
    startAppProcess({
      databaseUrl: db.url,
      redisUrl,
      env: {
        SHUTDOWN_DELAY_SECONDS: String(delaySeconds),
        SHUTDOWN_DRAIN_SECONDS: String(drainSeconds),
      },
    });

  beforeAll(async () => {
    await migrateDatabase(db.url);
    app = await start();
    household = await aHousehold(app.base, 2);
  });
  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    app?.kill("SIGKILL");
    app = undefined;
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
  });

  /** The headers of the owner's browser session on an unsafe request. */
  const sessionHeaders = (): Record<string, string> => ({
    cookie: household.session.cookie,
    "x-csrf-token": household.session.csrf,
  });

  /** Uploads a small CSV to the second account; answers the import's id. */
  async function uploadCsv(base: string): Promise<string> {
    const boundary = "----fintrack-faults";
    const accountId = household.accountIds[1] ?? "";
    const csv =
      "Date;Payee;Amount\n2026-01-05;Imported shop;-3.00\n2026-01-06;Imported cafe;-4.50\n";
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="accountId"\r\n\r\n${accountId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const res = await fetch(`${base}/api/v1/imports`, {
      method: "POST",
      headers: {
        ...sessionHeaders(),
        "content-type": `multipart/form-data; boundary=${boundary}`,
      },
      body,
    });
    const json = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(json)).toBe(201);
    return json.id;
  }

  /**
   * Holds a lock on the import's account, so its commit waits inside its transaction: a long
   * commit without a file of a million rows.
   */
  async function holdImportAccount(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("begin");
    await client.query("select 1 from accounts where id = $1 for update", [
      household.accountIds[1],
    ]);
    return client;
  }

  /**
   * Waits until the commit waits on the lock `lockHolder` holds; fails at once, with its answer,
   * if the commit was answered first. 30 s: a CI machine busy with other suites was slower than 10.
   */
  async function commitWaiting(
    lockHolder: pg.Client,
    committed: Promise<{ status: number | string }>,
  ): Promise<void> {
    let answered: { status: number | string } | undefined;
    void committed.then((answer) => (answered = answer));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (answered) {
        throw new Error(`the commit was answered ${String(answered.status)} before the lock`);
      }
      const { rows } = await lockHolder.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))",
      );
      if ((rows[0]?.n ?? 0) > 0) return;
      await sleep(100);
    }
    throw new Error("the commit never reached the held lock");
  }

  /** Sends the commit as the UI does; answers its status, Retry-After and time. */
  async function commit(base: string, importId: string) {
    const at = Date.now();
    try {
      const res = await fetch(`${base}/api/v1/imports/${importId}/commit`, {
        method: "POST",
        headers: {
          ...sessionHeaders(),
          "content-type": "application/json",
          "idempotency-key": `"commit-${importId}"`,
        },
        body: "{}",
      });
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get("retry-after"), at: Date.now() };
    } catch (error) {
      return { status: `cut after ${Date.now() - at} ms: ${String(error)}`, retryAfter: null };
    }
  }

  /** Exits within the budget, or fails naming how long it took so far. */
  async function exitOf(running: AppProcess, sigtermAt: number) {
    const timeout = sleep(exitBudgetMs + 1000).then(() => undefined);
    const exited = await Promise.race([running.exited, timeout]);
    if (exited === undefined)
      throw new Error(`still running ${exitBudgetMs + 1000} ms after SIGTERM`);
    return { ...exited, afterMs: exited.at - sigtermAt };
  }

  /** What every scenario asserts of the writes sent across the SIGTERM. */
  async function expectWritesSafe(label: string, report: TrafficReport, sigtermAt: number) {
    const figures = figuresOf(report);
    console.log(`fault suite, ${label}:`, JSON.stringify(figures));
    expect(await checkLedger(db.url, report)).toEqual({ lost: [], doubled: [] });
    // Each attempt was answered (201, 503 with Retry-After), or refused before it began once
    // the listener closed: none cut mid-way, none hung, none a 500.
    expect(figures.unexpected).toEqual({});
    expect(figures.timeout).toBe(0);
    // A keep-alive connection idle when the listener closes is closed with it; a request the
    // client sent on it at that very moment finds it gone (and is retried with its key).
    const closing = sigtermAt + delaySeconds * 1000;
    const cut = report.attempts.filter(
      (a) => a.outcome === "reset" && Math.abs(a.at - closing) > 300,
    );
    expect(cut).toEqual([]);
    expect(unavailableWithoutRetryAfter(report)).toEqual([]);
    // New connections were still accepted and answered during the delay.
    const duringDelay = report.attempts.filter(
      (a) => a.outcome === 201 && a.at > sigtermAt && a.at < sigtermAt + delaySeconds * 1000,
    );
    expect(duringDelay.length).toBeGreaterThan(0);
  }

  /**
   * Starts writes, then a commit that waits on a held lock, then sends SIGTERM: answers what the
   * scenario needs to finish the commit (or not) and check the outcome.
   */
  async function sigtermDuringCommit(label: string) {
    const running = app ?? (app = await start());
    const traffic = steadyWrites({
      base: running.base,
      session: household.session,
      accountId: household.accountIds[0] ?? "",
      label,
    });
    await sleep(500);
    const importId = await uploadCsv(running.base);
    const lockHolder = (holder = await holdImportAccount());
    const committed = commit(running.base, importId);
    await commitWaiting(lockHolder, committed);
    const sigtermAt = Date.now();
    running.kill("SIGTERM");
    /** Once the commit is answered: the exit, and the writes checked. */
    const ended = async () => {
      const exit = await exitOf(running, sigtermAt);
      const report = await traffic.stop(0);
      expect(exit.code, running.output()).toBe(0);
      expect(running.output()).not.toContain("Cannot use a pool");
      await expectWritesSafe(label, report, sigtermAt);
      return exit;
    };
    return { importId, lockHolder, committed, ended };
  }

  it("finishes an import commit in flight, then exits 0 at once", async () => {
    const { lockHolder, committed, ended } = await sigtermDuringCommit("sigterm-finish");
    // The commit needs 2 s more: well within the drain.
    await sleep((delaySeconds + 1) * 1000);
    await lockHolder.query("rollback");

    expect(await committed).toMatchObject({ status: 200 });
    // Once drained it exits, without waiting for the drain's deadline.
    expect((await ended()).afterMs).toBeLessThan((delaySeconds + drainSeconds) * 1000);
  }, 60_000);

  it("answers 503 to a commit that outlasts the drain, rolls it back, and exits 0 in time", async () => {
    const { importId, lockHolder, committed, ended } = await sigtermDuringCommit("sigterm-abort");
    // The lock is held past the drain: the commit cannot finish in time.
    expect(await committed).toMatchObject({ status: 503, retryAfter: "5" });
    expect((await ended()).afterMs).toBeLessThan(exitBudgetMs);
    // Nothing of it was booked, and the import can be committed again.
    const { rows } = await lockHolder.query<{ status: string; n: number }>(
      `select status, (select count(*)::int from transactions where import_id = $1) as n
       from imports where id = $1`,
      [importId],
    );
    expect(rows[0]).toEqual({ status: "uploaded", n: 0 });
  }, 60_000);
});
