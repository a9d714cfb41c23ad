import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { kubeconfigPath, kubectl, recordedClusterMode, repoRoot } from "./harness/cluster.ts";
import "./harness/context.ts";

function clusterIsHealthy(): boolean {
  if (!recordedClusterMode()) return false;
  try {
    return kubectl(["get", "--raw", "/readyz"]).trim() === "ok";
  } catch {
    return false;
  }
}

/**
 * Reuses the local control plane when one is running (make cluster-up), else starts one and
 * stops it after the run (unless FINTRACK_KEEP_CLUSTER=1, which keeps it for the next run).
 */
export default function setup(project: TestProject): () => void {
  const reused = clusterIsHealthy();
  if (!reused) {
    execFileSync("bash", [join(repoRoot, "hack/cluster-up.sh")], { stdio: "inherit" });
  }
  // The real Prometheus Operator, Argo CD and cert-manager CRDs the tests validate against: a
  // cluster started before hack/cluster-up.sh installed them, or an API-only one, gets them here.
  // The script skips the apply when they are already in place.
  execFileSync("bash", [join(repoRoot, "hack/install-crds.sh"), "--apply"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const mode = recordedClusterMode();
  if (!mode) throw new Error("hack/cluster-up.sh finished without recording the cluster mode");
  if (mode === "api-only") {
    console.warn(
      "operator integration: API-only cluster (KUBEBUILDER_ASSETS): tests that need the " +
        "controller-manager, scheduler or kwok are skipped",
    );
  }
  project.provide("cluster", { kubeconfig: kubeconfigPath, mode });
  return () => {
    if (!reused && process.env.FINTRACK_KEEP_CLUSTER !== "1") {
      execFileSync("bash", [join(repoRoot, "hack/cluster-down.sh")], { stdio: "inherit" });
    }
  };
}
