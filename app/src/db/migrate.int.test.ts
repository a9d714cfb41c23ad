import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { useTestDatabase, type TestDatabase } from "../../test/harness/database.ts";
import { query, startPostgres, type PostgresServer } from "../../test/harness/postgres.ts";
import { freePort, waitFor } from "../../test/harness/process.ts";
import { migrate, migrationsDir, pendingMigrations, schemaStatus } from "./migrate.ts";

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** The migrations this build ships, in order, and the version they bring a database to. */
const shipped = readdirSync(migrationsDir)
  .filter((f) => f.endsWith(".sql"))
  .sort();
const latest = (shipped.at(-1) ?? "").slice(0, 4);

/**
 * A migrations folder holding the first shipped migration plus `extra` files: the runner's
 * mechanics are tested on a fixed base, whatever later migrations the app gains.
 */
function migrationsWith(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "fintrack-migrations-"));
  tempDirs.push(dir);
  cpSync(join(migrationsDir, "0001_initial.sql"), join(dir, "0001_initial.sql"));
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return dir;
}

/** A pool on the file's test database, closed after the describe block. */
function usePool(db: TestDatabase): () => pg.Pool {
  let pool: pg.Pool | undefined;
  afterAll(async () => {
    await pool?.end();
  });
  return () => {
    pool ??= new pg.Pool({ connectionString: db.url, max: 4 });
    return pool;
  };
}

async function recorded(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ version: string }>(
    "select version from schema_migrations order by version",
  );
  return rows.map((r) => r.version);
}

async function tableExists(pool: pg.Pool, table: string): Promise<boolean> {
  const { rows } = await pool.query<{ exists: boolean }>(
    "select to_regclass($1) is not null as exists",
    [table],
  );
  return rows[0]?.exists ?? false;
}

describe("migrate on an empty database", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("applies every migration and records its version, name and checksum", async () => {
    const messages: string[] = [];
    const result = await migrate(pool(), { log: (m) => messages.push(m) });

    expect(result).toEqual({ applied: shipped, current: latest });
    expect(messages).toHaveLength(shipped.length);
    shipped.forEach((file, i) => {
      expect(messages[i]).toMatch(new RegExp(`^applied ${file} in \\d+ ms$`));
    });
    const { rows } = await pool().query<{ version: string; name: string; checksum: string }>(
      "select version, name, checksum from schema_migrations where applied_at is not null order by version",
    );
    expect(rows).toEqual(
      shipped.map((file) => ({
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        checksum: createHash("sha256")
          .update(readFileSync(join(migrationsDir, file)))
          .digest("hex"),
      })),
    );
  });

  it("applies nothing when run again", async () => {
    expect(await migrate(pool())).toEqual({ applied: [], current: latest });
    expect(await recorded(pool())).toEqual(shipped.map((f) => f.slice(0, 4)));
  });

  it("creates users with case-insensitive unique emails and a closed set of roles", async () => {
    const insert = "insert into users (email, name, password_hash, role) values ($1, $2, $3, $4)";
    await pool().query(insert, ["Ada@example.com", "Ada", "hash", "owner"]);
    await expect(
      pool().query(insert, ["ada@EXAMPLE.com", "Ada", "hash", "member"]),
    ).rejects.toThrow(/users_email_lower_key/);
    await expect(pool().query(insert, ["bob@example.com", "Bob", "hash", "admin"])).rejects.toThrow(
      /users_role_check/,
    );
    const { rows } = await pool().query<{ id: string; created_at: Date }>(
      "select id, created_at from users",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.created_at).toBeInstanceOf(Date);
  });
});

