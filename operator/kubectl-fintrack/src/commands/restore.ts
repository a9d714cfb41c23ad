import { dumpYaml } from "@kubernetes/client-node";
import type { FinanceTracker, FinanceTrackerSpec } from "../../../src/api/v1alpha1.ts";
import { apiVersion, kind } from "../../../src/api/v1alpha1.ts";
import type { TrackerBackup } from "../../../src/backup/status.ts";
import { stringFlag, type Command } from "../cli.ts";
import { statusOf } from "../cluster.ts";
import { readBackup, readTenant, trackers } from "../tenants.ts";

/** What a restore needs that only the source tenant and the backup know. */
export interface RestoreSource {
  tracker: FinanceTracker;
  backup: TrackerBackup;
}

/** Why a backup cannot be restored from, or undefined when it can. */
export function restoreBlocker({ tracker, backup }: RestoreSource): string | undefined {
  const phase = backup.status?.phase ?? "Pending";
  if (phase !== "Completed")
    return `backup "${backup.metadata.name}" is ${phase}: only a Completed backup can be restored`;
  if (!tracker.spec.backup)
    return `tenant "${tracker.metadata.name}" has no spec.backup, so the bucket its backup "${backup.metadata.name}" went to is unknown`;
  return undefined;
}

/**
 * The new tenant: the source's spec (app, PostgreSQL, Redis, monitoring, policies) restored from
 * the backup. The source's Ingress host and backup schedule are left out: the host is the
 * source's, and the new tenant's backups would land in the source's bucket prefix.
 */
export function restoredTracker(
  { tracker, backup }: RestoreSource,
  into: string,
): {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Partial<FinanceTrackerSpec>;
} {
  const destination = tracker.spec.backup?.destination.s3;
  if (!destination) throw new Error(`tenant "${tracker.metadata.name}" has no spec.backup`);
  const { app, postgres, redis, monitoring, deletionPolicy, networkPolicy } = tracker.spec;
  return {
    apiVersion,
    kind,
    metadata: { name: into },
    spec: {
      app,
      postgres,
      redis,
      monitoring,
      deletionPolicy,
      ...(networkPolicy ? { networkPolicy } : {}),
      restore: { from: { s3: destination, backup: backup.metadata.name } },
    },
  };
}

export const restoreCommand: Command = {
  name: "restore",
  args: ["<backup>"],
  summary: "Restore a backup into a new tenant (a FinanceTracker with spec.restore).",
  description:
    "Creates a new FinanceTracker from the backed-up tenant's spec, with spec.restore pointing at\nthe backup in the tenant's bucket. The operator restores the database before the new app\nstarts. The source's Ingress and backup schedule are not copied: add them to the new tenant\nonce it is Ready. The source tenant is not touched.",
  flags: {
    into: {
      type: "string",
      value: "<new-tenant>",
      description: "The name of the new FinanceTracker (required).",
    },
    "dry-run": {
      type: "boolean",
      description: "Print the new FinanceTracker as YAML instead of creating it.",
    },
  },
  examples: [
    "kubectl fintrack restore acme-202612061200 --into acme-restored -n tenant-acme",
    "kubectl fintrack restore acme-before-upgrade --into acme-copy --dry-run > acme-copy.yaml",
  ],
  run: async (invocation) => {
    const { io } = invocation;
    const into = stringFlag(invocation, "into");
    if (!into) throw new Error("restore needs --into <new-tenant>: the name of the new tenant");
    const cluster = invocation.cluster();
    const backup = await readBackup(cluster, invocation.args[0] ?? "");
    const source = { backup, tracker: await readTenant(cluster, backup.spec.trackerRef.name) };
    const blocker = restoreBlocker(source);
    if (blocker) throw new Error(blocker);
    const tracker = restoredTracker(source, into);
    if (invocation.flags["dry-run"] === true) {
      io.out(dumpYaml(tracker).trimEnd());
      return 0;
    }
    try {
      await cluster.create(trackers, tracker);
    } catch (error) {
      if (statusOf(error) === 409)
        throw new Error(`FinanceTracker "${into}" already exists: choose another --into`, {
          cause: error,
        });
      throw error;
    }
    io.out(
      `financetracker/${into} created, restoring backup ${backup.metadata.name} of ${source.tracker.metadata.name}`,
    );
    io.err(`follow it with: kubectl fintrack status ${into} -n ${cluster.namespace}`);
    return 0;
  },
};
