import type { V1Job, V1Pod } from "@kubernetes/client-node";
import type { BackupSpec, LastBackupStatus, TrackerBackupStatus } from "../api/backup.ts";
import type { ConditionInput } from "../conditions.ts";
import { conditionTypes, reasons } from "../conditions.ts";
import { longestInterval, parseCron } from "./cron.ts";

/** A FinanceTrackerBackup as the operator reads it. */
export interface TrackerBackup {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec: { trackerRef: { name: string }; deleteStoredBackup?: boolean };
  status?: TrackerBackupStatus;
}

/** The one-line JSON the backup program writes to its termination log (see app/src/backup/cli.ts). */
interface ProgramResult {
  phase?: string;
  message?: string;
  key?: string;
  size?: number;
  sha256?: string;
  postgresVersion?: string;
  schemaVersion?: string | null;
  verified?: boolean;
  problems?: string[];
  /** `delete`: whether the dump or manifest was still there. */
  found?: boolean;
}

/** Parses the program's result line; anything else (a log tail, nothing) gives an empty result. */
export function parseProgramResult(message: string | undefined): ProgramResult {
  if (!message) return {};
  const line = message.trim().split("\n").at(-1) ?? "";
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** The termination message of a Job pod's backup container, if it has terminated. */
export function terminationMessage(
  pods: readonly V1Pod[],
  container = "backup",
): string | undefined {
  for (const pod of pods) {
    const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state;
    if (state?.terminated?.message) return state.terminated.message;
  }
  return undefined;
}

function jobCondition(job: V1Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** Whether a Job has finished, one way or the other. */
export function jobFinished(job: V1Job | undefined): boolean {
  return job !== undefined && (jobCondition(job, "Complete") || jobCondition(job, "Failed"));
}

const iso = (d: Date | string | undefined): string | undefined =>
  d === undefined ? undefined : new Date(d).toISOString();

/**
 * A backup's status from its Job and the program's result line. The Job's conditions decide
 * success; the result line adds what was stored and what verification found. A Job that failed
 * with a result saying "VerificationFailed" failed verification; any other failure is a failed backup.
 */
export function backupStatusFromJob(
  job: V1Job | undefined,
  jobName: string,
  message: string | undefined,
): TrackerBackupStatus {
  if (!job) return { phase: "Pending", jobName, message: "waiting for the backup Job" };
  const started = iso(job.status?.startTime);
  const base: TrackerBackupStatus = { jobName, ...(started ? { startTime: started } : {}) };
  const complete = jobCondition(job, "Complete");
  const failed = jobCondition(job, "Failed");
  if (!complete && !failed) return { ...base, phase: "Running", message: "backing up" };
  const result = parseProgramResult(message);
  const stored = storedFields(result, finishedTime(job));
  if (complete) {
    return { ...base, ...stored, phase: "Completed", message: "backup stored" };
  }
  if (result.phase === "VerificationFailed") {
    return {
      ...base,
      ...stored,
      phase: "VerificationFailed",
      message: `verification failed: ${result.problems?.join("; ") ?? "unknown"}`,
    };
  }
  const why =
    result.message ??
    job.status?.conditions?.find((c) => c.type === "Failed")?.message ??
    "the backup Job failed";
  return { ...base, ...stored, phase: "Failed", message: why };
}

function finishedTime(job: V1Job): string | undefined {
  const finished = job.status?.conditions?.find(
    (c) => c.type === "Complete" || c.type === "Failed",
  );
  return iso(job.status?.completionTime) ?? iso(finished?.lastTransitionTime);
}

/** What the program reported it stored, in the status' shape; absent fields stay absent. */
function storedFields(result: ProgramResult, finished: string | undefined): TrackerBackupStatus {
  const { key, size, sha256, postgresVersion, schemaVersion, verified, problems } = result;
  const status: TrackerBackupStatus = {};
  if (finished) status.completionTime = finished;
  if (key) status.key = key;
  if (size !== undefined) status.size = size;
  if (sha256) status.sha256 = sha256;
  if (postgresVersion) status.postgresVersion = postgresVersion;
  if (schemaVersion) status.schemaVersion = schemaVersion;
  if (verified !== undefined) {
    status.verification = {
      verified,
      ...(problems?.length ? { message: problems.join("; ") } : {}),
    };
  }
  return status;
}

const terminal = new Set(["Completed", "Failed", "VerificationFailed"]);

/** What the FinanceTracker reports about its backups. */
export interface BackupHealth {
  condition: ConditionInput;
  lastBackup?: LastBackupStatus;
}

function finishedAt(b: TrackerBackup): string {
  return b.status?.completionTime ?? b.metadata.creationTimestamp ?? "";
}

interface HealthFacts {
  spec: BackupSpec;
  newest?: TrackerBackup;
  lastBackup?: LastBackupStatus;
  since?: string;
  now: Date;
}

type HealthCheck = (facts: HealthFacts) => Omit<ConditionInput, "type"> | undefined;

/** The checks behind BackupHealthy, in order: the first that finds a problem decides. */
const healthChecks: HealthCheck[] = [
  ({ newest }) =>
    newest?.status?.phase === "Failed"
      ? {
          status: "False",
          reason: reasons.backupFailed,
          message: `backup ${newest.metadata.name} failed: ${newest.status.message ?? "unknown"}`,
        }
      : undefined,
  ({ newest }) =>
    newest?.status?.phase === "VerificationFailed"
      ? {
          status: "False",
          reason: reasons.verificationFailed,
          message: `backup ${newest.metadata.name} failed verification: ${newest.status.message ?? ""}`,
        }
      : undefined,
  ({ spec, since, lastBackup, now }) => {
    const limitMs = 2 * longestInterval(parseCron(spec.schedule), now);
    if (!since || now.getTime() - new Date(since).getTime() <= limitMs) return undefined;
    return {
      status: "False",
      reason: reasons.backupStale,
      message: lastBackup
        ? `the last backup, ${lastBackup.name}, finished at ${lastBackup.time}: more than twice the schedule's interval ago`
        : "no backup has completed in twice the schedule's interval",
    };
  },
  ({ lastBackup }) =>
    lastBackup
      ? undefined
      : { status: "Unknown", reason: reasons.noBackupYet, message: "no backup has completed yet" },
];

/**
 * The BackupHealthy condition, from an ordered list of checks where the first problem wins: the
 * newest finished backup failed; it failed verification; the newest good backup (or, before the
 * first, the tenant itself) is older than twice the schedule's longest interval; none yet.
 * `lastBackup` is the newest backup that completed.
 */
export function backupHealth(
  spec: BackupSpec,
  backups: readonly TrackerBackup[],
  trackerCreated: string | undefined,
  now: Date,
): BackupHealth {
  const finished = backups
    .filter((b) => terminal.has(b.status?.phase ?? ""))
    .sort((a, b) => (finishedAt(a) < finishedAt(b) ? 1 : -1));
  const good = finished.find((b) => b.status?.phase === "Completed");
  const lastBackup: LastBackupStatus | undefined = good && {
    name: good.metadata.name,
    time: finishedAt(good),
    verified: good.status?.verification?.verified === true,
  };
  const since = lastBackup?.time ?? trackerCreated;
  const facts: HealthFacts = {
    spec,
    now,
    ...(finished[0] ? { newest: finished[0] } : {}),
    ...(lastBackup ? { lastBackup } : {}),
    ...(since ? { since } : {}),
  };
  const problem = healthChecks.map((check) => check(facts)).find((p) => p !== undefined);
  const verified = lastBackup?.verified ? " and was verified" : "";
  const condition: ConditionInput = {
    type: conditionTypes.backupHealthy,
    ...(problem ?? {
      status: "True",
      reason: reasons.backupSucceeded,
      message: `backup ${lastBackup?.name ?? ""} completed${verified}`,
    }),
  };
  return { condition, ...(lastBackup ? { lastBackup } : {}) };
}