describe("migrate from several replicas at once", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("applies each migration exactly once while every caller succeeds", async () => {
    // Neither file is idempotent: applied twice, the second create or the count would show it.
    const dir = migrationsWith({
      "0002_runs.sql": "create table runs (n int not null);\ninsert into runs values (1);\n",
    });
    const pools = Array.from(
      { length: 5 },
      () => new pg.Pool({ connectionString: db.url, max: 2 }),
    );
    try {
      const results = await Promise.allSettled(pools.map((p) => migrate(p, { dir })));
      const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
      expect(failures).toEqual([]);
      const applied = results.flatMap((r) => (r.status === "fulfilled" ? r.value.applied : []));
      expect(applied.sort()).toEqual(["0001_initial.sql", "0002_runs.sql"]);
      expect(await recorded(pool())).toEqual(["0001", "0002"]);
      const { rows } = await pool().query<{ count: string }>("select count(*) from runs");
      expect(rows[0]?.count).toBe("1");
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe("a failing migration", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("rolls back entirely, is not recorded and is named in the error", async () => {
    const dir = migrationsWith({
      "0002_widgets.sql":
        "create table widgets (id int);\ninsert into widgets values (1);\nselect * from no_such_table;\n",
    });
    await expect(migrate(pool(), { dir })).rejects.toThrow(
      /migration 0002_widgets\.sql failed at line 3: relation "no_such_table" does not exist/,
    );
    expect(await tableExists(pool(), "widgets")).toBe(false);
    expect(await recorded(pool())).toEqual(["0001"]);

    // Fixed, it applies: the failure left no record behind and released the lock.
    writeFileSync(join(dir, "0002_widgets.sql"), "create table widgets (id int);\n");
    expect(await migrate(pool(), { dir })).toEqual({
      applied: ["0002_widgets.sql"],
      current: "0002",
    });
    expect(await tableExists(pool(), "widgets")).toBe(true);
  });
});

describe("an applied migration edited afterwards", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("is refused before anything else is applied", async () => {
    const dir = migrationsWith();
    await migrate(pool(), { dir });
    appendFileSync(
      join(dir, "0001_initial.sql"),
      "\nalter table users add column nickname text;\n",
    );
    writeFileSync(join(dir, "0002_accounts.sql"), "create table accounts (id int);\n");

    await expect(migrate(pool(), { dir })).rejects.toThrow(
      /migration 0001_initial\.sql was changed after it was applied/,
    );
    await expect(pendingMigrations(pool(), dir)).rejects.toThrow(/0001_initial\.sql was changed/);
    expect(await tableExists(pool(), "accounts")).toBe(false);
    expect(await recorded(pool())).toEqual(["0001"]);
  });
});

describe("a database ahead of the code", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("is refused, and reported as not up to date", async () => {
    const newer = migrationsWith();
    cpSync(migrationsDir, newer, { recursive: true });
    writeFileSync(join(newer, "9998_widgets.sql"), "create table widgets (id int);\n");
    writeFileSync(join(newer, "9999_gadgets.sql"), "create table gadgets (id int);\n");
    await migrate(pool(), { dir: newer });

    await expect(migrate(pool())).rejects.toThrow(
      `database is at 9999 but this build only knows up to ${latest}`,
    );
    expect(await schemaStatus(pool())).toEqual({
      current: "9999",
      latest,
      pending: [],
      upToDate: false,
    });
  });
});

describe("schemaStatus and pendingMigrations", () => {
  const db = useTestDatabase();
  const pool = usePool(db);

  it("report pending migrations, then current ones once migrated", async () => {
    expect(await schemaStatus(pool())).toEqual({
      current: null,
      latest,
      pending: shipped,
      upToDate: false,
    });
    expect(await pendingMigrations(pool())).toEqual(shipped);

    await migrate(pool());

    expect(await schemaStatus(pool())).toEqual({
      current: latest,
      latest,
      pending: [],
      upToDate: true,
    });
    expect(await pendingMigrations(pool())).toEqual([]);
  });
});

describe("the migrate command", () => {
  const db = useTestDatabase();
  const server = inject("postgres");
  const role = `migrator_${randomBytes(4).toString("hex")}`;
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const cli = fileURLToPath(new URL("./migrate-cli.ts", import.meta.url));
  const urlFor = (database: string) =>
    `postgres://${role}:${password}@${server.host}:${server.port}/${database}`;

  beforeAll(async () => {
    await query(server, "postgres", `create role ${role} login password '${password}'`);
    await query(server, "postgres", `alter database ${db.name} owner to ${role}`);
  });
  afterAll(async () => {
    await query(server, db.name, `reassign owned by ${role} to ${server.user}`);
    await query(server, db.name, `drop owned by ${role}`);
    await query(server, "postgres", `drop role ${role}`);
  });

  it("applies the migrations, reports them and never prints the password", async () => {
    const run = await runCli(cli, { DATABASE_URL: urlFor(db.name) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^migrating ${role}@${server.host}:${server.port}/${db.name}\\n` +
          shipped.map((file) => `applied ${file.replace(".", "\\.")} in \\d+ ms\\n`).join("") +
          `done: ${shipped.length} migrations applied, database at ${latest}\\n$`,
      ),
    );
    expect(run.stdout + run.stderr).not.toContain(password);

    const again = await runCli(cli, { DATABASE_URL: urlFor(db.name) });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`done: nothing to apply, database at ${latest}`);
  });

  it("exits 1 on failure without printing the password", async () => {
    const run = await runCli(cli, { DATABASE_URL: urlFor(`${db.name}_missing`) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^migration failed: .*does not exist/m);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it("exits 1 with a clear message when DATABASE_URL is missing", async () => {
    const run = await runCli(cli, { DATABASE_URL: undefined });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DATABASE_URL is not set");
  });
});

describe("the migrate command before PostgreSQL accepts connections", () => {
  const cli = fileURLToPath(new URL("./migrate-cli.ts", import.meta.url));
  const password = `pw-${randomBytes(12).toString("hex")}`;
  let server: PostgresServer | undefined;
  const started = () => {
    if (!server) throw new Error("the test server did not start");
    return server;
  };
  const urlWith = (secret: string) => {
    const { host, port } = started();
    return `postgres://migrator:${secret}@${host}:${port}/ledger`;
  };

  // A server of its own, as production runs it: passwords checked, and stopped and started at will.
  beforeAll(async () => {
    server = await startPostgres(undefined, { passwordAuth: true });
    await query(server, "postgres", `create role migrator login password '${password}'`);
    await query(server, "postgres", "create database ledger owner migrator");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("waits for PostgreSQL to start, then migrates", async () => {
    const db = started();
    await db.halt();
    const cli$ = startCli(cli, { DATABASE_URL: urlWith(password), MIGRATE_WAIT_SECONDS: "60" });
    const waiting = `waiting for PostgreSQL at ${db.host}:${db.port}: connect ECONNREFUSED (attempt 2, `;
    await waitFor("the command to wait twice", () =>
      cli$.output().includes(waiting)
        ? Promise.resolve()
        : Promise.reject(new Error(cli$.output())),
    );
    await db.restart();
    const run = await cli$.exited;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^migrating migrator@127\.0\.0\.1:\d+\/ledger\n/);
    expect(run.stdout).toContain(
      `done: ${shipped.length} migrations applied, database at ${latest}`,
    );
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it("fails at once, saying so, when the password does not match", async () => {
    const wrong = `wrong-${randomBytes(8).toString("hex")}`;
    const dir = mkdtempSync(join(tmpdir(), "fintrack-migrate-"));
    tempDirs.push(dir);
    const terminationLog = join(dir, "termination-log");
    const startedAt = Date.now();
    const run = await runCli(cli, {
      DATABASE_URL: urlWith(wrong),
      MIGRATE_TERMINATION_LOG: terminationLog,
    });
    // The default wait is 180 s: failing within seconds means it did not retry.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("waiting for PostgreSQL");
    expect(run.stderr).toMatch(
      /^migration failed: the password in DATABASE_URL does not match PostgreSQL's at 127\.0\.0\.1:\d+ \(28P01: password authentication failed for user "migrator"\)/m,
    );
    expect(run.stdout + run.stderr).not.toContain(wrong);
    // The operator shows this line in the tenant's status.
    expect(readFileSync(terminationLog, "utf8")).toBe(`${run.stderr.trim()}\n`);
  });

  it("gives up after MIGRATE_WAIT_SECONDS when nothing ever listens", async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const run = await runCli(cli, {
      DATABASE_URL: `postgres://migrator:${password}@127.0.0.1:${port}/ledger`,
      MIGRATE_WAIT_SECONDS: "2",
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `waiting for PostgreSQL at 127.0.0.1:${port}: connect ECONNREFUSED`,
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `^migration failed: PostgreSQL at 127\\.0\\.0\\.1:${port} was not reachable within 2\\.0 s`,
        "m",
      ),
    );
  });

  it("refuses an invalid MIGRATE_WAIT_SECONDS", async () => {
    const run = await runCli(cli, {
      DATABASE_URL: urlWith(password),
      MIGRATE_WAIT_SECONDS: "soon",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'MIGRATE_WAIT_SECONDS must be a whole number of seconds from 0 to 3600, got "soon"',
    );
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The migrate command as a child process: its output so far, and how it ended. */
function startCli(
  cli: string,
  env: Record<string, string | undefined>,
): { output: () => string; exited: Promise<CliRun> } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.DATABASE_URL === undefined) delete childEnv.DATABASE_URL;
  const child = spawn(process.execPath, [cli], {
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
  return { output: () => stdout + stderr, exited };
}

function runCli(cli: string, env: Record<string, string | undefined>): Promise<CliRun> {
  return startCli(cli, env).exited;
}
