import type { KubernetesObject } from "@kubernetes/client-node";
import type { FinanceTracker } from "./api/v1alpha1.ts";
import type { BuildContext } from "./context.ts";
import { buildAppDeployment } from "./resources/app/deployment.ts";
import { buildAppHorizontalPodAutoscaler } from "./resources/app/hpa.ts";
import { buildAppPodDisruptionBudget, needsPodDisruptionBudget } from "./resources/app/pdb.ts";
import { buildAppService } from "./resources/app/service.ts";
import { buildAppServiceAccount } from "./resources/app/service-account.ts";
import { buildIngress } from "./resources/ingress/ingress.ts";
import { buildServiceMonitor } from "./resources/monitoring/service-monitor.ts";
import {
  buildAppNetworkPolicy,
  buildPostgresNetworkPolicy,
  buildRedisNetworkPolicy,
} from "./resources/network/policies.ts";
import { buildPostgresStatefulSet } from "./resources/postgres/statefulset.ts";
import {
  buildPostgresHeadlessService,
  buildPostgresService,
} from "./resources/postgres/services.ts";
import { buildRedisDeployment } from "./resources/redis/deployment.ts";
import { buildRedisService } from "./resources/redis/service.ts";
import { buildCredentialsSecret } from "./resources/secret/credentials.ts";
import { buildRestoreJob } from "./resources/backup/job.ts";
import { buildBackupNetworkPolicy } from "./resources/backup/network-policy.ts";

/** Whether the tenant gets a ServiceMonitor: asked for, and the Prometheus Operator is installed. */
export function wantsServiceMonitor(tracker: FinanceTracker, ctx: BuildContext): boolean {
  return tracker.spec.monitoring.serviceMonitor && ctx.serviceMonitorAvailable;
}

/**
 * Every child a tenant should have, decided from its spec and the build context. Optional
 * children (PodDisruptionBudget, HorizontalPodAutoscaler, Ingress, ServiceMonitor) are simply
 * absent when not wanted; prune then removes any that exist.
 */
export function desiredObjects(tracker: FinanceTracker, ctx: BuildContext): KubernetesObject[] {
  const { spec } = tracker;
  // A tenant restored from a backup gets its app only once the restore Job has succeeded, so
  // neither migrations nor users ever meet a half-restored database.
  const app = !ctx.awaitingRestore;
  const optional: (KubernetesObject | undefined)[] = [
    app && needsPodDisruptionBudget(spec) ? buildAppPodDisruptionBudget(tracker) : undefined,
    app ? buildAppHorizontalPodAutoscaler(tracker) : undefined,
    buildIngress(tracker),
    wantsServiceMonitor(tracker, ctx) ? buildServiceMonitor(tracker) : undefined,
    buildBackupNetworkPolicy(tracker),
    // Only while awaited: afterwards the finished Job is pruned, and the app (which then exists)
    // is never withheld again, whatever becomes of the Job.
    ctx.awaitingRestore ? buildRestoreJob(tracker, ctx) : undefined,
    app ? buildAppDeployment(tracker, ctx) : undefined,
  ];
  return [
    buildCredentialsSecret(tracker, ctx.credentials),
    buildAppServiceAccount(tracker),
    buildPostgresNetworkPolicy(tracker),
    buildRedisNetworkPolicy(tracker),
    buildAppNetworkPolicy(tracker, ctx),
    buildPostgresHeadlessService(tracker),
    buildPostgresService(tracker),
    buildPostgresStatefulSet(tracker, ctx),
    buildRedisService(tracker),
    buildRedisDeployment(tracker, ctx),
    buildAppService(tracker),
    ...optional.filter((o): o is KubernetesObject => o !== undefined),
  ];
}
