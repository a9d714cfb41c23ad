import type { KubernetesObject, V1Deployment, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { fieldManager } from "./names.ts";

/**
 * The field manager that takes spec.replicas over from ours when a tenant turns autoscaling on.
 * Server-side apply removes a field its manager stops setting when no one else owns it, and the
 * API server then defaults replicas to 1: a tenant running 3 app pods would drop to 1 until the
 * HorizontalPodAutoscaler scaled it back. Applying the current count under this second manager
 * first makes it a co-owner, so our next apply (without replicas) leaves the value for the HPA.
 * This is the hand-over the Kubernetes documentation describes for moving to an HPA.
 */
export const replicasHandoverManager = "fintrack-operator-replicas-handover";

/** Whether a managedFields entry of ours, from an apply, owns spec.replicas. */
export function ownsReplicas(entry: V1ManagedFieldsEntry): boolean {
  if (entry.manager !== fieldManager || entry.operation !== "Apply") return false;
  const fields = entry.fieldsV1 as { "f:spec"?: Record<string, unknown> } | undefined;
  return fields?.["f:spec"]?.["f:replicas"] !== undefined;
}

/**
 * The apply that hands spec.replicas over before `desired` stops setting it, or undefined when
 * none is needed: `desired` is not a Deployment, still sets replicas, does not exist yet, or our
 * manager no longer owns the field (the hand-over happened).
 */
export function replicasHandover(
  desired: KubernetesObject,
  live: KubernetesObject | undefined,
): V1Deployment | undefined {
  if (desired.kind !== "Deployment" || live === undefined) return undefined;
  if ((desired as V1Deployment).spec?.replicas !== undefined) return undefined;
  const replicas = (live as V1Deployment).spec?.replicas;
  if (replicas === undefined) return undefined;
  if (!(live.metadata?.managedFields ?? []).some(ownsReplicas)) return undefined;
  const { name, namespace } = live.metadata ?? {};
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: { replicas } as V1Deployment["spec"],
  };
}
