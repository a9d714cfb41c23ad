import { randomBytes } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  apiVersion,
  financeTrackerSpec,
  type FinanceTracker,
  type FinanceTrackerStatus,
} from "./api/v1alpha1.ts";
import { conditionTypes, findCondition, reasons, type Reason } from "./conditions.ts";
import type { BuildContext, Credentials } from "./context.ts";
import { desiredObjects } from "./desired.ts";
import { classifyError, CredentialsError, InvalidSpecError, type ErrorClass } from "./errors.ts";
import type { KubeApi } from "./kube/api.ts";
import { canSkipApply, hashObject, withAppliedHash } from "./kube/drift.ts";
import { objectKey, ownedKinds } from "./kube/kinds.ts";
import { prunable } from "./kube/prune.ts";
import {
  childMetadata,
  childNames,
  finalizer,
  labelKeys,
  pausedAnnotation,
  postgresCopyJobName,
  postgresPruneJobName,
  preUpgradeBackupName,
  restoreJobName,
} from "./names.ts";
import type { Result } from "./queue.ts";
import { generateCredentials, readStoredCredentials } from "./resources/secret/credentials.ts";
import { credentialsFingerprint, judgeCredentials } from "./credentials-guard.ts";
import { computeStatus, deploymentReadiness, type ObservedState } from "./status.ts";
import {
  appTemplateFor,
  jobOutcome,
  planPostgresUpgrade,
  recordedRuntime,
  type UpgradePlan,
} from "./postgres-upgrade.ts";
import { buildPostgresStatefulSet } from "./resources/postgres/statefulset.ts";
import {
  annotateClaimFingerprint,
  planCredentialsRotation,
  recordRotatedPassword,
} from "./reconcile-rotation.ts";
import { rotateCredentialsAnnotation, type RotationPlan } from "./credentials-rotation.ts";
import { buildPostgresCopyJob, buildPostgresPruneJob } from "./resources/postgres/upgrade-jobs.ts";
import { planVolumes, type ClaimResize } from "./volumes.ts";
import { replicasHandover, replicasHandoverManager } from "./replicas-handover.ts";
import {
  reconcileBackups,
  reconcileOrphanBackups,
  restoreState,
  type BackupDeps,
  type BackupOutcome,
  type RestoreState,
} from "./backup/reconcile-backups.ts";
import { terminationMessage, type TrackerBackup } from "./backup/status.ts";
import { verifyAnnotation } from "./resources/backup/job.ts";
import { drainLabel, shardDuty, shardLabel } from "./sharding/assignment.ts";
import { withShardLabel } from "./sharding/labels.ts";
import { backupKind } from "./api/backup.ts";

/** What the informers know about a tenant's children (eventually consistent, never fetched). */
export interface ChildCache {
  /** Every cached child labelled as this tenant's, of every watched kind. */
  children(namespace: string, trackerName: string): KubernetesObject[];
  get(kind: string, namespace: string, name: string): KubernetesObject | undefined;
  /** The cached pods of this tenant's PostgreSQL, Redis and app, slimmed to metadata and status. */
  pods(namespace: string, trackerName: string): KubernetesObject[];
}

export interface ReconcileDeps {
  api: KubeApi;
  cache: ChildCache;
  /** The build context minus what reconcile works out per tenant. */
  baseContext: Omit<BuildContext, "credentials" | "serviceMonitorAvailable">;
  serviceMonitorAvailable: () => Promise<boolean>;
  /** The resourceVersion each object had after our last apply: see canSkipApply. */
  lastApplied: Map<string, string>;
  /** Per tenant, the credentials fingerprint last found to match its data claim. */
  verifiedCredentials: Map<string, string>;
  /** The FinanceTrackerBackups of one tenant, from their informer. */
  backups: (namespace: string, trackerName: string) => TrackerBackup[];
  /** Counts writes (applies, deletes, status) for metrics and benchmarks. */
  onWrite?: (what: string) => void;
  /**
   * The shard member this replica is, when sharded: it writes only tenants labelled with its
   * name and not being drained, and labels every child it applies with that name.
   */
  shardMember?: string;
  /** Sharded: labels a tenant's children for this member before its first pass here. */
  adopt?: (tracker: FinanceTracker) => Promise<void>;
  now: () => Date;
  log: Logger;
}

