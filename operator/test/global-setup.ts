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
