import { z } from "zod";

/** The manifest format version; bump it when a field's meaning changes. */
export const manifestFormat = 1;

/**
 * What a finished backup records next to its dump. The manifest is written last, only after the
 * dump object is complete and its checksum known: a dump without a manifest is not a backup.
 */
export const manifestSchema = z.object({
  format: z.literal(manifestFormat),
  name: z.string().min(1),
  tenant: z.string(),
  /** When the consistent snapshot was taken, ISO UTC. */
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The dump's object key in the bucket. */
  key: z.string(),
  /** Bytes and sha256 (hex) of the dump object exactly as stored. */
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** `server_version` of the dumped server, for example "15.14". */
  postgresVersion: z.string(),
  /** `pg_dump --version` of the client that made the dump. */
  pgDumpVersion: z.string(),
  /** Highest applied app migration, null when the database had none. */
  schemaVersion: z.string().nullable(),
  /** Rows per table (schema-qualified), counted in the very snapshot the dump was taken from. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
});

/** A backup's manifest as stored in the bucket. */
export type Manifest = z.infer<typeof manifestSchema>;

/** The outcome of restoring a backup into a throwaway server and comparing it to its manifest. */
export const verificationSchema = z.object({
  name: z.string(),
  verified: z.boolean(),
  checkedAt: z.string(),
  /** Empty when verified; otherwise each difference found, one per line. */
  problems: z.array(z.string()),
  durationSeconds: z.number().nonnegative(),
});

/** A verification result as stored beside the backup. */
export type Verification = z.infer<typeof verificationSchema>;

const backupNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Refuses names that would escape the prefix or clash with the key suffixes. */
export function checkBackupName(name: string): string {
  if (!backupNamePattern.test(name) || name.length > 200) {
    throw new Error(
      `backup name ${JSON.stringify(name)} must be lower-case letters, digits, '-' and '.', at most 200 characters`,
    );
  }
  return name;
}

/** A prefix that is empty or ends with exactly one '/'. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

/** The object keys of one backup under a prefix. */
export interface BackupKeys {
  dump: string;
  manifest: string;
  verification: string;
}

const manifestSuffix = ".manifest.json";
const dumpSuffix = ".dump";

/** Where a backup's dump, manifest and verification result live. */
export function backupKeys(prefix: string, name: string): BackupKeys {
  const base = `${normalizePrefix(prefix)}${checkBackupName(name)}`;
  return {
    dump: `${base}${dumpSuffix}`,
    manifest: `${base}${manifestSuffix}`,
    verification: `${base}.verification.json`,
  };
}

function nameFromKey(prefix: string, key: string, suffix: string): string | null {
  const p = normalizePrefix(prefix);
  if (!key.startsWith(p) || !key.endsWith(suffix)) return null;
  const name = key.slice(p.length, -suffix.length);
  return backupNamePattern.test(name) && name.length <= 200 ? name : null;
}

/** The backup name a manifest key belongs to, or null for any other key. */
export function nameFromManifestKey(prefix: string, key: string): string | null {
  return nameFromKey(prefix, key, manifestSuffix);
}

/**
 * The backup name of a dump key directly under `prefix` (what a FinanceTrackerBackup's
 * status.key holds), or null for any other key: one outside the prefix is never a backup here.
 */
export function nameFromDumpKey(prefix: string, key: string): string | null {
  return nameFromKey(prefix, key, dumpSuffix);
}

/** A default backup name from a time: `backup-20250131t235959z`, sortable and DNS-safe. */
export function defaultBackupName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "z")
    .toLowerCase();
  return `backup-${stamp}`;
}

/** Compares a restored database's row counts and schema version with the manifest. */
export function compareWithManifest(
  manifest: Pick<Manifest, "tables" | "schemaVersion">,
  restored: { tables: Record<string, number>; schemaVersion: string | null },
): string[] {
  const problems: string[] = [];
  if (manifest.schemaVersion !== restored.schemaVersion) {
    problems.push(
      `schema version ${String(restored.schemaVersion)} differs from the manifest's ${String(manifest.schemaVersion)}`,
    );
  }
  const names = new Set([...Object.keys(manifest.tables), ...Object.keys(restored.tables)]);
  for (const table of [...names].sort()) {
    const expected = manifest.tables[table];
    const actual = restored.tables[table];
    if (expected === undefined) problems.push(`table ${table} is not in the manifest`);
    else if (actual === undefined) problems.push(`table ${table} is missing after restore`);
    else if (expected !== actual) {
      problems.push(`table ${table} has ${actual} rows, the manifest says ${expected}`);
    }
  }
  return problems;
}
