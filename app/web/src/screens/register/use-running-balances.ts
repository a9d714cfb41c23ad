import { useMemo, useRef } from "preact/hooks";
import type { Account } from "../../lib/api.ts";
import { type RunningBalances, updateBalances } from "./running-balances.ts";
import type { LoadedRows } from "./use-register-rows.ts";

/**
 * The running balance after each loaded row, or undefined with a search (a filtered list has no
 * running balance that means something). Each page appended while scrolling is counted on from
 * the last; the rows are counted again only when they, the account or its balance change.
 */
export function useRunningBalances(
  account: Account | undefined,
  q: string,
  data: LoadedRows,
): readonly string[] | undefined {
  const counted = useRef<RunningBalances | undefined>(undefined);
  const closing = account?.balance;
  const currency = account?.currency;
  const { rows, epoch } = data;
  return useMemo(() => {
    if (closing === undefined || currency === undefined || q) return undefined;
    // The previous count is where this one carries on from, so it is kept between renders.
    counted.current = updateBalances(counted.current, { closing, currency, epoch }, rows);
    return counted.current.after;
  }, [closing, currency, q, rows, epoch]);
}
