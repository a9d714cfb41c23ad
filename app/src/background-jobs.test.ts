import type pg from "pg";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OwnerBootstrap } from "./auth/owner-bootstrap.ts";
import { startBackgroundJobs } from "./background-jobs.ts";
import { inFlight } from "./in-flight.ts";

/** A pool whose every query waits until `answer` settles it, with `failure` or with no rows. */
function heldPool(): { pool: pg.Pool; queries: () => number; answer: (failure?: Error) => void } {
  const pending: { resolve: (value: { rows: [] }) => void; reject: (error: Error) => void }[] = [];
  const pool = {
    query: () =>
      new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  } as unknown as pg.Pool;
  return {
    pool,
    queries: () => pending.length,
    answer: (failure) => {
      for (const query of pending.splice(0)) {
        if (failure) query.reject(failure);
        else query.resolve({ rows: [] });
      }
    },
  };
}

/** An owner whose creation retries until it is stopped. */
function retryingOwner(): OwnerBootstrap {
  return {
    run: (stop) =>
      new Promise((resolve) => {
        stop.addEventListener("abort", () => {
          resolve();
        });
      }),
    readiness: { name: "owner", check: () => Promise.resolve() },
  };
}

function collectingLog(): { log: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const log = pino(
    { level: "info" },
    {
      write: (line: string) => {
        messages.push((JSON.parse(line) as { msg: string }).msg);
      },
    },
  );
  return { log, messages };
}

describe("startBackgroundJobs", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs housekeeping 5 s after start, then every 5 minutes", async () => {
    const db = heldPool();
    const jobs = startBackgroundJobs({
      db: db.pool,
      log: pino({ enabled: false }),
      work: inFlight(),
      owner: undefined,
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(db.queries()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    // Posting bills and cleaning up imports, one query each to begin with.
    expect(db.queries()).toBe(2);
    db.answer();
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 5_000);
    expect(db.queries()).toBe(2);
    jobs.stop();
  });

  it("counts every run in the shutdown's tracker until it settles, and logs why one failed", async () => {
    const db = heldPool();
    const { log, messages } = collectingLog();
    const work = inFlight();
    const jobs = startBackgroundJobs({ db: db.pool, log, work, owner: retryingOwner() });
    expect(work.count()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(work.count()).toBe(3);
    db.answer(new Error("database away"));
    await vi.advanceTimersByTimeAsync(0);
    expect(work.count()).toBe(1);
    expect(messages).toEqual([
      "cannot post recurring bills yet",
      "cannot clean up stale imports yet",
    ]);
    jobs.stop();
  });

  it("starts no run once stopped, and ends the owner's retries", async () => {
    const db = heldPool();
    const work = inFlight();
    const jobs = startBackgroundJobs({
      db: db.pool,
      log: pino({ enabled: false }),
      work,
      owner: retryingOwner(),
    });
    jobs.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(db.queries()).toBe(0);
    expect(work.count()).toBe(0);
  });

  it("fetches reference rates 5 s after start and every 6 hours when configured, logging failures", async () => {
    const db = heldPool();
    const { log, messages } = collectingLog();
    let calls = 0;
    const referenceRates = () => {
      calls += 1;
      return calls === 1 ? Promise.resolve({ stored: 31 }) : Promise.reject(new Error("HTTP 500"));
    };
    const jobs = startBackgroundJobs({
      db: db.pool,
      log,
      work: inFlight(),
      owner: undefined,
      referenceRates,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
    db.answer();
    await vi.advanceTimersByTimeAsync(6 * 60 * 60_000 - 5_000 - 1);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(messages.filter((m) => m.includes("reference rates"))).toEqual([
      "reference rates fetched",
      "cannot fetch reference rates yet",
    ]);
    jobs.stop();
    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(calls).toBe(2);
  });
});
