import type { V1Deployment, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { FinanceTracker, FinanceTrackerStatus } from "./api/v1alpha1.ts";
import {
  conditionTypes,
  mergeConditions,
  reasons,
  type ConditionInput,
  type Reason,
} from "./conditions.ts";
import { tenantUrl } from "./resources/ingress/ingress.ts";
import type { BackupHealth } from "./backup/status.ts";
import { labelKeys, type Component } from "./names.ts";
import { podProblem } from "./pod-problems.ts";

/** What the operator saw of a tenant in this pass; the only input status depends on besides the spec. */
export interface ObservedState {
  postgres?: V1StatefulSet;
  redis?: V1Deployment;
  app?: V1Deployment;
  /** The pods of all three, told apart by their component label: they say why one is not ready. */
  pods?: readonly V1Pod[];
  monitoring: "ready" | "crd-missing" | "disabled";
  /** A failure of this pass, already classified: it makes the tenant Degraded. */
  problem?: { reason: Reason; message: string };
  paused: boolean;
  /** BackupHealthy and lastBackup, when spec.backup is set and this pass looked at backups. */
  backup?: BackupHealth;
  /** Why the app is not deployed yet: the database is being restored. */
  restoring?: string;
  /** PostgreSQL's running major and upgrade, when this pass planned them (not while paused). */
  postgresRuntime?: NonNullable<FinanceTrackerStatus["postgres"]>;
  /** The credentials rotation, when this pass planned it (not while paused). */
  credentials?: NonNullable<FinanceTrackerStatus["credentials"]>;
}

/**
 * `serving`: at least one replica is ready, so the component works for users. `ready`: its
 * rollout is complete, every replica on the latest spec. A tenant is Ready while every component
 * serves, and Progressing until every rollout completes: scaling up is not an outage.
 */
export interface ComponentReadiness {
  ready: boolean;
  serving: boolean;
  message: string;
}

/** A StatefulSet is ready when the controller saw its latest spec and every replica runs it and is ready. */
export function statefulSetReadiness(
  sts: V1StatefulSet | undefined,
  what: string,
): ComponentReadiness {
  if (!sts) return { ready: false, serving: false, message: `${what} not created yet` };
  const want = sts.spec?.replicas ?? 1;
  const s = sts.status;
  const seen = (s?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0);
  const ready = s?.readyReplicas ?? 0;
  const updated = s?.updatedReplicas ?? 0;
  const revisionCurrent = !s?.updateRevision || s.updateRevision === s.currentRevision;
  if (seen && ready >= want && updated >= want && revisionCurrent) {
    return { ready: true, serving: true, message: `${what}: ${ready}/${want} ready` };
  }
  return {
    ready: false,
    serving: ready > 0,
    message: `${what}: ${ready}/${want} ready${seen && revisionCurrent ? "" : ", rolling out"}`,
  };
}

/** A Deployment is ready when its rollout is complete: all replicas updated, available, no old ones left. */
export function deploymentReadiness(
  deployment: V1Deployment | undefined,
  what: string,
  minimum = 1,
): ComponentReadiness {
  if (!deployment) return { ready: false, serving: false, message: `${what} not created yet` };
  const s = deployment.status;
  // An autoscaled Deployment starts at 1 replica until its HPA raises it to minReplicas: it is
  // not ready before it runs at least that many.
  const want = Math.max(deployment.spec?.replicas ?? 1, minimum);
  const seen = (s?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const available = s?.availableReplicas ?? 0;
  const updated = s?.updatedReplicas ?? 0;
  const total = s?.replicas ?? 0;
  if (seen && available >= want && updated >= want && total === updated) {
    return { ready: true, serving: true, message: `${what}: ${available}/${want} available` };
  }
  const rolling = !seen || total !== updated ? ", rolling out" : "";
  return {
    ready: false,
    serving: available > 0,
    message: `${what}: ${available}/${want} available${rolling}`,
  };
}

/**
 * A component that is not ready, with the most telling problem of its pods appended:
 * `app: 0/2 available, pod acme-app-7d9f-x2k: container migrate is CrashLoopBackOff (exit 1)`.
 */
function withPodProblem(
  readiness: ComponentReadiness,
  component: Component,
  pods: readonly V1Pod[],
): ComponentReadiness {
  if (readiness.ready) return readiness;
  const problem = podProblem(
    pods.filter((p) => p.metadata?.labels?.[labelKeys.component] === component),
  );
  return problem ? { ...readiness, message: `${readiness.message}, ${problem}` } : readiness;
}

function monitoringCondition(monitoring: ObservedState["monitoring"]): ConditionInput {
  const type = conditionTypes.monitoring;
  switch (monitoring) {
    case "ready":
      return {
        type,
        status: "True",
        reason: reasons.serviceMonitorReady,
        message: "ServiceMonitor in place",
      };
    case "crd-missing":
      return {
        type,
        status: "False",
        reason: reasons.prometheusOperatorNotInstalled,
        message:
          "the monitoring.coreos.com ServiceMonitor CRD is not installed; the app's /metrics is not scraped",
      };
    case "disabled":
      return {
        type,
        status: "False",
        reason: reasons.monitoringDisabled,
        message: "spec.monitoring.serviceMonitor is false",
      };
  }
}

/** Paused, upgrading PostgreSQL, rolling out or done: in that order of precedence. */
function progressingCondition(
  observed: ObservedState,
  allReady: boolean,
  waiting: readonly string[],
): ConditionInput {
  const type = conditionTypes.progressing;
  if (observed.paused) {
    return {
      type,
      status: "False",
      reason: reasons.paused,
      message: "reconciliation is paused by the fintrack.dev/paused annotation",
    };
  }
  const upgrade = observed.postgresRuntime?.upgrade;
  if (upgrade && upgrade.phase !== "Failed") {
    return {
      type,
      status: "True",
      reason: reasons.upgradingPostgres,
      message: `PostgreSQL ${String(upgrade.from)} to ${String(upgrade.to)}: ${upgrade.message}`,
    };
  }
  const rotation = observed.credentials?.rotation;
  if (rotation && rotation.phase !== "Failed" && rotation.phase !== "Waiting") {
    return {
      type,
      status: "True",
      reason: reasons.rotatingCredentials,
      message: `credentials rotation ${rotation.request}: ${rotation.message}`,
    };
  }
  if (allReady) {
    return {
      type,
      status: "False",
      reason: reasons.reconcileComplete,
      message: "the tenant matches its spec",
    };
  }
  return { type, status: "True", reason: reasons.rollingOut, message: waiting.join("; ") };
}

function phaseOf(
  observed: ObservedState,
  allReady: boolean,
  anyObserved: boolean,
): NonNullable<FinanceTrackerStatus["phase"]> {
  if (observed.paused) return "Paused";
  if (observed.problem) return "Degraded";
  if (allReady) return "Ready";
  return anyObserved ? "Provisioning" : "Pending";
}

/**
 * The status a FinanceTracker should show, from its spec, what was observed and its previous
 * status. Pure: `now` is used only for conditions whose status flips.
 */
export function computeStatus(
  tracker: FinanceTracker,
  observed: ObservedState,
  now: string,
): FinanceTrackerStatus {
  const pods = observed.pods ?? [];
  const components = {
    postgres: withPodProblem(
      statefulSetReadiness(observed.postgres, "PostgreSQL"),
      "postgres",
      pods,
    ),
    redis: withPodProblem(deploymentReadiness(observed.redis, "Redis"), "redis", pods),
    app: observed.restoring
      ? { ready: false, serving: false, message: observed.restoring }
      : withPodProblem(
          deploymentReadiness(observed.app, "app", tracker.spec.app.autoscaling?.minReplicas),
          "app",
          pods,
        ),
  };
  const parts = Object.values(components);
  const allServing = parts.every((c) => c.serving);
  const allReady = parts.every((c) => c.ready);
  const anyObserved = Boolean(observed.postgres ?? observed.redis ?? observed.app);
  const waiting = parts.filter((c) => !c.ready).map((c) => c.message);
  const down = parts.filter((c) => !c.serving).map((c) => c.message);

  const ready: ConditionInput = allServing
    ? {
        type: conditionTypes.ready,
        status: "True",
        reason: reasons.allComponentsReady,
        message: "PostgreSQL, Redis and the app are serving",
      }
    : {
        type: conditionTypes.ready,
        status: "False",
        reason: reasons.componentsNotReady,
        message: down.join("; "),
      };
  const progressing = progressingCondition(observed, allReady, waiting);
  const degraded: ConditionInput = observed.problem
    ? {
        type: conditionTypes.degraded,
        status: "True",
        reason: observed.problem.reason,
        message: observed.problem.message,
      }
    : {
        type: conditionTypes.degraded,
        status: "False",
        reason: reasons.asExpected,
        message: "no problems",
      };

  const generation = tracker.metadata.generation;
  const backup = backupStatus(tracker, observed);
  return {
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    phase: phaseOf(observed, allServing, anyObserved),
    url: tenantUrl(tracker),
    conditions: mergeConditions(
      tracker.status?.conditions,
      [
        ready,
        progressing,
        degraded,
        monitoringCondition(observed.monitoring),
        ...(backup.condition ? [backup.condition] : []),
      ],
      generation,
      now,
    ),
    components: {
      postgres: { ready: components.postgres.ready, message: components.postgres.message },
      redis: { ready: components.redis.ready, message: components.redis.message },
      app: { ready: components.app.ready, message: components.app.message },
    },
    ...(backup.lastBackup ? { lastBackup: backup.lastBackup } : {}),
    ...postgresStatus(tracker, observed),
    ...credentialsStatus(tracker, observed),
  };
}

/** status.credentials: as planned in this pass, else (a paused pass) as it was. */
function credentialsStatus(
  tracker: FinanceTracker,
  observed: ObservedState,
): Pick<FinanceTrackerStatus, "credentials"> {
  const credentials = observed.credentials ?? tracker.status?.credentials;
  return credentials && Object.keys(credentials).length > 0 ? { credentials } : {};
}

/** status.postgres: as planned in this pass, else (a paused pass) as it was. */
function postgresStatus(
  tracker: FinanceTracker,
  observed: ObservedState,
): Pick<FinanceTrackerStatus, "postgres"> {
  const postgres = observed.postgresRuntime ?? tracker.status?.postgres;
  return postgres ? { postgres } : {};
}

/**
 * BackupHealthy and lastBackup: as observed, else (a paused pass, which looks at no backups)
 * carried over from the previous status so that pausing does not make them flap.
 */
function backupStatus(
  tracker: FinanceTracker,
  observed: ObservedState,
): { condition?: ConditionInput; lastBackup?: FinanceTrackerStatus["lastBackup"] } {
  if (!tracker.spec.backup) return {};
  if (observed.backup) return observed.backup;
  const previous = tracker.status?.conditions?.find((c) => c.type === conditionTypes.backupHealthy);
  return {
    ...(previous
      ? {
          condition: {
            type: previous.type,
            status: previous.status,
            reason: previous.reason as Reason,
            message: previous.message,
          },
        }
      : {}),
    ...(tracker.status?.lastBackup ? { lastBackup: tracker.status.lastBackup } : {}),
  };
}
