import { randomBytes } from "node:crypto";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";
import { adminKubeConfig, kubectl } from "./cluster.ts";
import "./context.ts";

/** The Pod Security Standards level a test namespace enforces. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** A namespace of its own for one test file; `name` is fixed when the file is collected. */
export interface TestNamespace {
  name: string;
}

/**
 * Gives the calling test file a fresh namespace, created before its tests and deleted after
 * them (without waiting: the namespace controller finishes the deletion in the background).
 * By default it enforces the `restricted` Pod Security profile, as tenant namespaces should.
 */
export function useNamespace(prefix = "t", level: PodSecurityLevel = "restricted"): TestNamespace {
  const ns: TestNamespace = { name: `${prefix}-${randomBytes(4).toString("hex")}` };
  const core = () => adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CoreV1Api);
  beforeAll(async () => {
    await core().createNamespace({
      body: {
        metadata: {
          name: ns.name,
          labels: {
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "fintrack.dev/test": "true",
          },
        },
      },
    });
  });
  afterAll(async () => {
    releaseFinanceTrackers(ns.name);
    await core().deleteNamespace({ name: ns.name });
  });
  return ns;
}

/**
 * Removes the finalizers of a namespace's FinanceTrackers and FinanceTrackerBackups: a test's
 * operator has stopped by the time its namespace goes, and nothing else would release them,
 * leaving the namespace stuck.
 */
function releaseFinanceTrackers(namespace: string): void {
  for (const kind of ["financetrackers.fintrack.dev", "financetrackerbackups.fintrack.dev"]) {
    try {
      const names = kubectl(["get", kind, "-n", namespace, "-o", "name"])
        .split("\n")
        .filter(Boolean);
      for (const name of names) {
        kubectl([
          "patch",
          name,
          "-n",
          namespace,
          "--type",
          "merge",
          "-p",
          '{"metadata":{"finalizers":null}}',
        ]);
      }
    } catch {
      // No CRD installed, or nothing to release.
    }
  }
}

/** True when the cluster runs controllers and fake nodes; API-only clusters (envtest) do not. */
export function clusterRunsControllers(): boolean {
  return inject("cluster").mode === "full";
}
