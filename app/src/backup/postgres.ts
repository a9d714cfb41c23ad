import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";

/**
 * The folder of the PostgreSQL client and server programs: PG_BIN_DIR when set, else the newest
 * /usr/lib/postgresql/N/bin (Debian's layout, which the official postgres image shares).
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_BIN_DIR) return env.PG_BIN_DIR;
  const root = "/usr/lib/postgresql";
  const newest = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "pg_dump")))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!newest) throw new Error("no PostgreSQL programs under /usr/lib/postgresql: set PG_BIN_DIR");
  return join(root, newest, "bin");
}

/**
 * libpq settings for a child program from a connection URL. The password goes into PGPASSWORD,
 * never onto the command line, where `ps` and error messages would show it.
 */
export function libpqEnv(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/** Masks every appearance of the URL's password in a message. */
export function redact(message: string, url: string): string {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return message;
  }
  if (!password) return message;
  return [password, decodeURIComponent(password)].reduce(
    (text, secret) => text.replaceAll(secret, "****"),
    message,
  );
}

/** A running PostgreSQL program whose exit is awaited together with the stream it feeds. */
export interface RunningProgram {
  child: ChildProcess;
  /** Resolves when the program exits 0; rejects with its stderr tail otherwise. */
  exited: Promise<void>;
}

/** Starts one of the PostgreSQL programs, keeping the tail of its stderr for the error. */
export function runProgram(
  binDir: string,
  program: string,
  args: string[],
  options: SpawnOptions = {},
): RunningProgram {
  const child = spawn(join(binDir, program), args, {
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
    env: { ...process.env, ...options.env, LC_ALL: "C" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else {
        const how = signal ? `was killed by ${signal}` : `exited ${String(code)}`;
        reject(new Error(`${program} ${how}: ${stderr.trim() || "(no output)"}`));
      }
    });
  });
  // The caller awaits `exited` at its own time; until then an early failure must not crash.
  exited.catch(() => undefined);
  return { child, exited };
}

/** `pg_dump --version` and friends: the program's version line. */
export async function programVersion(binDir: string, program: string): Promise<string> {
  const p = runProgram(binDir, program, ["--version"]);
  let out = "";
  p.child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  await p.exited;
  return out.trim();
}

/** Rows per user table, schema-qualified, sorted by name. */
export async function countRows(db: pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await db.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg_toast%' and not c.relispartition
      order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { schema, name } of rows) {
    const qualified = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const result = await db.query<{ n: string }>(`select count(*)::text as n from ${qualified}`);
    counts[`${schema}.${name}`] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

/** The highest applied app migration, or null when the database was never migrated. */
export async function schemaVersion(db: pg.ClientBase): Promise<string | null> {
  const { rows } = await db.query<{ exists: boolean }>(
    "select to_regclass('public.schema_migrations') is not null as exists",
  );
  if (!rows[0]?.exists) return null;
  const result = await db.query<{ v: string | null }>(
    "select max(version) as v from public.schema_migrations",
  );
  return result.rows[0]?.v ?? null;
}

/** The server's `server_version`, for example "15.14 (Debian 15.14-0+deb12u1)". */
export async function serverVersion(db: pg.ClientBase): Promise<string> {
  const { rows } = await db.query<{ v: string }>("select current_setting('server_version') as v");
  return rows[0]?.v ?? "unknown";
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The uid and gid of a system user, read from /etc/passwd; null when there is none. */
export function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const fields = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${name}:`))
      ?.split(":");
    return fields && fields.length >= 4 ? { uid: Number(fields[2]), gid: Number(fields[3]) } : null;
  } catch {
    return null;
  }
}
