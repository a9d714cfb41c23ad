import { describe, expect, it } from "vitest";
import {
  backupKeys,
  checkBackupName,
  compareWithManifest,
  defaultBackupName,
  nameFromDumpKey,
  nameFromManifestKey,
} from "./manifest.ts";

describe("backup keys", () => {
  it("places every object of a backup under the normalized prefix", () => {
    expect(backupKeys("/tenants/acme//", "b1")).toEqual({
      dump: "tenants/acme/b1.dump",
      manifest: "tenants/acme/b1.manifest.json",
      verification: "tenants/acme/b1.verification.json",
    });
    expect(backupKeys("", "b1").dump).toBe("b1.dump");
  });

  it("reads the backup name back from a manifest key only", () => {
    expect(nameFromManifestKey("tenants/acme", "tenants/acme/b1.manifest.json")).toBe("b1");
    expect(nameFromManifestKey("tenants/acme", "tenants/acme/b1.dump")).toBeNull();
    expect(nameFromManifestKey("tenants/acme", "tenants/other/b1.manifest.json")).toBeNull();
  });

  it("reads the backup name back from a dump key under the prefix only", () => {
    expect(nameFromDumpKey("tenants/acme/", "tenants/acme/b1.dump")).toBe("b1");
    expect(nameFromDumpKey("", "b1.dump")).toBe("b1");
    expect(nameFromDumpKey("tenants/acme", "tenants/acme/b1.manifest.json")).toBeNull();
    expect(nameFromDumpKey("tenants/acme", "tenants/other/b1.dump")).toBeNull();
    expect(nameFromDumpKey("tenants/acme", "tenants/acme/deeper/b1.dump")).toBeNull();
    expect(nameFromDumpKey("tenants/acme", "tenants/acme/../b1.dump")).toBeNull();
  });

  it("refuses names that could escape the prefix", () => {
    expect(() => checkBackupName("../x")).toThrow(/must be lower-case/);
    expect(() => checkBackupName("a/b")).toThrow(/must be lower-case/);
    expect(checkBackupName("acme-20250101.1")).toBe("acme-20250101.1");
  });

  it("names a backup after its time, sortably", () => {
    expect(defaultBackupName(new Date("2025-01-31T23:59:59.123Z"))).toBe("backup-20250131t235959z");
  });
});

describe("compareWithManifest", () => {
  const manifest = { schemaVersion: "0004", tables: { "public.a": 3, "public.b": 0 } };

  it("finds nothing to report when counts and schema match", () => {
    expect(
      compareWithManifest(manifest, { schemaVersion: "0004", tables: manifest.tables }),
    ).toEqual([]);
  });

  it("names each table that differs, is missing or is extra, and the schema version", () => {
    expect(
      compareWithManifest(manifest, {
        schemaVersion: "0003",
        tables: { "public.a": 2, "public.c": 1 },
      }),
    ).toEqual([
      "schema version 0003 differs from the manifest's 0004",
      "table public.a has 2 rows, the manifest says 3",
      "table public.b is missing after restore",
      "table public.c is not in the manifest",
    ]);
  });
});
