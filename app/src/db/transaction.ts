import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

/** Work that must commit together with a request's write: run by its first SQL transaction. */
export type TransactionHook = (client: pg.PoolClient) => Promise<void>;

interface HookState {
  hook: TransactionHook | undefined;
  committed: boolean;
}

const firstTransaction = new AsyncLocalStorage<HookState>();

/**
 * Makes `hook` run at the start of the first SQL transaction that work given to `run` opens
 * with withTransaction, committing or rolling back with it; a transaction that rolls back hands
 * the hook on to the next one. This is how a request's bookkeeping (its idempotency key) lands
 * in the same transaction as its write without every service passing it along. `committed()`
 * says whether a transaction carrying the hook has committed, also once the work has thrown.
 */
export function firstTransactionHook(hook: TransactionHook): {
  run: <T>(work: () => Promise<T>) => Promise<T>;
  committed: () => boolean;
} {
  const state: HookState = { hook, committed: false };
  return {
    run: (work) => firstTransaction.run(state, work),
    committed: () => state.committed,
  };
}

/**
 * Runs the current request's pending hook, if any, inside the transaction of `client`; returns
 * what puts it back should that transaction roll back, and marks it committed otherwise.
 */
async function runHook(
  client: pg.PoolClient,
): Promise<{ committed: () => void; rolledBack: () => void } | undefined> {
  const state = firstTransaction.getStore();
  const hook = state?.hook;
  if (state === undefined || hook === undefined) return undefined;
  // Taken before it runs: a second transaction opened meanwhile must not run it too.
  state.hook = undefined;
  const rolledBack = () => {
    state.hook ??= hook;
  };
  try {
    await hook(client);
  } catch (error) {
    rolledBack();
    throw error;
  }
  return {
    committed: () => {
      state.committed = true;
    },
    rolledBack,
  };
}

/**
 * Runs `work` inside one SQL transaction on one pooled connection: committed when it returns,
 * rolled back when it throws. A failed rollback means a broken connection, which is discarded.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let hooked: Awaited<ReturnType<typeof runHook>> = undefined;
  try {
    await client.query("begin");
    hooked = await runHook(client);
    const result = await work(client);
    await client.query("commit");
    hooked?.committed();
    return result;
  } catch (error) {
    hooked?.rolledBack();
    await client.query("rollback").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

function pgCode(error: unknown): { code: string; constraint: string | undefined } | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const constraint =
    "constraint" in error && typeof error.constraint === "string" ? error.constraint : undefined;
  return { code: String(error.code), constraint };
}

/** Whether `error` is PostgreSQL's unique violation, of `constraint` when given. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const found = pgCode(error);
  return found?.code === "23505" && (constraint === undefined || found.constraint === constraint);
}

/** Whether `error` is PostgreSQL's foreign key violation (a referenced row vanished meanwhile). */
export function isForeignKeyViolation(error: unknown): boolean {
  return pgCode(error)?.code === "23503";
}
