// Test fixture for the fault suite: the app as production runs it, a child process of main.ts
// (npm start), on a migrated database of its own, with a signed-in owner and accounts to book on.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrate } from "../../src/db/migrate.ts";
import { ApiClient, registerOwner } from "../harness/client.ts";
import { freePort, waitFor } from "../harness/process.ts";

const mainTs = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** A running app process: where it answers, its whole output, and how it ended. */
export interface AppProcess {
  base: string;
  pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  /** Settles when the process exits, with its code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill: (signal: NodeJS.Signals) => void;
  /** Whether the process is still running. */
  alive: () => boolean;
}

/**
 * Starts main.ts as `npm start` does, with `env` on top of the connection settings, and waits
 * until /readyz answers 200. The process is killed (SIGKILL) if it never gets ready.
 */
export async function startAppProcess(options: {
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [mainTs], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      SESSION_SECRET: "f".repeat(48),
      HOST: "127.0.0.1",
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: "warn",
      FINTRACK_SIGNUP: "open",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.once("exit", (code, signal) => {
        resolve({ code, signal, at: Date.now() });
      });
    },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `the app on port ${port}`,
      async () => {
        const res = await fetch(`${base}/readyz`);
        if (res.status !== 200) throw new Error(`/readyz answered ${res.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 200, alive: () => child.exitCode === null },
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${String(error)}\n${output}`, { cause: error });
  }
  return {
    base,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    kill: (signal) => child.kill(signal),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Migrates `databaseUrl` with its own short-lived pool, as `npm run migrate` does. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
}

/** The household a fault scenario books into: its owner, signed in by cookie, and accounts. */
export interface Household {
  /** Signed in as the owner by session cookie, as the browser UI is. */
  owner: ApiClient;
  /** The Cookie and X-CSRF-Token headers of the owner's session, for the suite's own requests. */
  session: { cookie: string; csrf: string };
  accountIds: string[];
}

/** Registers the first user (the owner) of a fresh database and opens `accounts` cash accounts. */
export async function aHousehold(base: string, accounts = 1): Promise<Household> {
  const owner = new ApiClient(base);
  await registerOwner(owner);
  const accountIds: string[] = [];
  for (let i = 0; i < accounts; i++) {
    const res = await owner.post<{ id: string }>("/accounts", {
      name: `Faults ${String(i + 1)}`,
      type: "cash",
      currency: "EUR",
      openingDate: "2026-01-01",
    });
    if (res.status !== 201) throw new Error(`opening an account answered ${res.status}`);
    accountIds.push(res.body.id);
  }
  const value = owner.sessionCookie;
  if (value === undefined) throw new Error("registering the owner set no session cookie");
  // Over http the cookie has its plain name (the __Host- prefix needs https).
  const cookie = `fintrack_session=${value}`;
  return { owner, session: { cookie, csrf: await owner.csrfToken() }, accountIds };
}
