import { existsSync, writeFileSync } from "node:fs";
import { createPool } from "./pool.ts";
import { migrate } from "./migrate.ts";
import { databaseUrlFromEnv } from "./password-file.ts";
import { parseWaitSeconds, waitForPostgres } from "./wait.ts";

/**
 * `npm run migrate`: waits for PostgreSQL to accept connections (up to MIGRATE_WAIT_SECONDS,
 * 180 s by default), then applies the app's pending migrations to the database named by
 * DATABASE_URL (its password from DATABASE_PASSWORD_FILE when set), printing one line per wait,
 * one per migration and a summary; exits 1 on any failure. It never prints the URL's password,
 * not even inside an error message.
 */
async function main(env: NodeJS.ProcessEnv): Promise<number> {
  let url: string | undefined;
  try {
    url = databaseUrlFromEnv(env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  if (!url) {
    console.error(
      "DATABASE_URL is not set: point it at the app's database, e.g. postgres://fintrack:PASSWORD@db:5432/fintrack",
    );
    return 1;
  }
  let waitSeconds: number;
  try {
    waitSeconds = parseWaitSeconds(env.MIGRATE_WAIT_SECONDS);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  // While the operator rotates the password: the one being replaced, should PostgreSQL still
  // hold it (see createPool).
  const previousPassword = env.DATABASE_PASSWORD_PREVIOUS;
  const redact = redactor(url, previousPassword);
  console.log(`migrating ${describeTarget(url)}`);
  const pool = createPool(
    {
      connectionString: url,
      max: 2,
      application_name: "fintrack-migrate",
      connectionTimeoutMillis: 15_000,
    },
    (message) => {
      console.log(redact(`a PostgreSQL connection failed: ${message}`));
    },
    previousPassword,
  );
  try {
    await waitForPostgres({
      connect: async () => {
        (await pool.connect()).release();
      },
      limitMs: waitSeconds * 1000,
      target: hostAndPort(url),
      log: (line) => {
        console.log(redact(line));
      },
    });
    const result = await migrate(pool, {
      log: (message) => {
        console.log(redact(message));
      },
    });
    const count = result.applied.length;
    const what =
      count === 0 ? "nothing to apply" : `${count} migration${count === 1 ? "" : "s"} applied`;
    console.log(`done: ${what}, database at ${result.current}`);
    return 0;
  } catch (error) {
    const line = `migration failed: ${redact(error instanceof Error ? error.message : String(error))}`;
    console.error(line);
    writeTerminationLog(line, env);
    return 1;
  } finally {
    await pool.end();
  }
}

/**
 * The failure line goes to the container's termination log too: the operator shows it in the
 * tenant's status, and under `npm run` the log's last lines are npm's, not ours. Best effort.
 */
function writeTerminationLog(line: string, env: NodeJS.ProcessEnv): void {
  const path =
    env.MIGRATE_TERMINATION_LOG ??
    (existsSync("/dev/termination-log") ? "/dev/termination-log" : undefined);
  if (!path) return;
  try {
    writeFileSync(path, `${line}\n`);
  } catch {
    // Nothing to report it to: stderr already has the line.
  }
}

/** host:port, for the lines printed while waiting. */
function hostAndPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
  } catch {
    return "the host in DATABASE_URL";
  }
}

/** user@host:port/database, for log lines; never the password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
    const port = parsed.port ? `:${parsed.port}` : "";
    return `${user}${parsed.hostname || "localhost"}${port}${parsed.pathname}`;
  } catch {
    return "the database in DATABASE_URL";
  }
}

/** Masks the URL's password, raw or percent-decoded, wherever it appears in a message. */
function redactor(url: string, previousPassword = ""): (message: string) => string {
  let secrets: string[] = [previousPassword].filter((s) => s.length > 0);
  try {
    const { password } = new URL(url);
    secrets = [...secrets, password, safeDecode(password)].filter((s) => s.length > 0);
  } catch {
    // Not a URL: nothing we can parse out, and describeTarget does not echo it either.
  }
  return (message) => secrets.reduce((text, secret) => text.replaceAll(secret, "****"), message);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

process.exitCode = await main(process.env);
