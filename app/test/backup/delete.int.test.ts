import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBackups, prune } from "../../src/backup/catalog.ts";
import { backupKeys, manifestFormat, type Manifest } from "../../src/backup/manifest.ts";
import { s3Store, type ObjectStore } from "../../src/backup/store.ts";
import { startS3, type S3Server } from "../harness/s3.ts";

const cli = fileURLToPath(new URL("../../src/backup/cli.ts", import.meta.url));
const bucket = `deletes-${randomBytes(4).toString("hex")}`;
let s3: S3Server;
let dir: string;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(bucket);
  dir = mkdtempSync(join(tmpdir(), "fintrack-delete-"));
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await s3.stop();
});

function storeAt(prefix: string): ObjectStore {
  return s3Store(s3.config(bucket, prefix));
}

/**
 * A stored backup as the backup command leaves it: dump, manifest, verification result. The
 * bytes are not a real dump; deletion and retention look only at keys and manifests.
 */
async function storeBackup(store: ObjectStore, name: string, day: number): Promise<void> {
  const keys = backupKeys(store.prefix, name);
  const at = new Date(Date.UTC(2025, 0, day, 3)).toISOString();
  const manifest: Manifest = {
    format: manifestFormat,
    name,
    tenant: "acme",
    startedAt: at,
    finishedAt: at,
    key: keys.dump,
    size: 4,
    sha256: "0".repeat(64),
    postgresVersion: "15.14",
    pgDumpVersion: "pg_dump (PostgreSQL) 18.1",
    schemaVersion: "0001",
    tables: {},
  };
  await store.putText(keys.dump, "dump", "application/octet-stream");
  await store.putText(keys.manifest, JSON.stringify(manifest));
  await store.putText(
    keys.verification,
    JSON.stringify({ name, verified: true, checkedAt: at, problems: [], durationSeconds: 1 }),
  );
}

/** Runs the backup program's command line as a Job would; resolves with exit code and result. */
async function run(
  prefix: string,
  args: string[],
): Promise<{ code: number; result: Record<string, unknown> }> {
  const resultFile = join(dir, `result-${randomBytes(4).toString("hex")}`);
  const code = await new Promise<number>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        env: {
          PATH: process.env.PATH,
          BACKUP_S3_BUCKET: bucket,
          BACKUP_S3_PREFIX: prefix,
          BACKUP_S3_ENDPOINT: s3.endpoint,
          BACKUP_S3_FORCE_PATH_STYLE: "true",
          BACKUP_RESULT_FILE: resultFile,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
        },
      },
      (error) => {
        resolve(error ? Number(error.code ?? 1) : 0);
      },
    );
  });
  const result = JSON.parse(readFileSync(resultFile, "utf8")) as Record<string, unknown>;
  return { code, result };
}

const exec = promisify(execFile);

describe("the delete command", () => {
  it("deletes the dump, manifest and verification result named by the dump's key", async () => {
    const store = storeAt("tenants/acme");
    await storeBackup(store, "d1", 1);
    await storeBackup(store, "d2", 2);
    const keys = backupKeys(store.prefix, "d1");

    const { code, result } = await run("tenants/acme", ["delete", "--key", keys.dump]);

    expect(code).toBe(0);
    expect(result).toEqual({ phase: "Deleted", name: "d1", key: keys.dump, found: true });
    expect(await store.list("tenants/acme/d1")).toEqual([]);
    expect((await listBackups(store)).map((b) => b.manifest.name)).toEqual(["d2"]);
  });

  it("succeeds again when the backup is already gone, reporting that nothing was there", async () => {
    const store = storeAt("tenants/again");
    await storeBackup(store, "a1", 1);
    const key = backupKeys(store.prefix, "a1").dump;
    expect((await run("tenants/again", ["delete", "--key", key])).result.found).toBe(true);

    const again = await run("tenants/again", ["delete", "--key", key]);

    expect(again.code).toBe(0);
    expect(again.result).toMatchObject({ phase: "Deleted", name: "a1", found: false });
  });

  it("finishes a delete that stopped after the manifest, so no dump is left behind", async () => {
    const store = storeAt("tenants/half");
    await storeBackup(store, "h1", 1);
    const keys = backupKeys(store.prefix, "h1");
    await store.remove([keys.manifest]);

    const { code, result } = await run("tenants/half", ["delete", "--name", "h1"]);

    expect(code).toBe(0);
    expect(result).toMatchObject({ found: true });
    expect(await store.list("tenants/half/")).toEqual([]);
  });

  it("refuses a key outside the prefix and deletes nothing", async () => {
    const store = storeAt("tenants/kept");
    await storeBackup(store, "k1", 1);
    const elsewhere = backupKeys("tenants/kept", "k1").dump;

    const { code, result } = await run("tenants/moved", ["delete", "--key", elsewhere]);

    expect(code).toBe(1);
    expect(result.phase).toBe("Failed");
    expect(String(result.message)).toMatch(/not a backup dump under s3:\/\/.*tenants\/moved/);
    expect(await store.size(elsewhere)).not.toBeNull();
  });

  it("leaves retention counting only what is left", async () => {
    const store = storeAt("tenants/retention");
    for (const [i, name] of ["r1", "r2", "r3", "r4"].entries()) {
      await storeBackup(store, name, i + 1);
    }
    await run("tenants/retention", ["delete", "--key", backupKeys(store.prefix, "r4").dump]);

    const plan = await prune(store, { keepLast: 2 }, { dryRun: true });

    expect([...plan.keep.keys()].sort()).toEqual(["r2", "r3"]);
    expect(plan.remove).toEqual(["r1"]);
    const list = await exec(process.execPath, [cli, "list"], {
      env: {
        PATH: process.env.PATH,
        BACKUP_S3_BUCKET: bucket,
        BACKUP_S3_PREFIX: "tenants/retention",
        BACKUP_S3_ENDPOINT: s3.endpoint,
        BACKUP_S3_FORCE_PATH_STYLE: "true",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
    });
    const names = list.stdout
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { name: string }).name);
    expect(names).toEqual(["r1", "r2", "r3"]);
  });
});
