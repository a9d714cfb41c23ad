import pg from "pg";
import type { Timeouts } from "../config.ts";

/** What the pool reports when a connection dies; never the connection string. */
export type ConnectionProblem = (message: string, where: "idle" | "checked out") => void;

/**
 * The app's PostgreSQL pool, safe against the server going away. pg emits `error` on a client
 * whose connection dies between two queries; the pool listens only while a client is idle, so a
 * checked-out client (a transaction awaiting argon2, a streaming export) would raise it unhandled
 * and kill the process when PostgreSQL restarts. Every client gets a listener of its own at birth;
 * the dead client's next query fails, its caller rolls back, and the pool discards it.
 */
export function createPool(
  config: pg.PoolConfig,
  problem: ConnectionProblem = () => undefined,
): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("connect", (client) => {
    client.on("error", (error: Error) => {
      problem(error.message, "checked out");
    });
  });
  pool.on("error", (error) => {
    problem(error.message, "idle");
  });
  return pool;
}

/**
 * The pool settings that bound every wait on PostgreSQL. The two server-side limits travel in the
 * startup packet, so each connection has them before its first query: a frozen server or a
 * forgotten transaction ends in an error (a 503) rather than a request that hangs, or a write
 * the client gave up on committing later. Migrations, backups and restores open their own
 * connections without them.
 */
export function boundedPoolConfig(
  timeouts: Pick<Timeouts, "statementMs" | "idleInTransactionMs" | "databaseConnectMs">,
): Pick<
  pg.PoolConfig,
  "statement_timeout" | "idle_in_transaction_session_timeout" | "connectionTimeoutMillis"
> {
  return {
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    connectionTimeoutMillis: timeouts.databaseConnectMs,
  };
}

/** How long one import or export transaction may run, and wait on its HTTP peer in between. */
export const LONG_WORK_TIMEOUT = "15min";

/**
 * Raises the pool's limits for the rest of the current transaction (SET LOCAL): a whole-household
 * export waits on a slow download between fetches, an import COPYs a large file in one statement.
 * Still bounded, so a stuck one frees its connection in the end.
 */
export async function allowLongWork(client: pg.ClientBase): Promise<void> {
  await client.query(
    `select set_config('statement_timeout', $1, true),
            set_config('idle_in_transaction_session_timeout', $1, true)`,
    [LONG_WORK_TIMEOUT],
  );
}
