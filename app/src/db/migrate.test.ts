import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  migrationLockKey,
  planMigrations,
  readMigrations,
  type AppliedMigration,
  type Migration,
} from "./migrate.ts";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "fintrack-migrations-"));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

function aMigration(version: string, sql = `select ${version}`): Migration {
  const checksum = createHash("sha256").update(sql).digest("hex");
  return { version, name: "step", file: `${version}_step.sql`, sql, checksum };
}

function appliedAs(m: Migration, overrides: Partial<AppliedMigration> = {}): AppliedMigration {
  return { version: m.version, name: m.name, checksum: m.checksum, ...overrides };
}

describe("readMigrations", () => {
  it("reads files in version order with their sha256 and ignores non-SQL files", async () => {
    const dir = dirWith({
      "0002_accounts.sql": "create table accounts ()",
      "0001_initial.sql": "create table users ()",
      "README.md": "notes",
    });
    const migrations = await readMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name, m.file])).toEqual([
      ["0001", "initial", "0001_initial.sql"],
      ["0002", "accounts", "0002_accounts.sql"],
    ]);
    expect(migrations[0]?.checksum).toBe(
      createHash("sha256").update("create table users ()").digest("hex"),
    );
  });

  it("refuses an SQL file not named NNNN_description.sql", async () => {
    await expect(readMigrations(dirWith({ "1_initial.sql": "" }))).rejects.toThrow(
      /1_initial\.sql is not named NNNN_description\.sql/,
    );
  });

  it("refuses two files with the same version", async () => {
    const dir = dirWith({ "0001_a.sql": "", "0001_b.sql": "" });
    await expect(readMigrations(dir)).rejects.toThrow(/0001_a\.sql and 0001_b\.sql share version/);
  });

  it("refuses an empty folder, which means a wrong path rather than no schema", async () => {
    await expect(readMigrations(dirWith({}))).rejects.toThrow(/no migration files/);
  });

  it("ships 0001_initial.sql", async () => {
    const migrations = await readMigrations();
    expect(migrations[0]?.file).toBe("0001_initial.sql");
  });
});

describe("planMigrations", () => {
  const [one, two, three] = [aMigration("0001"), aMigration("0002"), aMigration("0003")];

  it("plans every migration for a fresh database", () => {
    expect(planMigrations([one, two], []).map((m) => m.version)).toEqual(["0001", "0002"]);
  });

  it("plans only what the database has not applied", () => {
    expect(planMigrations([one, two, three], [appliedAs(one)]).map((m) => m.version)).toEqual([
      "0002",
      "0003",
    ]);
  });

  it("plans nothing when the database is current", () => {
    expect(planMigrations([one, two], [appliedAs(one), appliedAs(two)])).toEqual([]);
  });

  it("refuses a database ahead of the build", () => {
    expect(() => planMigrations([one], [appliedAs(one), appliedAs(three)])).toThrow(
      "database is at 0003 but this build only knows up to 0001",
    );
  });

  it("refuses an applied migration whose file was edited", () => {
    expect(() =>
      planMigrations([one, two], [appliedAs(one, { checksum: "0".repeat(64) })]),
    ).toThrow(/migration 0001_step\.sql was changed after it was applied/);
  });

  it("refuses a recorded migration the build has no file for", () => {
    expect(() => planMigrations([one, three], [appliedAs(two)])).toThrow(
      /0002_step\.sql is recorded in the database but this build has no such file/,
    );
  });
});

describe("migrationLockKey", () => {
  it("never changes, so old and new replicas in a rollout still exclude each other", () => {
    // sha256("fintrack:migrations"), first 8 bytes, big-endian, signed.
    expect(migrationLockKey).toBe("2671006308522562510");
  });
});
