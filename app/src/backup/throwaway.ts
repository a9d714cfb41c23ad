import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runProgram, systemUser } from "./postgres.ts";

/** A private PostgreSQL server that lives only as long as one verification. */
export interface ThrowawayPostgres {
  /** A URL of the empty database `verify`, over the server's Unix socket. */
  url: string;
  stop: () => Promise<void>;
}

/**
 * Starts a PostgreSQL server in a temporary folder, reachable only through a Unix socket there:
 * no TCP port, so nothing outside the verification Job's container can reach it, and the Job's
 * NetworkPolicy needs no rule for it. Durability is off: the data is thrown away.
 */
export async function startThrowawayPostgres(
  binDir: string,
  workDir: string = tmpdir(),
): Promise<ThrowawayPostgres> {
  const base = mkdtempSync(join(workDir, "fintrack-verify-"));
  const dataDir = join(base, "data");
  // PostgreSQL refuses to run as root; as root (tests, a hand run) use the postgres user.
  const asUser = process.getuid?.() === 0 ? systemUser("postgres") : null;
  if (process.getuid?.() === 0 && !asUser)
    throw new Error("running as root without a postgres user");
  if (asUser) chownSync(base, asUser.uid, asUser.gid);
  const ids = asUser ? { uid: asUser.uid, gid: asUser.gid } : {};
  const env = { ...process.env, LC_ALL: "C", HOME: base };
  try {
    execFileSync(
      join(binDir, "initdb"),
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      { ...ids, env, stdio: "pipe" },
    );
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String(error)}`, { cause: error });
  }
  const server = runProgram(
    binDir,
    "postgres",
    [
      "-D",
      dataDir,
      "-k",
      base,
      "-c",
      "listen_addresses=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
    ],
    { ...ids, env },
  );
  const url = `postgresql://postgres@localhost/verify?host=${encodeURIComponent(base)}`;
  const stop = async () => {
    server.child.kill("SIGINT");
    await server.exited.catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const admin = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(base)}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.child.exitCode !== null) await server.exited;
      const client = new pg.Client({ connectionString: admin });
      try {
        await client.connect();
        await client.query("create database verify");
        await client.end();
        break;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await stop();
    throw new Error(`the throwaway PostgreSQL did not start: ${String(error)}`, { cause: error });
  }
  return { url, stop };
}
