/**
 * The kinds of object a tenant owns, with what the operator needs to list, watch and prune them.
 * One table, so informers, prune and RBAC stay in step.
 */
export interface OwnedKind {
  apiVersion: string;
  kind: string;
  /** The REST path segment: `/apis/<group>/<version>/namespaces/<ns>/<plural>`. */
  plural: string;
  /** Deleted when no longer desired. PVCs are not: they hold the tenant's data. */
  prunable: boolean;
  /** Only watched when its CRD is installed (ServiceMonitor). */
  optional?: boolean;
  /** Not watched: claims come from the StatefulSet's template without our managed-by label. */
  unwatched?: boolean;
}

export const ownedKinds: readonly OwnedKind[] = [
  { apiVersion: "v1", kind: "Secret", plural: "secrets", prunable: true },
  { apiVersion: "v1", kind: "Service", plural: "services", prunable: true },
  { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", prunable: true },
  {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    prunable: false,
  },
  { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", prunable: true },
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", prunable: true },
  {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    prunable: true,
  },
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    prunable: true,
  },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses", prunable: true },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    prunable: true,
  },
  { apiVersion: "batch/v1", kind: "Job", plural: "jobs", prunable: true },
  // Watched by its own informer, unfiltered: users create on-demand backups without our labels.
  // Never pruned: a backup object records a stored backup, whatever the spec says now.
  {
    apiVersion: "fintrack.dev/v1alpha1",
    kind: "FinanceTrackerBackup",
    plural: "financetrackerbackups",
    prunable: false,
    unwatched: true,
  },
  {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    plural: "servicemonitors",
    prunable: true,
    optional: true,
  },
];

/** The REST collection path of a kind, cluster-wide or in one namespace. */
export function collectionPath(
  kind: Pick<OwnedKind, "apiVersion" | "plural">,
  namespace?: string,
): string {
  const base = kind.apiVersion.includes("/")
    ? `/apis/${kind.apiVersion}`
    : `/api/${kind.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${kind.plural}` : `${base}/${kind.plural}`;
}

/** A stable identity for one object: `Kind/namespace/name`. */
export function objectKey(o: {
  kind?: string;
  metadata?: { namespace?: string; name?: string };
}): string {
  return `${o.kind ?? ""}/${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}
