import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { backup } from "../../src/backup/backup.ts";
import { listBackups, prune, readManifest, resolveBackup } from "../../src/backup/catalog.ts";
import { backupKeys } from "../../src/backup/manifest.ts";
import { postgresBinDir, countRows } from "../../src/backup/postgres.ts";
import { restore } from "../../src/backup/restore.ts";
import { s3Client, s3Store, type ObjectStore } from "../../src/backup/store.ts";
import { verify } from "../../src/backup/verify.ts";
import { migrate, migrationsDir } from "../../src/db/migrate.ts";
import { postgresUrl, query } from "../harness/postgres.ts";
import { startS3, type S3Server } from "../harness/s3.ts";
import { fingerprint, seedLedger } from "./ledger.ts";

const server = inject("postgres");
const binDir = postgresBinDir();
const rows = 20_000;
let s3: S3Server;
let source: pg.Pool;
let sourceUrl: string;
const databases: string[] = [];
const bucket = `backups-${randomBytes(4).toString("hex")}`;

async function newDatabase(): Promise<string> {
  const name = `restore_${randomBytes(6).toString("hex")}`;
  await query(server, "postgres", `create database ${name}`);
  databases.push(name);
  return postgresUrl(server, name);
}

function storeAt(prefix: string): ObjectStore {
  return s3Store(s3.config(bucket, prefix));
}

async function sha256Of(store: ObjectStore, key: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  for await (const chunk of await store.download(key)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(bucket);
  sourceUrl = await newDatabase();
  source = new pg.Pool({ connectionString: sourceUrl, max: 2 });
  await migrate(source);
  await seedLedger(source, rows);
}, 120_000);

afterAll(async () => {
  await source.end();
  for (const name of databases) {
    await query(server, "postgres", `drop database if exists ${name} with (force)`);
  }
  await s3.stop();
});

describe("backup, verify and restore", () => {
  it("restores a backup with identical row counts and sums, and proves it in a throwaway server", async () => {
    const store = storeAt("tenants/acme");
    const manifest = await backup({
      store,
      databaseUrl: sourceUrl,
      tenant: "acme",
      name: "b1",
      binDir,
    });

    expect(manifest.tenant).toBe("acme");
    expect(manifest.key).toBe("tenants/acme/b1.dump");
    expect(manifest.tables["public.transactions"]).toBe(rows);
    expect(manifest.tables["public.transaction_splits"]).toBe(rows / 5);
    const applied = await source.query<{ v: string }>(
      "select max(version) as v from schema_migrations",
    );
    expect(manifest.schemaVersion).toBe(applied.rows[0]?.v);
    expect(manifest.schemaVersion).toMatch(/^\d{4}$/);
    expect(manifest.postgresVersion).toMatch(/^15\./);
    expect(manifest.size).toBe(await store.size(manifest.key));
    expect(manifest.sha256).toBe(await sha256Of(store, manifest.key));
    expect(await readManifest(store, "b1")).toEqual(manifest);

    const verification = await verify({ store, manifest, binDir });
    expect(verification).toMatchObject({ name: "b1", verified: true, problems: [] });
    expect(
      (await listBackups(store)).map((b) => [b.manifest.name, b.verification?.verified]),
    ).toEqual([["b1", true]]);

    const target = await newDatabase();
    const result = await restore({ store, manifest, databaseUrl: target, binDir });
    expect(result.migrated).toEqual([]);
    await withPool(target, async (pool) => {
      expect(await fingerprint(pool)).toEqual(await fingerprint(source));
      const client = await pool.connect();
      try {
        expect(await countRows(client)).toEqual(manifest.tables);
      } finally {
        client.release();
      }
    });
  });

  it("refuses to restore into a database that already holds tables", async () => {
    const store = storeAt("tenants/acme");
    const manifest = await readManifest(store, "b1");
    await expect(restore({ store, manifest, databaseUrl: sourceUrl, binDir })).rejects.toThrow(
      /not empty/,
    );
  });

  it("fails verification of a corrupted object and restores nothing from it", async () => {
    const store = storeAt("tenants/corrupt");
    const manifest = await backup({
      store,
      databaseUrl: sourceUrl,
      tenant: "acme",
      name: "c1",
      binDir,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of await store.download(manifest.key)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    const client = s3Client(s3.config(bucket));
    const { PutObjectCommand } = await import("@aws-sdk/client-s3");
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: manifest.key, Body: bytes }));
    client.destroy();

    const verification = await verify({ store, manifest, binDir });
    expect(verification.verified).toBe(false);
    expect(verification.problems.join("\n")).toMatch(/sha256 .* differs from the manifest/);
    const stored = (await listBackups(store)).find((b) => b.manifest.name === "c1");
    expect(stored?.verification?.verified).toBe(false);

    const target = await newDatabase();
    await expect(restore({ store, manifest, databaseUrl: target, binDir })).rejects.toThrow(
      /checksum mismatch/,
    );
    await withPool(target, async (pool) => {
      const { rows: tables } = await pool.query(
        "select 1 from pg_tables where schemaname = 'public'",
      );
      expect(tables).toHaveLength(0);
    });
  });

  it("runs the migrations forward when the dump is older than this build", async () => {
    const older = mkdtempSync(join(tmpdir(), "fintrack-migrations-"));
    const files = readdirSync(migrationsDir)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    for (const f of files.slice(0, -1)) copyFileSync(join(migrationsDir, f), join(older, f));
    const oldUrl = await newDatabase();
    await withPool(oldUrl, (pool) => migrate(pool, { dir: older }));
    rmSync(older, { recursive: true });
    const store = storeAt("tenants/old");
    const manifest = await backup({
      store,
      databaseUrl: oldUrl,
      tenant: "old",
      name: "o1",
      binDir,
    });
    expect(manifest.schemaVersion).toBe(files.at(-2)?.slice(0, 4));

    const target = await newDatabase();
    const result = await restore({ store, manifest, databaseUrl: target, binDir });
    expect(result.migrated).toEqual([files.at(-1)]);
  });
});

