import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import { apiVersion, plural } from "../../src/api/v1alpha1.ts";
import { backupPlural } from "../../src/api/backup.ts";
import type { TrackerBackup } from "../../src/backup/status.ts";
import type { Cluster, Resource } from "./cluster.ts";

export const trackers: Resource = { apiVersion, plural };
export const trackerBackups: Resource = { apiVersion, plural: backupPlural };

/** The tenant, or an error that says where it was looked for. */
export function readTenant(cluster: Cluster, name: string): Promise<FinanceTracker> {
  return readNamed(cluster, trackers, "FinanceTracker", name);
}

/** The backup, or an error that says where it was looked for. */
export function readBackup(cluster: Cluster, name: string): Promise<TrackerBackup> {
  return readNamed(cluster, trackerBackups, "FinanceTrackerBackup", name);
}

async function readNamed<T>(
  cluster: Cluster,
  resource: Resource,
  kind: string,
  name: string,
): Promise<T> {
  const found = await cluster.get<T>(resource, name);
  if (found) return found;
  const ns = cluster.namespace;
  throw new Error(
    `${kind} "${name}" not found in namespace "${ns}" (kubectl get ${resource.plural} -n ${ns} lists them)`,
  );
}