/** Reconciles one tenant, `namespace/name`: the whole story on one screen. */
export async function reconcile(key: string, deps: ReconcileDeps): Promise<Result> {
  const tracker = await readFresh(key, deps);
  if (!tracker) return orphanBackups(key, deps);
  if (!(await takenUpHere(tracker, deps))) return {};
  if (tracker.metadata.deletionTimestamp) return finalize(tracker, deps);
  const pause = pausedBy(tracker);
  if (pause.paused) {
    const problem = pause.problem ? { problem: pause.problem } : {};
    await writeStatus(tracker, await observe(tracker, deps, { paused: true, ...problem }), deps);
    return {};
  }
  let converged: Converged;
  try {
    converged = await converge(tracker, deps);
  } catch (error) {
    const problem = classifyError(error);
    if (problem.kind !== "conflict") {
      await writeStatus(tracker, await observe(tracker, deps, { problem }), deps);
    }
    throw error;
  }
  const { upgrade, backups, restore, credentials, rotation } = converged;
  const problem =
    upgrade.problem ??
    (restore.state === "failed"
      ? { reason: restore.reason, message: restore.message }
      : undefined) ??
    (rotation.progress?.phase === "Failed"
      ? { reason: reasons.credentialsRotationFailed, message: rotation.progress.message }
      : undefined);
  const observed = await observe(tracker, deps, {
    ...(problem ? { problem } : {}),
    backups,
    restore,
    upgrade,
    credentials,
  });
  await writeStatus(tracker, observed, deps);
  const requeues = [backups.requeueAfterMs, rotationPollMs(rotation)].filter(
    (ms) => ms !== undefined,
  );
  return requeues.length === 0 ? {} : { requeueAfterMs: Math.min(...requeues) };
}

/**
 * How soon to look again at a rotation in progress. Its Jobs finishing and the app's rollout
 * wake the tenant through their informers, but the last old pod going away does not (pod events
 * count only when a pod's problem changes), and that is what the last step waits for.
 */
function rotationPollMs(rotation: RotationPlan): number | undefined {
  const phase = rotation.progress?.phase;
  return phase === undefined || phase === "Failed" ? undefined : 5_000;
}

/**
 * The paused annotation takes "true" or "false". Anything else ("yes", "1") is held as paused,
 * since pausing is what its writer most likely meant, and reported until it is fixed.
 */
function pausedBy(tracker: FinanceTracker): {
  paused: boolean;
  problem?: { reason: Reason; message: string };
} {
  const value = tracker.metadata.annotations?.[pausedAnnotation];
  if (value === undefined || value === "false") return { paused: false };
  if (value === "true") return { paused: true };
  return {
    paused: true,
    problem: {
      reason: reasons.invalidSpec,
      message: `annotation ${pausedAnnotation} must be "true" or "false", not ${JSON.stringify(value)}; reconciling is held until it is one of them`,
    },
  };
}

interface Converged {
  upgrade: UpgradePlan;
  backups: BackupOutcome;
  restore: RestoreState;
  credentials: NonNullable<FinanceTrackerStatus["credentials"]>;
  rotation: RotationPlan;
}

/**
 * Makes the children match the spec: finalizer, desired objects (adjusted to what may change in
 * place), apply what differs, grow claims, prune what is no longer wanted.
 */
async function converge(tracker: FinanceTracker, deps: ReconcileDeps): Promise<Converged> {
  await ensureFinalizer(tracker, deps);
  const valid = validSpec(tracker);
  const restore = currentRestore(valid, deps);
  const upgrade = await planUpgrade(valid, deps);
  const rotation = await planCredentialsRotation(
    valid,
    await buildContext(valid, deps, restore),
    upgrade,
    restore,
    deps,
  );
  const ctx = { ...rotation.ctx, postgresRuntime: upgrade.runtime };
  const planned = planPostgres(valid, desiredObjects(valid, ctx), ctx, upgrade, deps);
  await startUpgradeSteps(valid, upgrade, deps);
  await recordRotatedPassword(valid, rotation, deps);
  const desired = [...planned.objects, ...rotation.objects]
    .map((o) => (deps.shardMember === undefined ? o : withShardLabel(o, deps.shardMember)))
    .map(withAppliedHash);
  await applyChanged(desired, deps);
  await growClaims(planned.resizes, deps);
  await pruneUnwanted(valid, desired, deps);
  if (rotation.plan.event) await recordRotationEvent(valid, rotation.plan.event, deps);
  const backups = await reconcileBackups(valid, ctx, backupDeps(deps));
  return { upgrade, backups, restore, credentials: rotation.status, rotation: rotation.plan };
}

