import { ApiException } from "@kubernetes/client-node";
import { apiVersion, kind, plural, type FinanceTracker } from "../src/api/v1alpha1.ts";
import { collectionPath } from "../src/kube/kinds.ts";
import type { RestClient } from "../src/kube/rest.ts";
import { mapBounded, patiently, sleep } from "./support.ts";

const trackers = (namespace: string) => collectionPath({ apiVersion, plural }, namespace);

/** Creates a namespace that enforces the `restricted` Pod Security profile, as tenants' should. */
export async function createNamespace(admin: RestClient, name: string): Promise<void> {
  await admin.request("POST", "/api/v1/namespaces", {
    body: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "fintrack.dev/bench": "true",
        },
      },
    },
  });
}

/**
 * Waits until no namespace of an earlier run is left (they are deleted in the background): the
 * controllers still deleting their pods would slow this run down. Gives up after `limitSeconds`.
 */
export async function waitEarlierRunsGone(
  admin: RestClient,
  limitSeconds: number,
  signal?: AbortSignal,
): Promise<number> {
  const deadline = Date.now() + limitSeconds * 1000;
  for (;;) {
    const list = (await admin.request("GET", "/api/v1/namespaces", {
      query: { labelSelector: "fintrack.dev/bench=true" },
    })) as { items?: unknown[] };
    const left = list.items?.length ?? 0;
    if (left === 0 || Date.now() > deadline) return left;
    await sleep(1000, signal);
  }
}

/** Deletes a namespace without waiting: the namespace controller finishes in the background. */
export async function deleteNamespace(admin: RestClient, name: string): Promise<void> {
  try {
    await admin.request("DELETE", `/api/v1/namespaces/${name}`);
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 404)) throw error;
  }
}

/** `t-001`, `t-002`, ...: zero-padded so listings sort in creation order. */
export function tenantNames(count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `t-${String(i + 1).padStart(width, "0")}`);
}

/** The minimal spec every benchmark tenant gets: an owner, one app replica, defaults otherwise. */
export function minimalSpec(name: string): { app: { adminEmail: string; replicas: number } } {
  return { app: { adminEmail: `owner@${name}.example`, replicas: 1 } };
}

/** Creates one minimal FinanceTracker per name, `concurrency` at a time; returns them as stored. */
export async function createTrackers(
  admin: RestClient,
  namespace: string,
  names: readonly string[],
  concurrency: number,
): Promise<FinanceTracker[]> {
  return mapBounded(
    names,
    concurrency,
    async (name) =>
      (await patiently(() =>
        admin.request("POST", trackers(namespace), {
          body: { apiVersion, kind, metadata: { name }, spec: minimalSpec(name) },
        }),
      )) as FinanceTracker,
  );
}

/** Every FinanceTracker in a namespace, in one LIST. */
export async function listTrackers(
  admin: RestClient,
  namespace: string,
): Promise<FinanceTracker[]> {
  const list = (await patiently(() => admin.request("GET", trackers(namespace)))) as {
    items?: FinanceTracker[];
  };
  return list.items ?? [];
}

/** Whether a FinanceTracker reports the Ready condition True. */
export function isReady(tracker: FinanceTracker): boolean {
  return (
    tracker.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false
  );
}

/**
 * Removes every finalizer from the namespace's FinanceTrackers, so that deleting the namespace
 * does not wait for an operator that is no longer running.
 */
export async function releaseFinalizers(admin: RestClient, namespace: string): Promise<void> {
  const held = (await listTrackers(admin, namespace)).filter(
    (t) => (t.metadata.finalizers?.length ?? 0) > 0,
  );
  await mapBounded(held, 16, async (t) => {
    try {
      await admin.request("PATCH", `${trackers(namespace)}/${t.metadata.name}`, {
        body: { metadata: { finalizers: null } },
        contentType: "application/merge-patch+json",
      });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    }
  });
}
