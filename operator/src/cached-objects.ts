import type { KubernetesObject, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { ownsReplicas } from "./replicas-handover.ts";

// What the operator keeps of the objects it watches. The API server's managedFields are often
// the largest part of an object (every field of every manager, twice over for Deployments and
// StatefulSets), and the operator reads only one fact from them: whether its own apply still owns
// a Deployment's spec.replicas (replicas-handover.ts). A thousand tenants' children must fit in
// the operator's memory, so the rest is dropped as each object enters the cache.

/** The one managedFields entry the operator reads, reduced to the field it asks about. */
const replicasOwnership = (entry: V1ManagedFieldsEntry): V1ManagedFieldsEntry => ({
  manager: entry.manager,
  operation: entry.operation,
  fieldsV1: { "f:spec": { "f:replicas": {} } },
});

/**
 * A child the operator applies, as it caches it: everything but managedFields, of which only our
 * own apply's ownership of spec.replicas survives (when it exists).
 */
export function slimChild(object: KubernetesObject): KubernetesObject {
  const { managedFields, ...metadata } = object.metadata ?? {};
  const kept = (managedFields ?? []).filter(ownsReplicas).map(replicasOwnership);
  return { ...object, metadata: kept.length > 0 ? { ...metadata, managedFields: kept } : metadata };
}

/** A FinanceTracker or FinanceTrackerBackup, as cached: without managedFields, never read. */
export function withoutManagedFields(object: KubernetesObject): KubernetesObject {
  const metadata = { ...object.metadata };
  delete metadata.managedFields;
  return { ...object, metadata };
}