function backupDeps(deps: ReconcileDeps): BackupDeps {
  return {
    api: deps.api,
    backups: deps.backups,
    job: (namespace, name) => deps.cache.get("Job", namespace, name),
    now: deps.now,
    log: deps.log,
    ...(deps.onWrite ? { onWrite: deps.onWrite } : {}),
  };
}

/** No such tenant: its FinanceTrackerBackups still get a status, and their finalizers go. */
async function orphanBackups(key: string, deps: ReconcileDeps): Promise<Result> {
  const [namespace = "", name = ""] = key.split("/");
  await reconcileOrphanBackups(namespace, name, backupDeps(deps));
  return {};
}

/** The restore's state; once the app Deployment exists the restore is over, whatever its Job became. */
function currentRestore(tracker: FinanceTracker, deps: ReconcileDeps): RestoreState {
  const { namespace, name } = tracker.metadata;
  if (deps.cache.get("Deployment", namespace, childNames(name).app)) return { state: "none" };
  return restoreState(tracker, deps.cache.get("Job", namespace, restoreJobName(name)));
}

/**
 * Whether this replica may write `tracker`: always unsharded; sharded, when the fresh read shows
 * it labelled for this member and not being drained (then its children are adopted first). The
 * fresh read is what makes ownership exclusive: a drain asked for after it is acknowledged only
 * once this pass is over (sharding/assignment.ts).
 */
async function takenUpHere(tracker: FinanceTracker, deps: ReconcileDeps): Promise<boolean> {
  if (deps.shardMember === undefined) return true;
  const labels = tracker.metadata.labels ?? {};
  if (shardDuty(deps.shardMember, labels[shardLabel], drainLabel in labels) !== "work") {
    return false;
  }
  await deps.adopt?.(tracker);
  return true;
}

async function readFresh(key: string, deps: ReconcileDeps): Promise<FinanceTracker | undefined> {
  const [namespace, name] = key.split("/");
  if (!namespace || !name) throw new Error(`malformed queue key ${key}`);
  return deps.api.readTracker(namespace, name);
}

/** The spec with defaults applied; the CRD already validated it, this guards older objects. */
function validSpec(tracker: FinanceTracker): FinanceTracker {
  const parsed = financeTrackerSpec.safeParse(tracker.spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `spec.${i.path.join(".")}: ${i.message}`);
    throw new InvalidSpecError(problems.join("; "));
  }
  return { ...tracker, spec: parsed.data };
}

async function ensureFinalizer(tracker: FinanceTracker, deps: ReconcileDeps): Promise<void> {
  if (tracker.metadata.finalizers?.includes(finalizer)) return;
  await deps.api.applyFinalizers(tracker, [finalizer]);
  deps.onWrite?.("finalizer");
}

/**
 * The tenant's credentials: from the informer cache, else a fresh read (the cache may not have
 * seen a Secret we just created), generated only for a tenant without data. Each Secret value is
 * checked once per process against the data claim's fingerprint (judgeCredentials), which costs
 * a claim read; after that a Secret that did not change needs no read at all.
 */
