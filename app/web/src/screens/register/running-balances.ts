// The register's running balances, counted page by page: the newest row ends at the account's
// balance and each older one is the newer one's minus its amount. A page of rows appended while
// scrolling is counted on from where the last page ended, so no row is counted twice; anything
// else (another account or balance, an edited, added or deleted row) counts them all again.
// Exact: bigint minor units, decimal strings out, never floats.
import { exponentOf, fromMinor, toMinor } from "../../lib/money.ts";

/** What the balances are counted from; a change in any of these counts every row again. */
export interface BalanceSource {
  /** The account's balance now: the balance after its newest row. */
  closing: string;
  currency: string;
  /**
   * Bumped whenever the rows change other than by a page appended at the end (a new search, an
   * edit, an insert, a delete), so balances counted before it are no longer those of the rows.
   */
  epoch: number;
}

/** Running balances of the first `after.length` rows of a register. */
export interface RunningBalances {
  readonly source: BalanceSource;
  /** The balance after each counted row, newest first, as the API's decimal strings. */
  readonly after: readonly string[];
  /** The balance before the oldest counted row, in minor units: where the next page starts. */
  readonly carry: bigint;
}

function sameSource(a: BalanceSource, b: BalanceSource): boolean {
  return a.closing === b.closing && a.currency === b.currency && a.epoch === b.epoch;
}

/** `balances` counted on over `page`, the rows that follow those already counted. */
export function appendBalances(
  balances: RunningBalances,
  page: readonly { amount: string }[],
): RunningBalances {
  const exponent = exponentOf(balances.source.currency);
  let running = balances.carry;
  const after = page.map((t) => {
    const here = running;
    // An amount that cannot be read counts as zero, as it always has.
    running -= toMinor(t.amount, exponent) ?? 0n;
    return fromMinor(here, exponent);
  });
  return { source: balances.source, after: balances.after.concat(after), carry: running };
}

/** The running balances of `rows` (newest first) from `source`, counted from scratch. */
export function countBalances(
  source: BalanceSource,
  rows: readonly { amount: string }[],
): RunningBalances {
  const start = toMinor(source.closing, exponentOf(source.currency)) ?? 0n;
  return appendBalances({ source, after: [], carry: start }, rows);
}

/**
 * The running balances of `rows`: `previous` counted on over the rows appended since, when it
 * was counted from the same source over a prefix of these rows; otherwise counted from scratch.
 * Scrolling through N pages so costs each row once, not N times.
 */
export function updateBalances(
  previous: RunningBalances | undefined,
  source: BalanceSource,
  rows: readonly { amount: string }[],
): RunningBalances {
  if (
    previous === undefined ||
    !sameSource(previous.source, source) ||
    previous.after.length > rows.length
  ) {
    return countBalances(source, rows);
  }
  if (previous.after.length === rows.length) return previous;
  return appendBalances(previous, rows.slice(previous.after.length));
}
