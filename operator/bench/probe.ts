import { ApiException, type V1Deployment, type V1StatefulSet } from "@kubernetes/client-node";
import { performance } from "node:perf_hooks";
import { apiVersion, plural, type FinanceTracker } from "../src/api/v1alpha1.ts";
import { collectionPath } from "../src/kube/kinds.ts";
import type { RestClient } from "../src/kube/rest.ts";
import { childNames } from "../src/names.ts";
import { deploymentReadiness, statefulSetReadiness } from "../src/status.ts";
import { patiently, sleep } from "./support.ts";
import { isReady } from "./tenants.ts";

/**
 * One tenant's way to Ready, in seconds after its create returned. `workloadsReady` is when its
 * PostgreSQL, Redis and app first all reported ready by the operator's own rules, which the
 * cluster decides; `ready` is when the tenant's Ready condition first said so, which the operator
 * decides. The gap between them is the operator's reaction time: its watch, its queue and one
 * reconcile.
 */
export interface ProbeTimes {
  workloadsReady: number | undefined;
  ready: number;
}

async function getOrUndefined(admin: RestClient, path: string): Promise<unknown> {
  try {
    return await patiently(() => admin.request("GET", path));
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

async function workloadsReady(admin: RestClient, namespace: string, name: string) {
  const names = childNames(name);
  const apps = `/apis/apps/v1/namespaces/${namespace}`;
  const [postgres, redis, app] = await Promise.all([
    getOrUndefined(admin, `${apps}/statefulsets/${names.postgres}`),
    getOrUndefined(admin, `${apps}/deployments/${names.redis}`),
    getOrUndefined(admin, `${apps}/deployments/${names.app}`),
  ]);
  return (
    statefulSetReadiness(postgres as V1StatefulSet | undefined, "postgres").ready &&
    deploymentReadiness(redis as V1Deployment | undefined, "redis").ready &&
    deploymentReadiness(app as V1Deployment | undefined, "app").ready
  );
}

/**
 * Polls one tenant every `pollMs` from `createdAtMs` (a performance.now() time) until its Ready
 * condition is True; rejects after `timeoutSeconds`. Finer than the burst's LIST every 500 ms,
 * since the figure it feeds may be a few seconds.
 */
export async function timeToReady(
  admin: RestClient,
  namespace: string,
  name: string,
  createdAtMs: number,
  { pollMs = 100, timeoutSeconds = 900, signal }: ProbeOptions = {},
): Promise<ProbeTimes> {
  const path = `${collectionPath({ apiVersion, plural }, namespace)}/${name}`;
  const since = () => (performance.now() - createdAtMs) / 1000;
  let workloads: number | undefined;
  for (;;) {
    const tracker = (await getOrUndefined(admin, path)) as FinanceTracker | undefined;
    const at = since();
    if (workloads === undefined && (await workloadsReady(admin, namespace, name))) workloads = at;
    if (tracker && isReady(tracker)) return { workloadsReady: workloads, ready: at };
    if (at > timeoutSeconds) throw new Error(`${namespace}/${name} not Ready after ${at} s`);
    await sleep(pollMs, signal);
  }
}

export interface ProbeOptions {
  pollMs?: number;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}
