import type {
  V1PodSecurityContext,
  V1Probe,
  V1ResourceRequirements,
  V1StatefulSet,
} from "@kubernetes/client-node";
import type { FinanceTracker, PostgresVersion } from "../../api/v1alpha1.ts";
import {
  formatRuntime,
  initialDataDirectory,
  postgresAnnotations,
  type PostgresRuntime,
} from "../../postgres-upgrade.ts";
import { credentialKeys, database, ports, type BuildContext } from "../../context.ts";
import { childLabels, childMetadata, childNames, selectorLabels } from "../../names.ts";
import { withDefaults } from "../resources.ts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../security.ts";

/** The `postgres` user and group of the Alpine PostgreSQL images. */
const postgresId = 70;

export const dataMountPath = "/var/lib/postgresql/data";

const defaultResources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } };

/** The server's resources, which the upgrade's copy Job gets too. */
export function postgresResources(tracker: FinanceTracker): V1ResourceRequirements {
  return withDefaults(tracker.spec.postgres.resources, defaultResources);
}

/**
 * Which major runs, on which folder of the data volume, and whether it runs at all: decided by
 * planPostgresUpgrade; a new tenant runs its spec's version on the first folder.
 */
export interface PostgresRuntimePlan {
  runtime: PostgresRuntime;
  replicas: 0 | 1;
  rollbackTo?: PostgresRuntime;
  pruned: string;
}

function initialPlan(tracker: FinanceTracker): PostgresRuntimePlan {
  const runtime = { major: tracker.spec.postgres.version, dataDirectory: initialDataDirectory };
  return { runtime, replicas: 1, pruned: runtime.dataDirectory };
}

/** The annotations that remember the plan on the StatefulSet (see postgres-upgrade.ts). */
function runtimeAnnotations(plan: PostgresRuntimePlan): Record<string, string> {
  return {
    [postgresAnnotations.major]: String(plan.runtime.major),
    [postgresAnnotations.dataDirectory]: plan.runtime.dataDirectory,
    [postgresAnnotations.pruned]: plan.pruned,
    ...(plan.rollbackTo
      ? { [postgresAnnotations.rollbackTo]: formatRuntime(plan.rollbackTo) }
      : {}),
  };
}

// Over TCP on purpose: while the entrypoint initialises the database, its temporary server listens
// on the Unix socket only, so the pod turns ready when the real server is up, not before.
function isReady(): V1Probe["exec"] {
  return {
    command: [
      "pg_isready",
      "-U",
      database.user,
      "-d",
      database.name,
      "-h",
      "127.0.0.1",
      "-p",
      String(ports.postgres),
    ],
  };
}

/** The tenant's single-instance PostgreSQL, keeping its data on a volume from a claim template. */
export function buildPostgresStatefulSet(
  tracker: FinanceTracker,
  ctx: BuildContext,
  plan: PostgresRuntimePlan = initialPlan(tracker),
): V1StatefulSet {
  const name = tracker.metadata.name;
  const names = childNames(name);
  const { postgres } = tracker.spec;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: childMetadata(tracker, "postgres", names.postgres, {
      annotations: runtimeAnnotations(plan),
    }),
    spec: {
      replicas: plan.replicas,
      serviceName: names.postgresHeadless,
      selector: { matchLabels: selectorLabels(name, "postgres") },
      updateStrategy: { type: "RollingUpdate" },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: tracker.spec.deletionPolicy === "Delete" ? "Delete" : "Retain",
        whenScaled: "Retain",
      },
      template: {
        metadata: { labels: childLabels(name, "postgres") },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 60,
          securityContext: postgresPodSecurityContext(),
          containers: [
            {
              name: "postgres",
              image: ctx.images.postgres(plan.runtime.major as PostgresVersion),
              env: [
                { name: "POSTGRES_USER", value: database.user },
                { name: "POSTGRES_DB", value: database.name },
                {
                  name: "POSTGRES_PASSWORD",
                  valueFrom: {
                    secretKeyRef: {
                      name: names.credentialsSecret,
                      key: credentialKeys.postgresPassword,
                    },
                  },
                },
                // A subfolder, not the mount itself: a fresh volume may hold lost+found, which
                // initdb refuses; each major's copy gets its own folder beside it.
                { name: "PGDATA", value: `${dataMountPath}/${plan.runtime.dataDirectory}` },
              ],
              ports: [{ name: "postgres", containerPort: ports.postgres, protocol: "TCP" }],
              resources: postgresResources(tracker),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: names.postgresDataClaimTemplate, mountPath: dataMountPath },
                { name: "run", mountPath: "/var/run/postgresql" },
                { name: "tmp", mountPath: "/tmp" },
                { name: "shm", mountPath: "/dev/shm" },
              ],
              // First start runs initdb, and a start after an unclean stop replays WAL: allow 5 minutes.
              startupProbe: {
                exec: isReady(),
                periodSeconds: 5,
                timeoutSeconds: 5,
                failureThreshold: 60,
              },
              readinessProbe: {
                exec: isReady(),
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                exec: isReady(),
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 6,
              },
            },
          ],
          volumes: [
            { name: "run", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
            // PostgreSQL's dynamic shared memory (parallel queries) lives in /dev/shm, which the
            // container runtime caps at 64Mi; memory-backed, it counts against the pod's memory.
            { name: "shm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          // No owner reference: the StatefulSet controller owns the claims it stamps out, as the
          // retention policy says. No managed-by label either, so that pruning by label never
          // mistakes a claim (which is never among the desired objects) for an orphan.
          metadata: {
            name: names.postgresDataClaimTemplate,
            labels: selectorLabels(name, "postgres"),
          },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: postgres.storage.size } },
            ...(postgres.storage.storageClassName === undefined
              ? {}
              : { storageClassName: postgres.storage.storageClassName }),
          },
        },
      ],
    },
  };
}

export function postgresPodSecurityContext(): V1PodSecurityContext {
  const context = restrictedPodSecurityContext(postgresId, postgresId);
  // Walk the (possibly large) data volume only when its root is not already ours.
  context.fsGroupChangePolicy = "OnRootMismatch";
  return context;
}
