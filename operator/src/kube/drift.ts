import { createHash } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";

/** The annotation recording the hash of what the operator last applied to an object. */
export const appliedHashAnnotation = "fintrack.dev/applied-hash";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A short, stable hash of a desired object (key order does not matter). */
export function hashObject(o: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(o)))
    .digest("hex")
    .slice(0, 16);
}

/**
 * True when every field of `desired` has the same value in `live`. Extra fields in `live`
 * (defaults, status, other managers' fields) do not matter; arrays must match element-wise.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      desired.length === live.length &&
      desired.every((d, i) => isSubset(d, live[i]))
    );
  }
  if (desired && typeof desired === "object") {
    if (!live || typeof live !== "object" || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired).every(([k, v]) => isSubset(v, l[k]));
  }
  return desired === live;
}

/** A desired object stamped with the hash of its own content, ready to apply. */
export function withAppliedHash<T extends KubernetesObject>(desired: T): T {
  const hash = hashObject(desired);
  return {
    ...desired,
    metadata: {
      ...desired.metadata,
      annotations: { ...desired.metadata?.annotations, [appliedHashAnnotation]: hash },
    },
  };
}

/**
 * Whether an apply can be skipped: the live object was last applied from this very desired state
 * (same hash) and still holds every field we set, or it is exactly the version our own last apply
 * returned (the API server may normalise values, e.g. quantities, so a subset check alone would
 * write forever). Anything else (a new spec, an edit to a field we own, a missing object) applies.
 */
export function canSkipApply(
  stamped: KubernetesObject,
  live: KubernetesObject | undefined,
  lastAppliedResourceVersion: string | undefined,
): boolean {
  if (!live) return false;
  const want = stamped.metadata?.annotations?.[appliedHashAnnotation];
  if (!want || live.metadata?.annotations?.[appliedHashAnnotation] !== want) return false;
  if (
    lastAppliedResourceVersion !== undefined &&
    live.metadata.resourceVersion === lastAppliedResourceVersion
  ) {
    return true;
  }
  return isSubset(stamped, live);
}
