import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Watch,
  type V1Lease,
  type V1Secret,
} from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import { leaseRecord, type LeaseRecord } from "../../src/kube/leader-election.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import {
  metricValue,
  operatorNamespace,
  startOperatorProcess,
  type OperatorProcess,
} from "../harness/operator.ts";

const group = "fintrack.dev";
const version = "v1alpha1";
const plural = "financetrackers";
const instanceLabel = "app.kubernetes.io/instance";
/** The elector's default lease duration, which a crashed leader's Lease must outlive. */
const leaseDurationMs = 15_000;

/** One operator replica: a process and the POD_NAME its Lease identity starts with. */
interface Replica {
  podName: string;
  process: OperatorProcess;
}

/** Every version of the objects a watch reported, from when it started until stop(). */
interface Recording<T> {
  seen: T[];
  /** Stops watching; throws when the watch had ended by itself, since events may be missing. */
  stop: () => void;
}

describe.skipIf(!clusterRunsControllers())("leadership among operator replicas", () => {
  const ns = useNamespace("lead");
  const lease = `lead-${ns.name}`;
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const leases = kc.makeApiClient(CoordinationV1Api);
  const running: Replica[] = [];
  const recordings: Recording<unknown>[] = [];

  beforeAll(() => {
    installCrd();
  });
  afterEach(async ({ task }) => {
    for (const recording of recordings.splice(0)) recording.stop();
    const replicas = running.splice(0);
    const codes = await Promise.all(replicas.map((r) => r.process.stop()));
    replicas.forEach((replica, i) => {
      // null: killed by a signal, as the crash tests do on purpose.
      const code = codes[i] ?? null;
      if (task.result?.state === "fail" || (code !== 0 && code !== null)) {
        console.error(`--- ${replica.podName} exited ${code} ---\n${replica.process.logs()}`);
      }
    });
  });

  async function startReplica(podName: string): Promise<Replica> {
    const process = await startOperatorProcess({
      watchNamespaces: [ns.name],
      leaseName: lease,
      env: { POD_NAME: podName },
    });
    const replica = { podName, process };
    running.push(replica);
    return replica;
  }

  const masterStatus = (replica: Replica) =>
    metricValue(replica.process.metricsUrl, "leader_election_master_status", { name: lease });

  /** Waits until exactly one of `replicas` reports leading and every other one standing by. */
  const soleLeader = (replicas: Replica[]) =>
    eventually("exactly one replica leading", async () => {
      const statuses = await Promise.all(replicas.map(masterStatus));
      expect([...statuses].sort()).toEqual([...replicas.slice(1).map(() => 0), 1]);
      const leader = replicas[statuses.indexOf(1)];
      if (!leader) throw new Error("no leader");
      return leader;
    });

  /** Two replicas on the Lease, one of them leading. */
  async function electedPair(prefix: string): Promise<{ leader: Replica; standby: Replica }> {
    const pair = await Promise.all([startReplica(`${prefix}-a`), startReplica(`${prefix}-b`)]);
    const leader = await soleLeader(pair);
    const standby = pair.find((r) => r !== leader);
    if (!standby) throw new Error("no standby");
    return { leader, standby };
  }

  const readLease = async (): Promise<LeaseRecord> =>
    leaseRecord(await leases.readNamespacedLease({ name: lease, namespace: operatorNamespace }));

  /** Starts a watch and records every version it reports, beginning with what exists now. */
  async function record<T>(path: string, query: Record<string, string>): Promise<Recording<T>> {
    const seen: T[] = [];
    const state = { ended: false, stopping: false };
    const abort = await new Watch(kc).watch(
      path,
      query,
      (_phase, object: unknown) => {
        seen.push(object as T);
      },
      () => {
        state.ended = !state.stopping;
      },
    );
    const recording: Recording<T> = {
      seen,
      stop: () => {
        if (state.stopping) return;
        state.stopping = true;
        abort.abort();
        if (state.ended) throw new Error(`the watch on ${path} ended early: events may be missing`);
      },
    };
    recordings.push(recording);
    return recording;
  }

  const recordLease = () =>
    record<V1Lease>(`/apis/coordination.k8s.io/v1/namespaces/${operatorNamespace}/leases`, {
      fieldSelector: `metadata.name=${lease}`,
    });

  /** The holders a Lease recording went through, consecutive repeats folded. */
  const holders = (recording: Recording<V1Lease>) =>
    recording.seen
      .map((l) => leaseRecord(l).holderIdentity)
      .filter((holder, i, all) => i === 0 || all[i - 1] !== holder);

  /** A replica's Lease identity: its POD_NAME and a random suffix. */
  const identityOf = (replica: Replica) => new RegExp(`^${replica.podName}_[0-9a-f]+$`);

  const trackerManifest = (name: string, replicas?: number) => ({
    apiVersion: `${group}/${version}`,
    kind: "FinanceTracker",
    metadata: { name },
    spec: {
      app: { adminEmail: `owner@${name}.example`, ...(replicas ? { replicas } : {}) },
      // Leadership does not need a ServiceMonitor.
      monitoring: { serviceMonitor: false },
    },
  });
  const apply = (manifest: object) =>
    kubectl(
      ["apply", "--server-side", "--field-manager", "platform-team", "-n", ns.name, "-f", "-"],
      JSON.stringify(manifest),
    );
  const read = async (name: string) =>
    (await custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns.name,
      name,
    })) as FinanceTracker;
  const waitReady = (name: string, { generation = 1, timeoutMs = 60_000 } = {}) =>
    eventually(
      `${name} Ready at generation ${generation}`,
      async () => {
        const t = await read(name);
        const condition = (type: string) => t.status?.conditions?.find((c) => c.type === type);
        expect(condition("Ready")?.status).toBe("True");
        expect(condition("Degraded")?.status).toBe("False");
        expect(t.status?.observedGeneration).toBe(generation);
        return t;
      },
      { timeoutMs },
    );
  const reconcileErrors = (replica: Replica) =>
    metricValue(replica.process.metricsUrl, "controller_runtime_reconcile_errors_total");
  const appReplicas = async (name: string) =>
    (await apps.readNamespacedDeployment({ name: `${name}-app`, namespace: ns.name })).spec
      ?.replicas;

  it("only the leader reconciles", async () => {
    const { leader, standby } = await electedPair("one");
    expect(await masterStatus(standby)).toBe(0);

    apply(trackerManifest("alpha"));
    await waitReady("alpha");

    expect(await masterStatus(leader)).toBe(1);
    expect(await masterStatus(standby)).toBe(0);
    expect(
      await metricValue(leader.process.metricsUrl, "controller_runtime_reconcile_total"),
    ).toBeGreaterThan(0);
    expect(
      await metricValue(standby.process.metricsUrl, "controller_runtime_reconcile_total"),
    ).toBe(0);
    expect(
      await metricValue(standby.process.metricsUrl, "rest_client_requests_total", {
        method: "PATCH",
      }),
    ).toBe(0);
    expect((await readLease()).holderIdentity).toMatch(identityOf(leader));
  });

  it("fails over in seconds when the leader is stopped gracefully", async ({ annotate }) => {
    const { leader, standby } = await electedPair("two");
    apply(trackerManifest("beta", 1));
    await waitReady("beta");
    const before = await readLease();
    const history = await recordLease();

    const stoppedAt = Date.now();
    expect(await leader.process.stop()).toBe(0);
    await eventually(
      "the standby to lead",
      async () => {
        expect(await masterStatus(standby)).toBe(1);
      },
      { timeoutMs: 30_000 },
    );
    await annotate(`failover after SIGTERM: ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s`);

    // Taken over because the leader released the Lease on its way out, not because it expired.
    const after = await readLease();
    expect(after.holderIdentity).toMatch(identityOf(standby));
    expect(after.leaseTransitions).toBe(before.leaseTransitions + 1);
    expect(holders(history)).toEqual([before.holderIdentity, "", after.holderIdentity]);

    apply(trackerManifest("beta", 3));
    await waitReady("beta", { generation: 2 });
    expect(await appReplicas("beta")).toBe(3);
    // It took over tenants whose children existed before it started watching, without a hitch.
    expect(await reconcileErrors(standby)).toBe(0);
  });

  it("takes over after the lease expires when the leader crashes", async ({ annotate }) => {
    const { leader, standby } = await electedPair("three");
    apply(trackerManifest("gamma", 1));
    await waitReady("gamma");
    const before = await readLease();
    const history = await recordLease();

    const killedAt = Date.now();
    await leader.process.kill();
    await eventually(
      "the standby to lead once the Lease expired",
      async () => {
        expect(await masterStatus(standby)).toBe(1);
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    await annotate(`failover after SIGKILL: ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);

    // Nothing released the Lease, and nobody took it while the crashed leader's was valid.
    const after = await readLease();
    expect(after.holderIdentity).toMatch(identityOf(standby));
    expect(after.leaseTransitions).toBe(before.leaseTransitions + 1);
    expect(holders(history)).toEqual([before.holderIdentity, after.holderIdentity]);
    const lastRenewal = Math.max(
      ...history.seen
        .map(leaseRecord)
        .filter((l) => l.holderIdentity === before.holderIdentity)
        .map((l) => l.renewTimeMs ?? 0),
    );
    expect(after.acquireTimeMs).toBeGreaterThanOrEqual(lastRenewal + leaseDurationMs);

    apply(trackerManifest("gamma", 3));
    await waitReady("gamma", { generation: 2 });
    expect(await appReplicas("gamma")).toBe(3);
    expect(await reconcileErrors(standby)).toBe(0);
  }, 180_000);

  it("a restart in the middle of reconciling leaves no duplicates", async ({ annotate }) => {
    const tenants = ["acme-1", "acme-2", "acme-3", "acme-4", "acme-5"];
    const ofTenants = `${instanceLabel} in (${tenants.join(",")})`;
    const secrets = await record<V1Secret>(`/api/v1/namespaces/${ns.name}/secrets`, {
      labelSelector: ofTenants,
    });
    const first = await startReplica("four-a");
    await soleLeader([first]);

    apply({ apiVersion: "v1", kind: "List", items: tenants.map((t) => trackerManifest(t)) });
    await eventually(
      "a first child",
      () => {
        expect(secrets.seen.length).toBeGreaterThan(0);
      },
      { intervalMs: 10 },
    );
    const beforeKill = await core.listNamespacedSecret({
      namespace: ns.name,
      labelSelector: ofTenants,
    });
    await first.process.kill();
    const childrenAtKill = listChildren(ns.name, ofTenants).length;
    await annotate(
      `killed with ${beforeKill.items.length} of 5 Secrets and ${childrenAtKill} children in place`,
    );

    const second = await startReplica("four-b");
    const ready = await Promise.all(tenants.map((t) => waitReady(t, { timeoutMs: 120_000 })));

    const children = listChildren(ns.name, ofTenants);
    for (const tracker of ready) {
      const name = tracker.metadata.name;
      const own = children.filter((c) => c.metadata.labels[instanceLabel] === name);
      // One ReplicaSet per Deployment: re-applying after the restart rolled nothing out.
      expect(countByKind(own), name).toEqual({
        Deployment: 2,
        NetworkPolicy: 3,
        PersistentVolumeClaim: 1,
        PodDisruptionBudget: 1,
        ReplicaSet: 2,
        Secret: 1,
        Service: 4,
        ServiceAccount: 1,
        StatefulSet: 1,
      });
      for (const child of own.filter((c) => operatorKinds.has(c.kind))) {
        // The credentials Secret has no owner, so that no deletion path can take it.
        const owners =
          child.kind === "Secret"
            ? undefined
            : [expect.objectContaining({ uid: tracker.metadata.uid, controller: true })];
        expect(child.metadata.ownerReferences, `${child.kind}/${child.metadata.name}`).toEqual(
          owners,
        );
      }
      expect(tracker.metadata.finalizers).toEqual(["fintrack.dev/finalizer"]);
    }

    secrets.stop();
    const now = await core.listNamespacedSecret({ namespace: ns.name, labelSelector: ofTenants });
    for (const name of tenants) {
      const secretName = `${name}-credentials`;
      const current = now.items.find((s) => s.metadata?.name === secretName);
      const url = current?.data?.["database-url"];
      expect(url, secretName).toBeDefined();
      // Generated once: the same value in every version the watch saw, before and after the kill.
      const versions = secrets.seen.filter((s) => s.metadata?.name === secretName);
      expect(new Set(versions.map((s) => s.data?.["database-url"])), secretName).toEqual(
        new Set([url]),
      );
      const earlier = beforeKill.items.find((s) => s.metadata?.name === secretName);
      if (earlier) expect(earlier.data?.["database-url"], secretName).toBe(url);
      const app = await apps.readNamespacedDeployment({ name: `${name}-app`, namespace: ns.name });
      const env = app.spec?.template.spec?.containers.find((c) => c.name === "app")?.env;
      expect(env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
        name: secretName,
        key: "database-url",
      });
    }

    // The operator records its Events on the tenants. (The scheduler's and the API server's own
    // Warnings on the children, such as FailedScheduling while a claim binds, are not its doing.)
    const warnings = await core.listNamespacedEvent({
      namespace: ns.name,
      fieldSelector: "type=Warning,involvedObject.kind=FinanceTracker",
    });
    expect(
      warnings.items
        .filter((e) => tenants.includes(e.involvedObject.name ?? ""))
        .map((e) => `${e.involvedObject.name ?? ""}: ${e.reason ?? ""} ${e.message ?? ""}`),
    ).toEqual([]);
    expect(await reconcileErrors(second)).toBe(0);
  }, 240_000);
});

/** The kinds the operator creates itself, each with the tenant as its controlling owner. */
const operatorKinds = new Set([
  "Deployment",
  "NetworkPolicy",
  "PodDisruptionBudget",
  "Secret",
  "Service",
  "ServiceAccount",
  "StatefulSet",
]);

interface Child {
  kind: string;
  metadata: {
    name: string;
    labels: Record<string, string>;
    ownerReferences?: { uid: string; controller?: boolean }[];
  };
}

/** Every labelled object of the tenants a selector names: the operator's and their offspring. */
function listChildren(namespace: string, selector: string): Child[] {
  const kinds =
    "secret,serviceaccount,service,statefulset,deployment,replicaset,persistentvolumeclaim," +
    "networkpolicy,poddisruptionbudget,ingress,horizontalpodautoscaler";
  const out = kubectl(["get", kinds, "-n", namespace, "-l", selector, "-o", "json"]);
  return (JSON.parse(out) as { items: Child[] }).items;
}

function countByKind(objects: Child[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return counts;
}
