import { randomBytes } from "node:crypto";
import type { KubernetesObject, V1Deployment, V1Job, V1Pod } from "@kubernetes/client-node";
import type { FinanceTracker, FinanceTrackerStatus } from "./api/v1alpha1.ts";
import type { BuildContext } from "./context.ts";
import {
  credentialsFingerprint,
  credentialsFingerprintAnnotation,
  credentialsFieldManager,
} from "./credentials-guard.ts";
import {
  applySecretChange,
  credentialsRevisionAnnotation,
  newRotation,
  planRotation,
  rotateCredentialsAnnotation,
  type RotationPlan,
} from "./credentials-rotation.ts";
import { childNames, labelKeys, rotationJobName } from "./names.ts";
import type { UpgradePlan } from "./postgres-upgrade.ts";
import type { RestoreState } from "./backup/reconcile-backups.ts";
import type { ReconcileDeps } from "./reconcile.ts";
import { buildCredentialsNetworkPolicy } from "./resources/network/policies.ts";
import { buildRotationJob } from "./resources/secret/rotation-jobs.ts";
import { deploymentReadiness, statefulSetReadiness } from "./status.ts";

/** A credentials rotation's step in this pass: the context to build with, and its own children. */
export interface RotationStep {
  /** The build context with the Secret's values after this step's change. */
  ctx: BuildContext;
  /** The step's Job and the NetworkPolicy that lets it reach PostgreSQL and Redis. */
  objects: KubernetesObject[];
  plan: RotationPlan;
  status: NonNullable<FinanceTrackerStatus["credentials"]>;
}

/** Plans the rotation from what the caches know, and applies its Secret change to the context. */
export async function planCredentialsRotation(
  tracker: FinanceTracker,
  ctx: BuildContext,
  upgrade: UpgradePlan,
  restore: RestoreState,
  deps: ReconcileDeps,
): Promise<RotationStep> {
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  const credentials = ctx.credentials;
  const request = credentials.rotation?.request;
  const job = (step: "prepare" | "finish") =>
    request ? deps.cache.get("Job", namespace, rotationJobName(name, request, step)) : undefined;
  const prepareJob = job("prepare");
  const finishJob = job("finish");
  const app = deps.cache.get("Deployment", namespace, names.app);
  const requested = tracker.metadata.annotations?.[rotateCredentialsAnnotation]?.trim();
  const plan = planRotation({
    requested,
    credentials,
    blocker: blocker(tracker, upgrade, restore, deps),
    prepareJob,
    finishJob,
    jobFailure: await jobFailure([prepareJob, finishJob], namespace, deps),
    appRolledOut:
      request !== undefined && rolledOut(app, deps.cache.pods(namespace, name), request, tracker),
  });
  const next = plan.change
    ? applySecretChange(
        credentials,
        plan.change,
        () => newRotation(requested ?? "", randomBytes),
        deps.now(),
      )
    : credentials;
  const jobRequest = next.rotation?.request;
  const objects =
    plan.job && jobRequest
      ? [
          buildRotationJob(tracker, { ...ctx, credentials: next }, jobRequest, plan.job),
          buildCredentialsNetworkPolicy(tracker),
        ]
      : [];
  return {
    ctx: { ...ctx, credentials: next },
    objects,
    plan,
    status: {
      ...(plan.progress ? { rotation: plan.progress } : {}),
      ...(next.rotated
        ? { lastRotation: { request: next.rotated.request, time: next.rotated.at } }
        : {}),
    },
  };
}

/**
 * The last step, before the Secret forgets the old passwords: the data claim's fingerprint moves
 * to the new PostgreSQL password, so the credentials guard keeps trusting the Secret.
 */
export async function recordRotatedPassword(
  tracker: FinanceTracker,
  step: RotationStep,
  deps: ReconcileDeps,
): Promise<void> {
  if (step.plan.change !== "complete") return;
  const { namespace, name } = tracker.metadata;
  const fingerprint = credentialsFingerprint(step.ctx.credentials.postgresPassword);
  await annotateClaimFingerprint(namespace, childNames(name).postgresDataClaim, fingerprint, deps);
  deps.verifiedCredentials.set(`${namespace}/${name}`, fingerprint);
}

/** Records on the data claim the fingerprint of the PostgreSQL password its data now holds. */
export async function annotateClaimFingerprint(
  namespace: string,
  claimName: string,
  fingerprint: string,
  deps: ReconcileDeps,
): Promise<void> {
  await deps.api.applyAs(
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName,
        namespace,
        annotations: { [credentialsFingerprintAnnotation]: fingerprint },
      },
    },
    credentialsFieldManager,
  );
  deps.onWrite?.("annotate PersistentVolumeClaim");
}

/** Why a rotation may not start now: it needs every part running, and nothing else in flight. */
function blocker(
  tracker: FinanceTracker,
  upgrade: UpgradePlan,
  restore: RestoreState,
  deps: ReconcileDeps,
): string | undefined {
  const { namespace, name } = tracker.metadata;
  const names = childNames(name);
  if (restore.state !== "none") return "waiting for the restore to finish";
  if (upgrade.progress) return "waiting for the PostgreSQL upgrade to finish";
  const parts = [
    statefulSetReadiness(deps.cache.get("StatefulSet", namespace, names.postgres), "PostgreSQL"),
    deploymentReadiness(deps.cache.get("Deployment", namespace, names.redis), "Redis"),
    deploymentReadiness(
      deps.cache.get("Deployment", namespace, names.app),
      "app",
      tracker.spec.app.autoscaling?.minReplicas,
    ),
  ];
  const waiting = parts.filter((p) => !p.ready).map((p) => p.message);
  return waiting.length > 0
    ? `waiting for every part to be ready (${waiting.join("; ")})`
    : undefined;
}

/**
 * The app runs the rotation's credentials everywhere: its template carries the request, the
 * rollout is complete, and no pod of an older template is left, not even a terminating one
 * still answering requests (it would open connections with the old password).
 */
function rolledOut(
  app: V1Deployment | undefined,
  pods: readonly V1Pod[],
  request: string,
  tracker: FinanceTracker,
): boolean {
  if (app?.spec?.template.metadata?.annotations?.[credentialsRevisionAnnotation] !== request) {
    return false;
  }
  if (!deploymentReadiness(app, "app", tracker.spec.app.autoscaling?.minReplicas).ready)
    return false;
  return pods
    .filter((p) => p.metadata?.labels?.[labelKeys.component] === "app")
    .every((p) => p.metadata?.annotations?.[credentialsRevisionAnnotation] === request);
}

/** What the failed containers of a failed rotation Job said. */
async function jobFailure(
  jobs: readonly (V1Job | undefined)[],
  namespace: string,
  deps: ReconcileDeps,
): Promise<string | undefined> {
  const failed = jobs.find((j) =>
    (j?.status?.conditions ?? []).some((c) => c.type === "Failed" && c.status === "True"),
  );
  const jobName = failed?.metadata?.name;
  if (!jobName) return undefined;
  const pods = (
    await deps.api.list({ apiVersion: "v1", plural: "pods" }, namespace, `job-name=${jobName}`)
  ).items as V1Pod[];
  const said = pods.flatMap((pod) =>
    (pod.status?.containerStatuses ?? [])
      .filter((c) => (c.state?.terminated?.exitCode ?? 0) !== 0)
      .map((c) => `${c.name}: ${c.state?.terminated?.message?.trim() ?? "failed"}`),
  );
  return [...new Set(said)].join("; ") || undefined;
}
