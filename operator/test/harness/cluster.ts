import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const clusterDir = join(repoRoot, ".cluster");
export const kubeconfigPath = join(clusterDir, "kubeconfig");
export const kubectlPath = join(clusterDir, "bin", "kubectl");

/**
 * What the running control plane can do. `full`: controller-manager, scheduler and kwok run, so
 * pods become Ready and garbage collection works. `api-only`: envtest binaries, just etcd and
 * kube-apiserver, so only API-level behaviour (admission, CRDs, RBAC) can be tested.
 */
export type ClusterMode = "full" | "api-only";

export interface ClusterInfo {
  kubeconfig: string;
  mode: ClusterMode;
}

/** The mode of the cluster that hack/cluster-up.sh started, or undefined when none is recorded. */
export function recordedClusterMode(): ClusterMode | undefined {
  const file = join(clusterDir, "mode");
  if (!existsSync(file)) return undefined;
  const mode = readFileSync(file, "utf8").trim();
  return mode === "full" || mode === "api-only" ? mode : undefined;
}

/** An admin KubeConfig for the local cluster. */
export function adminKubeConfig(path = kubeconfigPath): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Runs the cluster's pinned kubectl and returns its standard output. */
export function kubectl(args: string[], input?: string): string {
  return execFileSync(kubectlPath, ["--kubeconfig", kubeconfigPath, ...args], {
    input,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
}
