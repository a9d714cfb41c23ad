// The register's rows: loaded 500 at a time by keyset cursor, newest first, and kept in step with
// what the person edits, adds, deletes or changes in bulk.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { BulkResult } from "../../components/bulk-actions.tsx";
import { api, type Page, query, type Transaction } from "../../lib/api.ts";

/** How many rows one request loads. */
const PAGE = 500;

/** The rows loaded so far and the state of the next page. */
export interface LoadedRows {
  rows: readonly Transaction[];
  /**
   * Bumped whenever `rows` change other than by a page appended at the end, so what is derived
   * from the rows page by page (the running balances) knows to start again.
   */
  epoch: number;
  next: string | null;
  loading: boolean;
  error: unknown;
}

/** Newest first, as the API orders: date descending, then id descending. */
function before(a: Transaction, b: Transaction): boolean {
  if (a.date !== b.date) return a.date > b.date;
  return BigInt(a.id) > BigInt(b.id);
}

/** `rows` with `tx` (new or edited) in its place; past the loaded rows only on the last page. */
function withSaved(
  rows: readonly Transaction[],
  tx: Transaction,
  lastPage: boolean,
): Transaction[] {
  const others = rows.filter((t) => t.id !== tx.id);
  const at = others.findIndex((t) => before(tx, t));
  // Past the loaded rows: a later page brings it, unless this was the last page.
  if (at >= 0) others.splice(at, 0, tx);
  else if (lastPage) others.push(tx);
  return others;
}

/** `rows` after a bulk action: the deleted ones gone, the changed ones replaced. */
function withBulk(rows: readonly Transaction[], result: BulkResult): Transaction[] {
  const changed = new Map(result.data.map((t) => [t.id, t]));
  const gone = new Set(result.deleted);
  return rows.filter((t) => !gone.has(t.id)).map((t) => changed.get(t.id) ?? t);
}

/**
 * Loads the transactions of `accountId` (every account's when undefined) matching the search
 * `q`, from the first page again whenever either changes (a stale answer for earlier ones is
 * dropped). `loadMore` appends the next page; `saved`, `deleted` and `bulkDone` apply a change
 * made in the register; `reload` starts again from the first page (after a bulk action by
 * filter, which may have changed any row).
 */
export function useRegisterRows(accountId: string | undefined, q: string) {
  const [data, setData] = useState<LoadedRows>({
    rows: [],
    epoch: 0,
    next: null,
    loading: true,
    error: undefined,
  });
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (cursor: string | null, reset: boolean) => {
      const gen = generation.current;
      setData((d) => ({ ...d, loading: true, error: undefined }));
      try {
        const page = await api.get<Page<Transaction>>(
          `/transactions${query({ accountId, q: q || undefined, limit: PAGE, cursor: cursor ?? undefined })}`,
        );
        if (gen !== generation.current) return;
        // An appended page keeps the epoch: the rows before it are unchanged.
        setData((d) => ({
          rows: reset ? page.data : d.rows.concat(page.data),
          epoch: reset ? d.epoch + 1 : d.epoch,
          next: page.nextCursor,
          loading: false,
          error: undefined,
        }));
      } catch (error) {
        // A failed new search shows no rows rather than the previous search's.
        if (gen === generation.current) {
          setData((d) => ({
            rows: reset ? [] : d.rows,
            epoch: reset ? d.epoch + 1 : d.epoch,
            next: reset ? null : d.next,
            loading: false,
            error,
          }));
        }
      }
    },
    [accountId, q],
  );

  useEffect(() => {
    generation.current++;
    void fetchPage(null, true);
  }, [fetchPage]);

  const { next, loading, error } = data;
  /** Loads the next page, unless one is loading, the last one is in or the last load failed. */
  const loadMore = useCallback(() => {
    if (next && !loading && error === undefined) void fetchPage(next, false);
  }, [next, loading, error, fetchPage]);
  /** Loads again what failed: the first page, or the next one. */
  const retry = () => void fetchPage(data.next, data.rows.length === 0);
  const reload = () => {
    generation.current++;
    void fetchPage(null, true);
  };

  const change = (rows: (d: LoadedRows) => readonly Transaction[]) => {
    setData((d) => ({ ...d, rows: rows(d), epoch: d.epoch + 1 }));
  };
  return {
    data,
    loadMore,
    retry,
    reload,
    saved: (tx: Transaction) => {
      change((d) => withSaved(d.rows, tx, !d.next));
    },
    deleted: (id: string) => {
      change((d) => d.rows.filter((t) => t.id !== id));
    },
    bulkDone: (result: BulkResult) => {
      change((d) => withBulk(d.rows, result));
    },
  };
}