async function credentialsFor(tracker: FinanceTracker, deps: ReconcileDeps): Promise<Credentials> {
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  const cached = deps.cache.get("Secret", namespace, names.credentialsSecret);
  const stored =
    readStoredCredentials(cached) ??
    readStoredCredentials(await deps.api.readSecret(namespace, names.credentialsSecret));
  const generated = generateCredentials(randomBytes);
  const key = `${namespace}/${name}`;
  if (stored?.postgresPassword !== undefined && stored.adminPassword !== undefined) {
    const fingerprint = credentialsFingerprint(stored.postgresPassword);
    if (deps.verifiedCredentials.get(key) === fingerprint) return { ...generated, ...stored };
  }
  const claimName = names.postgresDataClaim;
  const claim = await deps.api.readClaim(namespace, claimName);
  const verdict = judgeCredentials({
    stored,
    generated,
    claim,
    secretName: names.credentialsSecret,
  });
  if (!verdict.ok) {
    deps.verifiedCredentials.delete(key);
    throw new CredentialsError(verdict.message, verdict.reason);
  }
  if (verdict.annotateClaim) {
    await annotateClaimFingerprint(namespace, claimName, verdict.fingerprint, deps);
  }
  if (claim) deps.verifiedCredentials.set(key, verdict.fingerprint);
  // Passwords generated now are as fresh as a rotation's: a rotate-credentials annotation the
  // tenant was created with (kept in Git, say) asks for nothing more.
  const requested = tracker.metadata.annotations?.[rotateCredentialsAnnotation]?.trim();
  if (!stored && requested) {
    return {
      ...verdict.credentials,
      rotated: { request: requested, at: deps.now().toISOString() },
    };
  }
  return verdict.credentials;
}

async function buildContext(
  tracker: FinanceTracker,
  deps: ReconcileDeps,
  restore: RestoreState,
): Promise<BuildContext> {
  return {
    ...deps.baseContext,
    awaitingRestore: restore.state === "running" || restore.state === "failed",
    credentials: await credentialsFor(tracker, deps),
    serviceMonitorAvailable:
      tracker.spec.monitoring.serviceMonitor && (await deps.serviceMonitorAvailable()),
  };
}

/**
 * Adjusts the desired PostgreSQL StatefulSet to what may change in place: its claim templates
 * are immutable (storage growth goes to the claims), and which major runs on which data folder
 * is the upgrade plan's to decide, which may also want a copy or a prune Job.
 */
function planPostgres(
  tracker: FinanceTracker,
  objects: KubernetesObject[],
  ctx: BuildContext,
  upgrade: UpgradePlan,
  deps: ReconcileDeps,
): { objects: KubernetesObject[]; resizes: ClaimResize[] } {
  let resizes: ClaimResize[] = [];
  const planned = objects.map((o) => {
    if (o.kind !== "StatefulSet") return o;
    const live = deps.cache.get("StatefulSet", o.metadata?.namespace ?? "", o.metadata?.name ?? "");
    const volumes = planVolumes(buildPostgresStatefulSet(tracker, ctx, upgrade), live);
    resizes = volumes.resizes;
    return volumes.statefulSet;
  });
  const jobs = [
    upgrade.copy
      ? buildPostgresCopyJob(tracker, ctx, upgrade.copy.from, upgrade.copy.to)
      : undefined,
    upgrade.prune ? buildPostgresPruneJob(tracker, ctx, upgrade.runtime) : undefined,
  ].filter((j) => j !== undefined);
  return { objects: [...planned, ...jobs], resizes };
}

/** The upgrade plan, from what the caches know of PostgreSQL, its Jobs, the app and backups. */
async function planUpgrade(tracker: FinanceTracker, deps: ReconcileDeps): Promise<UpgradePlan> {
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  const requested = tracker.spec.postgres.version;
  const live = deps.cache.get("StatefulSet", namespace, names.postgres);
  const current = live ? recordedRuntime(live, requested) : undefined;
  const job = (jobName: string) => deps.cache.get("Job", namespace, jobName);
  const backup = tracker.spec.backup
    ? deps
        .backups(namespace, name)
        .find((b) => b.metadata.name === preUpgradeBackupName(name, requested))
    : "not-configured";
  const app = deps.cache.get("Deployment", namespace, names.app);
  const copyJob = job(postgresCopyJobName(name));
  // What the copy script said about its failure; read only while a failed copy is reported.
  const copyFailure =
    copyJob && jobOutcome(copyJob) === "failed"
      ? terminationMessage(
          (
            await deps.api.list(
              { apiVersion: "v1", plural: "pods" },
              namespace,
              `job-name=${postgresCopyJobName(name)}`,
            )
          ).items,
          "copy",
        )
      : undefined;
  return planPostgresUpgrade({
    requested,
    live,
    postgresPods: deps.cache
      .pods(namespace, name)
      .filter((p) => p.metadata?.labels?.[labelKeys.component] === "postgres").length,
    copyJob,
    pruneJob: current ? job(postgresPruneJobName(name, current.dataDirectory)) : undefined,
    backup,
    // Ready on the recorded server: rolled out onto it (appTemplateFor), not only still up.
    appAvailable:
      deploymentReadiness(app, "app", tracker.spec.app.autoscaling?.minReplicas).ready &&
      (current === undefined || appTemplateFor(app, current)),
    copyFailure,
  });
}

