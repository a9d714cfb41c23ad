import type pg from "pg";
import type { Logger } from "pino";
import type { OwnerBootstrap } from "./auth/owner-bootstrap.ts";
import type { InFlight } from "./in-flight.ts";
import { cleanUpImports } from "./write-model/import-cleanup.ts";
import { postDueOccurrences } from "./write-model/recurring-occurrences.ts";

/** How often housekeeping runs: often enough that a replica starting late in the day catches up. */
const HOUSEKEEPING_EVERY_MS = 5 * 60_000;
/** The first housekeeping run, a moment after start rather than a whole beat later. */
const FIRST_HOUSEKEEPING_MS = 5_000;
/**
 * How often the reference rates are fetched when that is on: the ECB publishes once a working
 * day around 16:00 CET, so a few times a day picks each day's up the same day without hammering.
 */
const REFERENCE_RATES_EVERY_MS = 6 * 60 * 60_000;

/** What the background jobs need from the server that starts them. */
export interface BackgroundJobDeps {
  db: pg.Pool;
  log: Logger;
  /** The shutdown's tracker: every run is counted in it, and drained with the requests. */
  work: InFlight;
  /** The configured owner, created (and retried) in the background when there is one. */
  owner: OwnerBootstrap | undefined;
  /**
   * Fetches and stores the reference rates (FINTRACK_FX_FETCH_DAILY with a source), answering
   * how many were stored; undefined when the background fetch is off.
   */
  referenceRates?: (() => Promise<{ stored: number }>) | undefined;
}

/** The running background jobs. */
export interface BackgroundJobs {
  /**
   * Starts no new run and ends the owner's retries. It does not wait for runs already going:
   * those are in `work`, which the shutdown drains under the same deadline as the requests.
   */
  stop: () => void;
}

/**
 * Starts the work the app does without a request: creating the configured owner (retried until
 * it exists), on a fixed beat, posting bills that fell due and freeing stale import files, and,
 * when configured, fetching the reference rates a few times a day. Each is safe on every replica
 * at once, so there is no leader to elect.
 */
export function startBackgroundJobs(deps: BackgroundJobDeps): BackgroundJobs {
  const { db, log, work, owner, referenceRates } = deps;
  const stopping = new AbortController();
  if (owner) void work.track(owner.run(stopping.signal));
  const housekeeping = () => {
    postBills(db, log, work);
    cleanImports(db, log, work);
  };
  const beat = setInterval(housekeeping, HOUSEKEEPING_EVERY_MS);
  beat.unref();
  const first = setTimeout(housekeeping, FIRST_HOUSEKEEPING_MS);
  first.unref();
  const timers: NodeJS.Timeout[] = [];
  if (referenceRates) {
    const rates = () => {
      fetchRates(referenceRates, log, work);
    };
    timers.push(
      setInterval(rates, REFERENCE_RATES_EVERY_MS),
      setTimeout(rates, FIRST_HOUSEKEEPING_MS),
    );
    for (const timer of timers) timer.unref();
  }
  return {
    stop: () => {
      stopping.abort();
      clearInterval(beat);
      clearTimeout(first);
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

/** Stores the day's reference rates; a source that fails is retried at the next beat. */
function fetchRates(
  referenceRates: () => Promise<{ stored: number }>,
  log: Logger,
  work: InFlight,
): void {
  work.track(referenceRates()).then(
    ({ stored }) => {
      log.info({ stored }, "reference rates fetched");
    },
    (error: unknown) => {
      log.warn({ error: messageOf(error) }, "cannot fetch reference rates yet");
    },
  );
}

/** Books the bills due today; whichever replica gets there first posts each one. */
function postBills(db: pg.Pool, log: Logger, work: InFlight): void {
  work.track(postDueOccurrences(db, new Date().toISOString().slice(0, 10))).then(
    (posted) => {
      if (posted.length > 0) log.info({ posted: posted.length }, "recurring bills posted");
    },
    (error: unknown) => {
      log.warn({ error: messageOf(error) }, "cannot post recurring bills yet");
    },
  );
}

/** Frees the stored files of uploads nobody finishes or commits, in one statement. */
function cleanImports(db: pg.Pool, log: Logger, work: InFlight): void {
  work.track(cleanUpImports(db)).then(
    ({ deleted, expired }) => {
      if (deleted + expired > 0) log.info({ deleted, expired }, "stale imports cleaned up");
    },
    (error: unknown) => {
      log.warn({ error: messageOf(error) }, "cannot clean up stale imports yet");
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
