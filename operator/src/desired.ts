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
  const optional: (KubernetesObject | undefined)[] = [
    needsPodDisruptionBudget(spec) ? buildAppPodDisruptionBudget(tracker) : undefined,
    buildAppHorizontalPodAutoscaler(tracker),
    buildIngress(tracker),
    wantsServiceMonitor(tracker, ctx) ? buildServiceMonitor(tracker) : undefined,
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
    buildAppDeployment(tracker, ctx),
    ...optional.filter((o): o is KubernetesObject => o !== undefined),
  ];
}