/**
 * The upgrade steps that are not desired objects: the verified backup taken first, and a copy
 * Job no longer wanted, deleted in the foreground so that it stays visible (and PostgreSQL
 * stopped) until its pod, which runs the old server, is gone.
 */
async function startUpgradeSteps(
  tracker: FinanceTracker,
  upgrade: UpgradePlan,
  deps: ReconcileDeps,
): Promise<void> {
  const { namespace, name } = tracker.metadata;
  if (upgrade.deleteCopyJob) {
    await deps.api.delete(
      {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: postgresCopyJobName(name), namespace },
      },
      "Foreground",
    );
    deps.onWrite?.("delete Job");
  }
  if (upgrade.createBackup) {
    await deps.api.apply({
      apiVersion,
      kind: backupKind,
      metadata: childMetadata(
        tracker,
        "backup",
        preUpgradeBackupName(name, tracker.spec.postgres.version),
        { annotations: { [verifyAnnotation]: "true" } },
      ),
      spec: { trackerRef: { name }, deleteStoredBackup: false },
    });
    deps.onWrite?.("apply FinanceTrackerBackup");
  }
}

/** Grows each claim whose requested size is below the spec's (a read first: claims are not cached). */
async function growClaims(resizes: readonly ClaimResize[], deps: ReconcileDeps): Promise<void> {
  for (const { claim, size } of resizes) {
    const { name = "", namespace = "" } = claim.metadata ?? {};
    const live = await deps.api.readClaim(namespace, name);
    if (!live || live.spec?.resources?.requests?.storage === size) continue;
    try {
      await deps.api.apply(claim);
      deps.onWrite?.("apply PersistentVolumeClaim");
    } catch (error) {
      throw new Error(`while growing PersistentVolumeClaim ${name} to ${size}`, { cause: error });
    }
  }
}

/**
 * Applies every desired object that differs from what is live; unchanged objects cost nothing.
 * Children are independent: one the API server refuses (a bad Ingress annotation) is reported by
 * name while every other is still applied. The credentials Secret is the exception: nothing may
 * start against a database whose passwords were never stored.
 */
async function applyChanged(
  desired: readonly KubernetesObject[],
  deps: ReconcileDeps,
): Promise<void> {
  const refused: Error[] = [];
  for (const object of desired) {
    try {
      await applyOne(object, deps);
    } catch (error) {
      const failure = new Error(
        `while applying ${object.kind ?? "object"} ${object.metadata?.name ?? ""}`,
        { cause: error },
      );
      if (object.kind === "Secret" || classifyError(error).kind === "conflict") throw failure;
      refused.push(failure);
    }
  }
  const [only] = refused;
  if (only && refused.length === 1) throw only;
  if (refused.length > 1) throw new AggregateError(refused, "several children were refused");
}

async function applyOne(object: KubernetesObject, deps: ReconcileDeps): Promise<void> {
  const key = objectKey(object);
  const live = deps.cache.get(
    object.kind ?? "",
    object.metadata?.namespace ?? "",
    object.metadata?.name ?? "",
  );
  const handover = replicasHandover(object, live);
  if (!handover && canSkipApply(object, live, deps.lastApplied.get(key))) return;
  if (handover) {
    await deps.api.applyAs(handover, replicasHandoverManager);
    deps.onWrite?.("apply Deployment replicas hand-over");
  }
  const applied = await deps.api.apply(object);
  deps.onWrite?.(`apply ${object.kind ?? ""}`);
  const rv = applied.metadata?.resourceVersion;
  if (rv) deps.lastApplied.set(key, rv);
}

