import pg from "pg";

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
