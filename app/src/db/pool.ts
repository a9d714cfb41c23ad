import pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
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
  previousPassword?: string,
): pg.Pool {
  const pool = previousPassword
    ? new RotatingPasswordPool(config, previousPassword)
    : new pg.Pool(config);
  pool.on("connect", (client) => {
    client.on("error", (error: Error) => {
      problem(error.message, "checked out");
    });
  });
  pool.on("error", (error) => {
    problem(error.message, "idle");
  });
  const checkedOut = new Set<pg.PoolClient>();
  pool.on("acquire", (client) => {
    checkedOut.add(client);
  });
  pool.on("release", (_error, client) => {
    checkedOut.delete(client);
  });
  pool.on("remove", (client) => {
    checkedOut.delete(client);
  });
  checkedOutOf.set(pool, checkedOut);
  return pool;
}

/** The clients of each pool createPool made that its callers hold right now. */
const checkedOutOf = new WeakMap<pg.Pool, ReadonlySet<pg.PoolClient>>();

/** The server process behind a client; pg sets it at connect but does not declare it. */
function backendPid(client: pg.PoolClient): number | undefined {
  const pid: unknown = Reflect.get(client, "processID");
  return typeof pid === "number" ? pid : undefined;
}

/**
 * Ends the sessions of every client checked out of `pool` (which createPool made), from a
 * connection of its own: their transactions roll back, their current and next queries fail
 * (SQLSTATE 57P01, answered 503), and their callers release them. This is how a shutdown ends
 * work that outlasted its drain without touching the pool after its end. Answers how many.
 */
export async function terminateCheckedOut(pool: pg.Pool): Promise<number> {
  const pids = [...(checkedOutOf.get(pool) ?? [])].flatMap((c) => backendPid(c) ?? []);
  if (pids.length === 0) return 0;
  const admin = new pg.Client(pool.options);
  admin.on("error", () => undefined); // its query below fails with the same error
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ended: number }>(
      "select count(*) filter (where pg_terminate_backend(pid))::int as ended from unnest($1::int[]) pid",
      [pids],
    );
    return rows[0]?.ended ?? 0;
  } finally {
    await admin.end();
  }
}

/** PostgreSQL's SQLSTATE for a refused password (invalid_password). */
const invalidPassword = "28P01";

/**
 * A pool that knows two passwords while the operator rotates them: the Secret's new one, which
 * PostgreSQL accepts only once the rotation's last step has run, and the one it replaces, which
 * PostgreSQL accepts until then. A connection refused with one password is opened again with the
 * other, so no request fails on either side of the switch. Open connections are unaffected:
 * PostgreSQL checks the password only when a connection starts.
 */
class RotatingPasswordPool extends pg.Pool {
  /** Which of the two passwords new connections use; shared with the password function. */
  private readonly choice: { active: 0 | 1 };

  constructor(config: pg.PoolConfig, previousPassword: string) {
    // The URL is taken apart here because pg lets a URL's password (even none) override the
    // password function; pg calls that for every new connection, so a switch applies to the next.
    const { connectionString, ...rest } = config;
    const fromUrl = connectionString ? parseIntoClientConfig(connectionString) : {};
    const current = fromUrl.password ?? rest.password;
    const passwords = [typeof current === "string" ? current : "", previousPassword] as const;
    const choice: { active: 0 | 1 } = { active: 0 };
    super({ ...rest, ...fromUrl, password: () => passwords[choice.active] });
    this.choice = choice;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: () => void) => void,
  ): void;
  override connect(
    callback?: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: () => void,
    ) => void,
  ): Promise<pg.PoolClient> | undefined {
    const connected = this.connectEitherPassword();
    if (!callback) return connected;
    // pg-pool's own query() checks out clients through this callback form.
    connected.then(
      (client) => {
        callback(undefined, client, () => {
          client.release();
        });
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), undefined, () => {
          /* nothing was checked out */
        });
      },
    );
    return undefined;
  }

  private async connectEitherPassword(): Promise<pg.PoolClient> {
    const tried = this.choice.active;
    try {
      return await super.connect();
    } catch (error) {
      if ((error as { code?: unknown }).code !== invalidPassword) throw error;
      // Only the first of several connections refused together switches, and back again after
      // the rotation: the password that works is whichever the last refusal was not.
      if (this.choice.active === tried) this.choice.active = tried === 0 ? 1 : 0;
      return await super.connect();
    }
  }
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
