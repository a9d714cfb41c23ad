import {
  backupKeys,
  manifestSchema,
  nameFromManifestKey,
  normalizePrefix,
  verificationSchema,
  type Manifest,
  type Verification,
} from "./manifest.ts";
import { planRetention, type RetentionPlan, type RetentionPolicy } from "./retention.ts";
import type { ObjectStore } from "./store.ts";

/** One complete backup in the store: its manifest and, once verified, the verification result. */
export interface StoredBackup {
  manifest: Manifest;
  verification: Verification | null;
}

/** Reads one backup's manifest, failing with the key when it is absent or malformed. */
export async function readManifest(store: ObjectStore, name: string): Promise<Manifest> {
  const key = backupKeys(store.prefix, name).manifest;
  const text = await store.getText(key);
  if (text === null) throw new Error(`no backup ${name}: s3://${store.bucket}/${key} not found`);
  return manifestSchema.parse(JSON.parse(text));
}

/** Every complete backup under the store's prefix, oldest first. Dumps without manifest are skipped. */
export async function listBackups(store: ObjectStore): Promise<StoredBackup[]> {
  const keys = await store.list(normalizePrefix(store.prefix));
  const present = new Set(keys);
  const names = keys
    .map((k) => nameFromManifestKey(store.prefix, k))
    .filter((n): n is string => n !== null);
  const backups: StoredBackup[] = [];
  for (const name of names) {
    const manifest = await readManifest(store, name);
    const verificationKey = backupKeys(store.prefix, name).verification;
    const text = present.has(verificationKey) ? await store.getText(verificationKey) : null;
    const verification = text === null ? null : verificationSchema.parse(JSON.parse(text));
    backups.push({ manifest, verification });
  }
  return backups.sort((a, b) => (a.manifest.startedAt < b.manifest.startedAt ? -1 : 1));
}

/** The named backup's manifest, or the newest one's for "latest". */
export async function resolveBackup(store: ObjectStore, name: string): Promise<Manifest> {
  if (name !== "latest") return readManifest(store, name);
  const newest = (await listBackups(store)).at(-1);
  if (!newest) throw new Error(`no backups under s3://${store.bucket}/${store.prefix}`);
  return newest.manifest;
}

/** Deletes one backup's objects: dump, manifest (first, so it stops counting) and verification. */
export async function deleteBackup(store: ObjectStore, name: string): Promise<void> {
  const keys = backupKeys(store.prefix, name);
  await store.remove([keys.manifest]);
  await store.remove([keys.dump, keys.verification]);
}

/**
 * Deletes one backup's objects like deleteBackup and says whether its dump or manifest was still
 * there: deleting a backup that retention (or an earlier attempt) already removed is no error.
 */
export async function deleteStoredBackup(store: ObjectStore, name: string): Promise<boolean> {
  const keys = backupKeys(store.prefix, name);
  const [dump, manifest] = await Promise.all([store.size(keys.dump), store.size(keys.manifest)]);
  await deleteBackup(store, name);
  return dump !== null || manifest !== null;
}

/**
 * Applies retention to the store's backups and deletes what it does not keep (unless `dryRun`).
 * Only verified results count as verified: a backup whose verification failed or never ran is
 * not proof of anything.
 */
export async function prune(
  store: ObjectStore,
  policy: RetentionPolicy,
  options: { dryRun?: boolean } = {},
): Promise<RetentionPlan> {
  const backups = await listBackups(store);
  const plan = planRetention(
    backups.map((b) => ({
      name: b.manifest.name,
      time: new Date(b.manifest.startedAt),
      verified: b.verification?.verified === true,
    })),
    policy,
  );
  if (!options.dryRun) for (const name of plan.remove) await deleteBackup(store, name);
  return plan;
}
