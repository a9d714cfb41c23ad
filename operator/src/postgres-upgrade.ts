import type { V1Deployment, V1Job, V1StatefulSet } from "@kubernetes/client-node";
import type { TrackerBackup } from "./backup/status.ts";
import { reasons, type Reason } from "./conditions.ts";
import { statefulSetReadiness } from "./status.ts";

/**
 * Declarative PostgreSQL major upgrades by dump and restore, side by side on the data volume.
 *
 * Why dump and restore, not pg_upgrade: pg_upgrade needs the old and the new major's programs in
 * one container, and every PostgreSQL image carries one major; a copy between two servers in one
 * pod (the old image as a sidecar, the new one doing the work) needs nothing but the images the
 * operator already runs, works across any number of majors in one step, and leaves the old data
 * directory untouched, which is what makes a rollback safe. The cost is a copy's time with the
 * database stopped; for a household's ledger that is seconds.
 *
 * Everything the upgrade needs to remember lives on the StatefulSet's annotations, so a restarted
 * or newly elected operator carries on where the last one stopped:
 * - which major and data directory the server runs on;
 * - while the new server is not proven yet, which major and directory to roll back to;
 * - which data directory's leftovers were last removed.
 * The steps: a verified backup (when the tenant has backups), PostgreSQL stopped, a copy Job,
 * the new server started on the copy, proof (the server, and every app replica started after it
 * and ready, which means it has queried the new server through its Service), and
 * then the old directory removed by a short Job. Until the proof, setting spec.postgres.version
 * back rolls back to the untouched old data.
 */

export const postgresAnnotations = {
  major: "fintrack.dev/postgres-major",
  dataDirectory: "fintrack.dev/postgres-data-directory",
  rollbackTo: "fintrack.dev/postgres-rollback-to",
  pruned: "fintrack.dev/postgres-pruned",
} as const;

/** Annotation on the copy Job naming the major it copies into. */
export const upgradeTargetAnnotation = "fintrack.dev/postgres-upgrade-to";

/** The folder on the data volume a tenant's first server initialises (before any upgrade). */
export const initialDataDirectory = "pgdata";

/**
 * The app pods' template annotation naming the server they run against. It changes with the
 * server, so the app rolls out onto a new one: a new pod turns ready only once its readiness
 * check has queried the new server through the Service, which is the upgrade's proof. Pods
 * that merely survived a short outage prove nothing (their probe tolerates a few failures).
 */
export const appPostgresAnnotation = "fintrack.dev/postgres-runtime";

/** The app's template annotations for `runtime`: none before the first upgrade (nothing rolls). */
export function appRuntimeAnnotations(
  runtime: PostgresRuntime | undefined,
): Record<string, string> {
  if (runtime === undefined || runtime.dataDirectory === initialDataDirectory) return {};
  return { [appPostgresAnnotation]: formatRuntime(runtime) };
}

/** Whether the live app's pod template is the one for `runtime` (its pods were started on it). */
export function appTemplateFor(app: V1Deployment | undefined, runtime: PostgresRuntime): boolean {
  const live = app?.spec?.template.metadata?.annotations?.[appPostgresAnnotation];
  return live === appRuntimeAnnotations(runtime)[appPostgresAnnotation];
}

/** The folder a copy into `major` fills. */
export function dataDirectoryFor(major: number): string {
  return `pgdata-${major}`;
}

/** A PostgreSQL major and the folder of the data volume it runs on. */
export interface PostgresRuntime {
  major: number;
  dataDirectory: string;
}

export type UpgradePhase =
  "BackingUp" | "Stopping" | "Copying" | "Proving" | "RollingBack" | "Failed";

/** How an upgrade is going, for status and Events. */
export interface UpgradeProgress {
  from: number;
  to: number;
  phase: UpgradePhase;
  message: string;
}

/** What the plan is made from: all of it read from the informer caches. */
export interface UpgradeInputs {
  /** spec.postgres.version. */
  requested: number;
  /** The live StatefulSet; absent for a new tenant. */
  live: V1StatefulSet | undefined;
  /** How many PostgreSQL pods exist, running or terminating. */
  postgresPods: number;
  /** The live copy Job, if any. */
  copyJob: V1Job | undefined;
  /** The live prune Job keeping the current data directory, if any. */
  pruneJob: V1Job | undefined;
  /** The backup taken before an upgrade; "not-configured" when the tenant has no spec.backup. */
  backup: TrackerBackup | "not-configured" | undefined;
  /** Whether the app Deployment's rollout is complete and every replica available. */
  appAvailable: boolean;
  /** What the copy container said when it failed (its termination message), if it did. */
  copyFailure?: string | undefined;
}

/** What PostgreSQL should look like now, and which upgrade objects should exist. */
export interface UpgradePlan {
  runtime: PostgresRuntime;
  replicas: 0 | 1;
  rollbackTo?: PostgresRuntime;
  /** The value of the pruned annotation. */
  pruned: string;
  /** The copy Job wanted now. */
  copy?: { from: PostgresRuntime; to: PostgresRuntime };
  /** The prune Job wanted now: it removes every data directory but `keep`. */
  prune?: { keep: string };
  /** Create the pre-upgrade backup. */
  createBackup?: boolean;
  /** Delete the copy Job (and wait for its pod to be gone: it runs the old server). */
  deleteCopyJob?: boolean;
  progress?: UpgradeProgress;
  problem?: { reason: Reason; message: string };
}

