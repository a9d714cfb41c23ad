import { apiVersion } from "../../../src/api/v1alpha1.ts";
import { backupKind } from "../../../src/api/backup.ts";
import type { TrackerBackup } from "../../../src/backup/status.ts";
import { parseDuration, stringFlag, type Command } from "../cli.ts";
import { bytes, table } from "../format.ts";
import { follow } from "../wait.ts";
import { readBackup, readTenant, trackerBackups } from "../tenants.ts";

/** Phases after which a backup changes no more. */
const finalPhases = new Set(["Completed", "Failed", "VerificationFailed"]);

/**
 * The name of an on-demand backup taken now: `<tenant>-<yyyymmddhhmmss>`. Scheduled ones have
 * 12 digits (names.ts scheduledBackupName), so the two never collide.
 */
export function onDemandBackupName(tenant: string, now: Date): string {
  return `${tenant}-${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}`;
}

/** The FinanceTrackerBackup that asks for one backup of a tenant now. */
export function backupRequest(tenant: string, name: string): object {
  return {
    apiVersion,
    kind: backupKind,
    metadata: { name },
    spec: { trackerRef: { name: tenant } },
  };
}

/** Whether a backup has finished, one way or the other. */
export function isFinished(backup: TrackerBackup): boolean {
  return finalPhases.has(backup.status?.phase ?? "");
}

/** One progress line: the phase and what the operator says about it. */
export function backupProgress(backup: TrackerBackup): string {
  const phase = backup.status?.phase ?? "Pending";
  const message = backup.status?.message;
  return `${backup.metadata.name}: ${phase}${message ? `, ${message}` : ""}`;
}

/** The finished backup, field by field, as the command prints it. */
export function backupResult(backup: TrackerBackup): string[] {
  const s = backup.status ?? {};
  const verification = s.verification;
  const rows: string[][] = [
    ["Backup:", backup.metadata.name],
    ["Tenant:", backup.spec.trackerRef.name],
    ["Phase:", s.phase ?? "Pending"],
    ...(s.message ? [["Message:", s.message]] : []),
    ["Started:", s.startTime ?? "-"],
    ["Finished:", s.completionTime ?? "-"],
    ["Stored as:", s.key ?? "-"],
    ["Size:", bytes(s.size)],
    ...(s.sha256 ? [["SHA-256:", s.sha256]] : []),
    ...(s.postgresVersion ? [["PostgreSQL:", s.postgresVersion]] : []),
    [
      "Verified:",
      verification
        ? `${verification.verified ? "yes" : "no"}${verification.message ? `, ${verification.message}` : ""}`
        : "not verified",
    ],
  ];
  return table(rows, "");
}

export const backupCommand: Command = {
  name: "backup",
  args: ["<tenant>"],
  summary: "Back up a tenant now (a FinanceTrackerBackup), optionally waiting for the result.",
  description:
    "Creates a FinanceTrackerBackup for the tenant; the operator runs it with the tenant's\nspec.backup destination. With --wait, follows it and prints the result; the exit code is 1\nunless it completed (after its verification, when the tenant verifies backups).",
  flags: {
    name: {
      type: "string",
      value: "<name>",
      description: "The backup's name (default: <tenant>-<yyyymmddhhmmss>).",
    },
    wait: { type: "boolean", description: "Wait until the backup finishes and print the result." },
    timeout: {
      type: "string",
      value: "<duration>",
      description: "How long --wait waits, e.g. 90s, 10m (default 30m).",
    },
  },
  examples: [
    "kubectl fintrack backup acme -n tenant-acme --wait",
    "kubectl fintrack backup acme -n tenant-acme --name acme-before-upgrade",
  ],
  run: async (invocation) => {
    const { args, io } = invocation;
    const tenant = args[0] ?? "";
    const timeoutMs = parseDuration(stringFlag(invocation, "timeout") ?? "30m");
    const cluster = invocation.cluster();
    const tracker = await readTenant(cluster, tenant);
    if (!tracker.spec.backup)
      throw new Error(
        `FinanceTracker "${tenant}" has no spec.backup: set its destination before backing it up`,
      );
    const name = stringFlag(invocation, "name") ?? onDemandBackupName(tenant, new Date());
    await cluster.create(trackerBackups, backupRequest(tenant, name));
    io.err(`financetrackerbackup/${name} created`);
    if (invocation.flags.wait !== true) {
      io.out(name);
      return 0;
    }
    const done = await follow(() => readBackup(cluster, name), {
      finished: isFinished,
      describe: backupProgress,
      report: io.err,
      timeoutMs,
      intervalMs: 2000,
      what: `backup ${name}`,
    });
    for (const line of backupResult(done)) io.out(line);
    // Completed comes after the verification, when the tenant verifies: VerificationFailed otherwise.
    return done.status?.phase === "Completed" ? 0 : 1;
  },
};