describe("an interrupted backup", () => {
  it("leaves neither a dump, a manifest nor an open multipart upload", async () => {
    const bigUrl = await newDatabase();
    await withPool(bigUrl, async (pool) => {
      // About 25 MB of poorly compressible text: several 5 MiB parts.
      await pool.query(
        "create table filler as select n, md5(n::text) || md5((n * 31)::text) as t from generate_series(1, 400000) n",
      );
    });
    const store = storeAt("tenants/interrupted");
    const controller = new AbortController();
    await expect(
      backup({
        store,
        databaseUrl: bigUrl,
        tenant: "big",
        name: "i1",
        binDir,
        partSize: 5 * 1024 * 1024,
        signal: controller.signal,
        onProgress: (bytes) => {
          if (bytes > 0) controller.abort();
        },
      }),
    ).rejects.toThrow(/backup i1 failed/);

    expect(await store.list("tenants/interrupted/")).toEqual([]);
    expect(await listBackups(store)).toEqual([]);
    const client = s3Client(s3.config(bucket));
    const uploads = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "tenants/interrupted/" }),
    );
    client.destroy();
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});

describe("prune", () => {
  it("keeps the newest backups and never deletes the only verified one", async () => {
    const store = storeAt("tenants/retention");
    const day = (d: number) => () => new Date(Date.UTC(2025, 0, d, 3));
    const names = ["r1", "r2", "r3", "r4"];
    for (const [i, name] of names.entries()) {
      await backup({
        store,
        databaseUrl: sourceUrl,
        tenant: "acme",
        name,
        binDir,
        now: day(i + 1),
      });
    }
    const oldest = await readManifest(store, "r1");
    expect((await verify({ store, manifest: oldest, binDir })).verified).toBe(true);

    const plan = await prune(store, { keepLast: 2 });
    expect([...plan.keep.keys()].sort()).toEqual(["r1", "r3", "r4"]);
    expect(plan.remove).toEqual(["r2"]);
    expect((await listBackups(store)).map((b) => b.manifest.name)).toEqual(["r1", "r3", "r4"]);
    const gone = backupKeys(store.prefix, "r2");
    expect(await store.size(gone.dump)).toBeNull();
    expect(await store.size(gone.manifest)).toBeNull();
  });

  // `backup: latest` is what samples/restore-from-backup.yaml and the CRD's default restore.
  it("resolves latest to the newest backup left, and says so when there is none", async () => {
    expect((await resolveBackup(storeAt("tenants/retention"), "latest")).name).toBe("r4");
    await expect(resolveBackup(storeAt("tenants/nothing-here"), "latest")).rejects.toThrow(
      /no backups under s3:\/\/.*tenants\/nothing-here/,
    );
  });
});

describe("the command line", () => {
  it("backs up and verifies from the environment and never prints the secrets", async () => {
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const secretKey = `sk-${randomBytes(8).toString("hex")}`;
    const url = new URL(sourceUrl);
    url.password = password; // the test server trusts local connections: any password works
    const dir = mkdtempSync(join(tmpdir(), "fintrack-cli-"));
    const resultFile = join(dir, "result");
    const cli = fileURLToPath(new URL("../../src/backup/cli.ts", import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [cli, "backup", "--name", "cli1", "--verify"],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: url.toString(),
          BACKUP_S3_BUCKET: bucket,
          BACKUP_S3_PREFIX: "tenants/cli",
          BACKUP_S3_ENDPOINT: s3.endpoint,
          BACKUP_S3_FORCE_PATH_STYLE: "true",
          BACKUP_TENANT: "acme",
          BACKUP_RESULT_FILE: resultFile,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: secretKey,
          PG_BIN_DIR: binDir,
        },
      },
    );
    const result = JSON.parse(readFileSync(resultFile, "utf8")) as Record<string, unknown>;
    rmSync(dir, { recursive: true });
    expect(result).toMatchObject({ phase: "Completed", name: "cli1", verified: true });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(`${stdout}${stderr}`).not.toContain(password);
    expect(`${stdout}${stderr}`).not.toContain(secretKey);

    const list = await promisify(execFile)(process.execPath, [cli, "list"], {
      env: {
        PATH: process.env.PATH,
        BACKUP_S3_BUCKET: bucket,
        BACKUP_S3_PREFIX: "tenants/cli",
        BACKUP_S3_ENDPOINT: s3.endpoint,
        BACKUP_S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: secretKey,
        PG_BIN_DIR: binDir,
      },
    });
    expect(JSON.parse(list.stdout.trim())).toMatchObject({ name: "cli1", verified: true });
  });
});
