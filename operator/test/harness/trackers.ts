import { CustomObjectsApi } from "@kubernetes/client-node";
import { expect, inject } from "vitest";
import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import { adminKubeConfig, kubectl } from "./cluster.ts";
import { eventually } from "./eventually.ts";
import "./context.ts";

/** The fully qualified resource, so another CRD with the same short name never gets in the way. */
export const trackerResource = "financetrackers.fintrack.dev";

/** Applies a FinanceTracker as a platform team would (`kubectl apply --server-side`). */
export function applyTracker(
  namespace: string,
  name: string,
  spec: object,
  metadata: object = {},
): void {
  kubectl(
    ["apply", "--server-side", "--field-manager", "platform-team", "-n", namespace, "-f", "-"],
    JSON.stringify({
      apiVersion: "fintrack.dev/v1alpha1",
      kind: "FinanceTracker",
      metadata: { name, ...metadata },
      spec,
    }),
  );
}

/** Deletes a FinanceTracker with kubectl, by default waiting until it is gone (finalizer done). */
export function deleteTracker(namespace: string, name: string, wait = true): void {
  kubectl([
    "delete",
    trackerResource,
    name,
    "-n",
    namespace,
    `--wait=${String(wait)}`,
    "--timeout=60s",
  ]);
}

/** A fresh read of a FinanceTracker through the API. */
export async function readTracker(namespace: string, name: string): Promise<FinanceTracker> {
  const custom = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CustomObjectsApi);
  return (await custom.getNamespacedCustomObject({
    group: "fintrack.dev",
    version: "v1alpha1",
    plural: "financetrackers",
    namespace,
    name,
  })) as FinanceTracker;
}

/** The condition of a type on a FinanceTracker, if any. */
export function conditionOf(tracker: FinanceTracker, type: string) {
  return tracker.status?.conditions?.find((c) => c.type === type);
}

/** Waits until a FinanceTracker is Ready (and, when given, has observed `generation`). */
export function waitReady(
  namespace: string,
  name: string,
  { generation, timeoutMs = 60_000 }: { generation?: number | undefined; timeoutMs?: number } = {},
): Promise<FinanceTracker> {
  return eventually(
    `${name} Ready${generation === undefined ? "" : ` at generation ${generation}`}`,
    async () => {
      const tracker = await readTracker(namespace, name);
      expect(conditionOf(tracker, "Ready")?.status).toBe("True");
      if (generation !== undefined) expect(tracker.status?.observedGeneration).toBe(generation);
      return tracker;
    },
    { timeoutMs },
  );
}