/** The runtime recorded on a StatefulSet (one from before upgrades existed runs `requested`). */
export function recordedRuntime(live: V1StatefulSet, requested: number): PostgresRuntime {
  const annotations = live.metadata?.annotations ?? {};
  return {
    major: Number(annotations[postgresAnnotations.major] ?? requested),
    dataDirectory: annotations[postgresAnnotations.dataDirectory] ?? initialDataDirectory,
  };
}

/** `17/pgdata` to and from a runtime. */
export function formatRuntime({ major, dataDirectory }: PostgresRuntime): string {
  return `${String(major)}/${dataDirectory}`;
}

export function parseRuntime(value: string | undefined): PostgresRuntime | undefined {
  const match = /^(\d+)\/([a-z0-9-]+)$/.exec(value ?? "");
  if (!match?.[1] || !match[2]) return undefined;
  return { major: Number(match[1]), dataDirectory: match[2] };
}

type JobOutcome = "running" | "succeeded" | "failed";

export function jobOutcome(job: V1Job): JobOutcome {
  const conditions = job.status?.conditions ?? [];
  const has = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  if (has("Complete")) return "succeeded";
  if (has("Failed")) return "failed";
  return "running";
}

/**
 * Decides PostgreSQL's runtime and the upgrade's next step. Pure; called on every reconcile, so
 * each branch names the one thing to do now and the state that makes the next branch apply.
 */
export function planPostgresUpgrade(inputs: UpgradeInputs): UpgradePlan {
  const { requested, live } = inputs;
  if (!live) {
    const runtime = { major: requested, dataDirectory: initialDataDirectory };
    return { runtime, replicas: 1, pruned: runtime.dataDirectory };
  }
  const steady = steadyPlan(live, requested);
  const { runtime: current, rollbackTo } = steady;
  const copy = inputs.copyJob;
  const copyTarget = Number(copy?.metadata?.annotations?.[upgradeTargetAnnotation]);
  const copyWanted =
    copyTarget === requested &&
    (requested > current.major || (rollbackTo !== undefined && current.major === requested));
  if (copy && !copyWanted) return stopUnwantedCopy(copy, steady, current.major, copyTarget);
  if (rollbackTo) return planUnproven(inputs, steady, current, rollbackTo);
  if (requested < current.major) {
    return {
      ...steady,
      problem: {
        reason: reasons.majorDowngradeUnsupported,
        message: `PostgreSQL ${String(current.major)} keeps running: its data cannot go back to ${String(requested)} once the upgrade was proven; set spec.postgres.version to ${String(current.major)}`,
      },
    };
  }
  if (requested > current.major) return planUpgrade(inputs, steady, current);
  return withPrune(inputs, steady, current);
}

/** What the StatefulSet's annotations say runs now: the plan when nothing is to change. */
function steadyPlan(live: V1StatefulSet, requested: number): UpgradePlan {
  const current = recordedRuntime(live, requested);
  const annotations = live.metadata?.annotations ?? {};
  const rollbackTo = parseRuntime(annotations[postgresAnnotations.rollbackTo]);
  return {
    runtime: current,
    replicas: 1,
    pruned: annotations[postgresAnnotations.pruned] ?? current.dataDirectory,
    ...(rollbackTo ? { rollbackTo } : {}),
  };
}

/**
 * A copy that is no longer wanted goes first: while its pod lives it runs the old server on the
 * old data, and no second server may start on that directory. Deleted in the foreground, so the
 * Job stays visible (and running) until its pod is gone.
 */
function stopUnwantedCopy(
  copy: V1Job,
  steady: UpgradePlan,
  major: number,
  copyTarget: number,
): UpgradePlan {
  // Finished (its pod is gone once the Job says so): deleting it is housekeeping, nothing to
  // report. Running, or being deleted while it runs, it still holds the old data.
  const running = jobOutcome(copy) === "running";
  if (!running) return { ...steady, deleteCopyJob: true };
  return {
    ...steady,
    replicas: 0,
    deleteCopyJob: true,
    progress: {
      from: major,
      to: copyTarget,
      phase: "RollingBack",
      message: `stopping the copy into PostgreSQL ${String(copyTarget)}; PostgreSQL ${String(major)} starts again on its untouched data`,
    },
  };
}