async function pruneUnwanted(
  tracker: FinanceTracker,
  desired: readonly KubernetesObject[],
  deps: ReconcileDeps,
): Promise<void> {
  const observed = deps.cache.children(tracker.metadata.namespace, tracker.metadata.name);
  const prunableKinds = new Set<string | undefined>(
    ownedKinds.filter((k) => k.prunable).map((k) => k.kind),
  );
  // The upgrade plan deletes its copy Job itself, in the foreground (see startUpgradeSteps).
  const copyJob = postgresCopyJobName(tracker.metadata.name);
  const candidates = observed.filter(
    (o) => prunableKinds.has(o.kind) && !(o.kind === "Job" && o.metadata?.name === copyJob),
  );
  for (const object of prunable(tracker.metadata.uid, desired, candidates)) {
    deps.log.info(
      { kind: object.kind, name: object.metadata?.name },
      "deleting a child that is no longer wanted",
    );
    await deps.api.delete(object);
    deps.onWrite?.(`delete ${object.kind ?? ""}`);
    deps.lastApplied.delete(objectKey(object));
  }
}

async function observe(
  tracker: FinanceTracker,
  deps: ReconcileDeps,
  extra: {
    paused?: boolean;
    problem?: ErrorClass | { reason: Reason; message: string };
    backups?: BackupOutcome;
    restore?: RestoreState;
    upgrade?: UpgradePlan;
    credentials?: NonNullable<FinanceTrackerStatus["credentials"]>;
  },
): Promise<ObservedState> {
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  const monitoringWanted = tracker.spec.monitoring.serviceMonitor;
  const problem = extra.problem && "reason" in extra.problem ? extra.problem : undefined;
  return {
    postgres: deps.cache.get("StatefulSet", namespace, names.postgres),
    redis: deps.cache.get("Deployment", namespace, names.redis),
    app: deps.cache.get("Deployment", namespace, names.app),
    pods: deps.cache.pods(namespace, name),
    monitoring: !monitoringWanted
      ? "disabled"
      : (await deps.serviceMonitorAvailable())
        ? "ready"
        : "crd-missing",
    paused: extra.paused ?? false,
    ...(problem ? { problem: { reason: problem.reason, message: problem.message } } : {}),
    ...(extra.backups?.health ? { backup: extra.backups.health } : {}),
    ...(extra.restore?.state === "running" ? { restoring: extra.restore.message } : {}),
    ...(extra.upgrade
      ? {
          postgresRuntime: {
            version: extra.upgrade.runtime.major,
            ...(extra.upgrade.rollbackTo
              ? { rollbackVersion: extra.upgrade.rollbackTo.major }
              : {}),
            ...(extra.upgrade.progress ? { upgrade: extra.upgrade.progress } : {}),
          },
        }
      : {}),
    ...(extra.credentials ? { credentials: extra.credentials } : {}),
  };
}

/** Writes status only when it changed, and records an Event when Ready or Degraded flips. */
async function writeStatus(
  tracker: FinanceTracker,
  observed: ObservedState,
  deps: ReconcileDeps,
): Promise<void> {
  const next = computeStatus(tracker, observed, deps.now().toISOString());
  if (hashObject(next) === hashObject(tracker.status ?? {})) return;
  await deps.api.applyStatus(tracker, next);
  deps.onWrite?.("status");
  await recordTransitions(tracker, tracker.status, next, deps);
}

async function recordTransitions(
  tracker: FinanceTracker,
  before: FinanceTrackerStatus | undefined,
  after: FinanceTrackerStatus,
  deps: ReconcileDeps,
): Promise<void> {
  const flipped = (type: string) => {
    const now = findCondition(after.conditions, type);
    return now && findCondition(before?.conditions, type)?.status !== now.status ? now : undefined;
  };
  const ready = flipped(conditionTypes.ready);
  const degraded = flipped(conditionTypes.degraded);
  const events: EventSpec[] = [];
  // A brand-new tenant is not ready by definition; only a fall from Ready is news.
  const wasReady = findCondition(before?.conditions, conditionTypes.ready)?.status === "True";
  if (ready?.status === "True") events.push(["Normal", "Ready", ready.message]);
  if (ready?.status === "False" && wasReady) events.push(["Warning", "NotReady", ready.message]);
  if (degraded?.status === "True") events.push(["Warning", degraded.reason, degraded.message]);
  const upgrade = upgradeEvent(before?.postgres, after.postgres);
  if (upgrade) events.push(upgrade);
  for (const event of events) await recordEvent(tracker, event, deps);
}

