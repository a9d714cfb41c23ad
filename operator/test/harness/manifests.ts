import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { kubectl, repoRoot } from "./cluster.ts";

/** A Kubernetes object from a manifest; only what every object has is typed. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** The kustomize directories users apply, relative to the repository root. */
export const kustomizations = {
  /** CRD, RBAC, namespace and the operator's Deployment: what `make deploy` applies. */
  default: "config/default",
  /** The operator's ServiceMonitor, applied apart where the Prometheus Operator is installed. */
  prometheus: "config/prometheus",
  /** The alerts as a PrometheusRule, applied apart like config/prometheus. */
  alerts: "config/alerts",
} as const;

/** The FinanceTracker examples users copy. */
export const sampleFiles = { minimal: "samples/minimal.yaml", full: "samples/full.yaml" } as const;

/** The generated FinanceTracker CRD. */
export const crdFile = "config/crd/bases/fintrack.dev_financetrackers.yaml";

/** The operator's least-privilege ClusterRole, alone in its file. */
export const operatorClusterRoleFile = "config/rbac/role.yaml";

/** The field manager tests apply with; `force` takes over fields other managers set earlier. */
export const testFieldManager = "fintrack-test";

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== "object" || value === null) return false;
  const { apiVersion, kind, metadata } = value as Record<string, unknown>;
  return (
    typeof apiVersion === "string" &&
    typeof kind === "string" &&
    typeof metadata === "object" &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>).name === "string"
  );
}

/** Parses multi-document YAML into objects, failing on a syntax error or a nameless object. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc, index) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.join("; ")}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (!isManifest(value)) {
      throw new Error(`${source}: document ${index} is not a named Kubernetes object`);
    }
    return [value];
  });
}

/** The objects in a manifest file, read from the repository. */
export function readManifests(file: string): Manifest[] {
  return parseManifests(readFileSync(join(repoRoot, file), "utf8"), file);
}

/** `kubectl kustomize <dir>` as text: exactly what `make deploy` pipes to the API server. */
export function kustomize(dir: string): string {
  return kubectl(["kustomize", join(repoRoot, dir)]);
}

/** The objects a kustomize directory renders. */
export function renderManifests(dir: string): Manifest[] {
  return parseManifests(kustomize(dir), dir);
}

/**
 * The operator's ClusterRole from config/rbac, optionally renamed so a test can bind a copy to
 * its own ServiceAccount without touching a real installation's role.
 */
export function operatorClusterRole(name?: string): Manifest {
  const objects = readManifests(operatorClusterRoleFile);
  const [role] = objects;
  if (objects.length !== 1 || role?.kind !== "ClusterRole") {
    throw new Error(`${operatorClusterRoleFile} must hold exactly one ClusterRole`);
  }
  return name ? { ...role, metadata: { ...role.metadata, name } } : role;
}

/** The FinanceTrackerBackup CRD, which the operator also watches. */
export const backupCrdFile = "config/crd/bases/fintrack.dev_financetrackerbackups.yaml";

/** Applies the operator's CRDs for real (server-side, forced) and waits until they are served. */
export function installCrd(): void {
  kubectl([
    "apply",
    "--server-side",
    "--force-conflicts",
    `--field-manager=${testFieldManager}`,
    "-f",
    join(repoRoot, crdFile),
    "-f",
    join(repoRoot, backupCrdFile),
  ]);
  kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/financetrackers.fintrack.dev",
    "crd/financetrackerbackups.fintrack.dev",
  ]);
}

/** The same objects with every namespaced one moved into `namespace`. */
export function intoNamespace(objects: Manifest[], namespace: string): Manifest[] {
  return objects.map((o) =>
    o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace } } : o,
  );
}

/**
 * Server-side dry-run apply: the API server runs defaulting, validation and admission (Pod
 * Security included) without storing anything. Returns the objects as they would be stored;
 * throws with kubectl's message when any object is refused.
 */
export function dryRunApply(objects: Manifest[], namespace?: string): Manifest[] {
  const list = { apiVersion: "v1", kind: "List", items: objects };
  const out = kubectl(
    [
      "apply",
      "--server-side",
      "--dry-run=server",
      "--force-conflicts",
      `--field-manager=${testFieldManager}`,
      ...(namespace ? ["--namespace", namespace] : []),
      "--output=json",
      "--filename=-",
    ],
    JSON.stringify(list),
  );
  const parsed = JSON.parse(out) as { kind?: string; items?: unknown[] };
  const items: unknown[] = parsed.kind === "List" ? (parsed.items ?? []) : [parsed];
  return items.filter(isManifest);
}