/** The new server runs on the copy; the old data waits, untouched, until the new one is proven. */
function planUnproven(
  inputs: UpgradeInputs,
  steady: UpgradePlan,
  current: PostgresRuntime,
  rollbackTo: PostgresRuntime,
): UpgradePlan {
  const from = rollbackTo.major;
  if (inputs.requested === from) {
    // Back to the untouched old data; the abandoned copy is pruned once the old server is up.
    return {
      runtime: rollbackTo,
      replicas: 1,
      pruned: current.dataDirectory,
      progress: {
        from,
        to: current.major,
        phase: "RollingBack",
        message: `rolling back to PostgreSQL ${String(from)} on its data from before the upgrade`,
      },
    };
  }
  const serverReady = statefulSetReadiness(inputs.live, "PostgreSQL").ready;
  if (serverReady && inputs.appAvailable) {
    return withPrune(inputs, { runtime: current, replicas: 1, pruned: steady.pruned }, current);
  }
  const waitingFor = serverReady ? "every app replica to be ready on it" : "it to be ready";
  return {
    ...steady,
    progress: {
      from,
      to: current.major,
      phase: "Proving",
      message: `PostgreSQL ${String(current.major)} runs on the copied data; waiting for ${waitingFor}. PostgreSQL ${String(from)}'s data is kept until then: set spec.postgres.version back to ${String(from)} to roll back`,
    },
  };
}

function planUpgrade(
  inputs: UpgradeInputs,
  steady: UpgradePlan,
  current: PostgresRuntime,
): UpgradePlan {
  const to = inputs.requested;
  const from = current.major;
  const progress = (phase: UpgradePhase, text: string): UpgradeProgress => ({
    from,
    to,
    phase,
    message: text,
  });
  const waiting = backupStep(inputs.backup, steady, progress);
  if (waiting) return waiting;
  const target = { major: to, dataDirectory: dataDirectoryFor(to) };
  const copy = inputs.copyJob;
  if (copy && jobOutcome(copy) === "failed") {
    const why = inputs.copyFailure ?? "the copy Job failed";
    return failed(
      steady,
      progress("Failed", `copying the data into PostgreSQL ${String(to)} failed: ${why}`),
      `delete Job ${copy.metadata?.name ?? ""} to try again`,
    );
  }
  if (copy && jobOutcome(copy) === "succeeded") {
    return {
      runtime: target,
      replicas: 1,
      rollbackTo: current,
      pruned: steady.pruned,
      progress: progress(
        "Proving",
        `starting PostgreSQL ${String(to)} on the copied data; PostgreSQL ${String(from)}'s data is kept until it is proven`,
      ),
    };
  }
  if (!copy && inputs.postgresPods > 0) {
    return {
      ...steady,
      replicas: 0,
      progress: progress("Stopping", `stopping PostgreSQL ${String(from)} to copy its data`),
    };
  }
  return {
    ...steady,
    replicas: 0,
    copy: { from: current, to: target },
    progress: progress(
      "Copying",
      `copying every database from PostgreSQL ${String(from)} into ${String(to)} and comparing each table`,
    ),
  };
}

/** The verified backup an upgrade starts with; undefined once it is there (or not configured). */
function backupStep(
  backup: UpgradeInputs["backup"],
  steady: UpgradePlan,
  progress: (phase: UpgradePhase, text: string) => UpgradeProgress,
): UpgradePlan | undefined {
  if (backup === "not-configured") return undefined;
  if (!backup) {
    return {
      ...steady,
      createBackup: true,
      progress: progress("BackingUp", "taking a verified backup before the upgrade"),
    };
  }
  const phase = backup.status?.phase;
  const verified = backup.status?.verification?.verified === true;
  if (phase === "Completed" && verified) return undefined;
  if (phase === "Failed" || phase === "VerificationFailed" || phase === "Completed") {
    const why = backup.status?.message ?? phase;
    return failed(
      steady,
      progress("Failed", `the backup before the upgrade failed: ${why}`),
      `delete FinanceTrackerBackup ${backup.metadata.name} to take it again`,
    );
  }
  return {
    ...steady,
    progress: progress(
      "BackingUp",
      `waiting for backup ${backup.metadata.name} to be taken and verified`,
    ),
  };
}

/** A failed step: the old server runs again on its untouched data, and the tenant says why. */
function failed(steady: UpgradePlan, progress: UpgradeProgress, retry: string): UpgradePlan {
  return {
    ...steady,
    replicas: 1,
    progress,
    problem: {
      reason: reasons.majorUpgradeFailed,
      message: `${progress.message}. PostgreSQL ${String(progress.from)} runs on its untouched data; ${retry}, or set spec.postgres.version back to ${String(progress.from)}`,
    },
  };
}

/**
 * Once no upgrade is pending, the data directories other than the current one (the old major's
 * after a proven upgrade, an abandoned copy after a rollback) are removed by a short Job.
 */
function withPrune(
  inputs: UpgradeInputs,
  plan: UpgradePlan,
  current: PostgresRuntime,
): UpgradePlan {
  if (plan.pruned === current.dataDirectory) return plan;
  if (!statefulSetReadiness(inputs.live, "PostgreSQL").ready) return plan;
  const job = inputs.pruneJob;
  if (job && jobOutcome(job) === "succeeded") return { ...plan, pruned: current.dataDirectory };
  // A failed prune costs only disk: it is tried again once the TTL controller has collected it.
  if (job && jobOutcome(job) === "failed") return plan;
  return { ...plan, prune: { keep: current.dataDirectory } };
}