type EventSpec = [type: "Normal" | "Warning", reason: string, message: string];

async function recordRotationEvent(
  tracker: FinanceTracker,
  event: { reason: string; message: string },
  deps: ReconcileDeps,
): Promise<void> {
  await recordEvent(tracker, ["Normal", event.reason, event.message], deps);
}

/** An Event for each step of a PostgreSQL major upgrade, and one when it is over. */
function upgradeEvent(
  before: FinanceTrackerStatus["postgres"],
  after: FinanceTrackerStatus["postgres"],
): EventSpec | undefined {
  const was = before?.upgrade;
  const now = after?.upgrade;
  if (now && (now.phase !== was?.phase || now.to !== was.to)) {
    const type = now.phase === "Failed" ? "Warning" : "Normal";
    return [type, `PostgresUpgrade${now.phase}`, now.message];
  }
  if (was && !now && after) {
    return after.version === was.to
      ? [
          "Normal",
          "PostgresUpgraded",
          `PostgreSQL ${String(was.to)} runs on the upgraded data; PostgreSQL ${String(was.from)}'s data is being removed`,
        ]
      : [
          "Normal",
          "PostgresRolledBack",
          `PostgreSQL ${String(after.version)} runs on its data from before the upgrade`,
        ];
  }
  return undefined;
}

/**
 * Events are best effort: a namespace being deleted refuses new ones, and that must never
 * block a finalizer or fail a reconcile.
 */
async function recordEvent(
  tracker: FinanceTracker,
  [type, reason, message]: EventSpec,
  deps: ReconcileDeps,
): Promise<void> {
  try {
    await deps.api.event(tracker, type, reason, message, deps.now());
  } catch (error) {
    deps.log.warn({ reason, error: classifyError(error).kind }, "could not record an event");
  }
}

/**
 * Deletion: with `Retain` the credentials Secret and the data volume stay (neither has an owner
 * garbage collection could follow, whatever the propagation policy); with `Delete` both are
 * deleted here. Then the finalizer goes and garbage collection removes every other child.
 */
async function finalize(tracker: FinanceTracker, deps: ReconcileDeps): Promise<Result> {
  if (!tracker.metadata.finalizers?.includes(finalizer)) return {};
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  deps.verifiedCredentials.delete(`${namespace}/${name}`);
  if (tracker.spec.deletionPolicy === "Delete") {
    // The StatefulSet's retention policy deletes its claims too; this covers a policy changed late.
    await deps.api.delete({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: names.postgresDataClaim, namespace },
    });
    await deps.api.delete({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: names.credentialsSecret, namespace },
    });
    // Jobs of on-demand backups belong to those backups, which outlive the tenant as records of
    // what is stored; with the tenant's data gone, nothing is left for their Jobs to do or say.
    for (const job of deps.cache.children(namespace, name).filter((c) => c.kind === "Job"))
      await deps.api.delete(job);
  } else {
    // Secrets from before credentials went without an owner reference still carry one.
    const secret = await deps.api.readSecret(namespace, names.credentialsSecret);
    if (secret?.metadata?.ownerReferences?.length) {
      await deps.api.apply({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: secret.metadata.name, namespace, labels: secret.metadata.labels ?? {} },
        data: secret.data ?? {},
      });
    }
    await recordEvent(
      tracker,
      [
        "Normal",
        "Retained",
        `kept Secret ${names.credentialsSecret} and the database volume (deletionPolicy Retain)`,
      ],
      deps,
    );
  }
  await deps.api.applyFinalizers(tracker, []);
  deps.onWrite?.("finalizer");
  return {};
}
