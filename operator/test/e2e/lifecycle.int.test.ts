import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  NetworkingV1Api,
  PolicyV1Api,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { statusCode } from "../harness/api-errors.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import {
  applyTracker,
  conditionOf,
  deleteTracker,
  readTracker,
  waitReady as waitForReady,
} from "../harness/trackers.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { metricValue, startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";

describe.skipIf(!clusterRunsControllers())("a tenant's life cycle under the operator", () => {
  const ns = useNamespace("life");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  let operator: OperatorProcess;

  const apply = (name: string, spec: object) => {
    applyTracker(ns.name, name, spec);
  };
  const read = (name: string) => readTracker(ns.name, name);
  const annotatePaused = (name: string, value: string) => {
    kubectl([
      "annotate",
      "financetracker",
      name,
      "-n",
      ns.name,
      `fintrack.dev/paused=${value}`,
      "--overwrite",
    ]);
  };
  const waitReady = (name: string, generation?: number) =>
    waitForReady(ns.name, name, { generation });

  beforeAll(async () => {
    installCrd();
    operator = await startOperatorProcess({
      watchNamespaces: [ns.name],
      leaseName: `life-${ns.name}`,
    });
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  it("turns a minimal FinanceTracker into a Ready tenant with every child but the credentials owned, all labelled", async () => {
    apply("acme", {
      app: { adminEmail: "owner@acme.example" },
      ingress: { host: "money.acme.example" },
    });
    const tracker = await waitReady("acme");
    expect(tracker.status?.phase).toBe("Ready");
    expect(tracker.status?.url).toBe("http://money.acme.example");
    expect(tracker.metadata.finalizers).toContain("fintrack.dev/finalizer");

    const children = JSON.parse(
      kubectl([
        "get",
        "secret,service,serviceaccount,statefulset,deployment,pdb,ingress,networkpolicy",
        "-n",
        ns.name,
        "-l",
        "app.kubernetes.io/instance=acme",
        "-o",
        "json",
      ]),
    ) as {
      items: {
        kind: string;
        metadata: {
          name: string;
          labels: Record<string, string>;
          ownerReferences?: { uid: string; controller: boolean }[];
        };
      }[];
    };
    const names = children.items.map((c) => `${c.kind}/${c.metadata.name}`).sort();
    expect(names).toEqual(
      [
        "Deployment/acme-app",
        "Deployment/acme-redis",
        "Ingress/acme-app",
        "NetworkPolicy/acme-app",
        "NetworkPolicy/acme-postgres",
        "NetworkPolicy/acme-redis",
        "PodDisruptionBudget/acme-app",
        "Secret/acme-credentials",
        "Service/acme-app",
        "Service/acme-postgres",
        "Service/acme-postgres-hl",
        "Service/acme-redis",
        "ServiceAccount/acme-app",
        "StatefulSet/acme-postgres",
      ].sort(),
    );
    for (const child of children.items) {
      // The credentials outlive any deletion path; the finalizer deletes them for Delete tenants.
      const owners =
        child.kind === "Secret"
          ? []
          : [expect.objectContaining({ uid: tracker.metadata.uid, controller: true })];
      expect(child.metadata.ownerReferences ?? [], `${child.kind}/${child.metadata.name}`).toEqual(
        owners,
      );
      expect(child.metadata.labels).toMatchObject({
        "app.kubernetes.io/name": "fintrack",
        "app.kubernetes.io/instance": "acme",
        "app.kubernetes.io/part-of": "fintrack",
        "app.kubernetes.io/managed-by": "fintrack-operator",
      });
    }
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      name: "data-acme-postgres-0",
      namespace: ns.name,
    });
    expect(pvc.status?.phase).toBe("Bound");
  });

  it("writes nothing when nothing changed", async () => {
    const writes = () =>
      metricValue(operator.metricsUrl, "rest_client_requests_total", { method: "PATCH" });
    const reconciles = () => metricValue(operator.metricsUrl, "controller_runtime_reconcile_total");
    const [writesBefore, reconcilesBefore] = [await writes(), await reconciles()];
    // A touch on the FinanceTracker that does not change its spec still triggers a reconcile.
    kubectl([
      "annotate",
      "financetrackers.fintrack.dev",
      "acme",
      "-n",
      ns.name,
      "touched=1",
      "--overwrite",
    ]);
    await eventually("the touch reconciled", async () => {
      expect(await reconciles()).toBeGreaterThan(reconcilesBefore);
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await writes()).toBe(writesBefore);
  });

  it("carries spec changes to the children and advances observedGeneration", async () => {
    apply("acme", {
      app: {
        adminEmail: "owner@acme.example",
        replicas: 3,
        resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "768Mi" } },
      },
      ingress: { host: "cash.acme.example", tls: { secretName: "acme-cert" } },
    });
    const generation = (await read("acme")).metadata.generation ?? 0;
    const tracker = await waitReady("acme", generation);
    expect(tracker.status?.url).toBe("https://cash.acme.example");
    const app = await apps.readNamespacedDeployment({ name: "acme-app", namespace: ns.name });
    expect(app.spec?.replicas).toBe(3);
    const container = app.spec?.template.spec?.containers.find((c) => c.name === "app");
    expect(container?.resources?.requests).toMatchObject({ cpu: "200m", memory: "256Mi" });
    expect(container?.resources?.limits).toMatchObject({ memory: "768Mi" });
    const ingress = await networking.readNamespacedIngress({
      name: "acme-app",
      namespace: ns.name,
    });
    expect(ingress.spec?.rules?.[0]?.host).toBe("cash.acme.example");
    expect(ingress.spec?.tls?.[0]?.secretName).toBe("acme-cert");
  });

  it("adds a HorizontalPodAutoscaler when autoscaling is on and removes it when off", async () => {
    apply("acme", {
      app: {
        adminEmail: "owner@acme.example",
        autoscaling: { minReplicas: 2, maxReplicas: 5, targetMemoryUtilizationPercentage: 80 },
      },
      ingress: { host: "cash.acme.example" },
    });
    await eventually("HPA created", async () => {
      const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({
        name: "acme-app",
        namespace: ns.name,
      });
      expect(hpa.spec.maxReplicas).toBe(5);
      // Both targets, as the API server stored them.
      expect(
        hpa.spec.metrics?.map((m) => [m.resource?.name, m.resource?.target.averageUtilization]),
      ).toEqual([
        ["cpu", 75],
        ["memory", 80],
      ]);
    });
    apply("acme", {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      ingress: { host: "cash.acme.example" },
    });
    await eventually("HPA and PDB pruned", async () => {
      const hpa = await autoscaling
        .readNamespacedHorizontalPodAutoscaler({ name: "acme-app", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(hpa)).toBe(404);
      const pdb = await policy
        .readNamespacedPodDisruptionBudget({ name: "acme-app", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(pdb)).toBe(404);
      const app = await apps.readNamespacedDeployment({ name: "acme-app", namespace: ns.name });
      expect(app.spec?.replicas).toBe(1);
    });
    await waitReady("acme", (await read("acme")).metadata.generation);
  });

  it("grows the database volume through its claim, keeping the StatefulSet's template", async () => {
    apply("acme", {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      ingress: { host: "cash.acme.example" },
      postgres: { storage: { size: "25Gi" } },
    });
    await eventually("claim grown", async () => {
      const pvc = await core.readNamespacedPersistentVolumeClaim({
        name: "data-acme-postgres-0",
        namespace: ns.name,
      });
      expect(pvc.spec?.resources?.requests?.storage).toBe("25Gi");
    });
    const sts = await apps.readNamespacedStatefulSet({ name: "acme-postgres", namespace: ns.name });
    expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe("10Gi");
    const tracker = await waitReady("acme", (await read("acme")).metadata.generation);
    expect(tracker.status?.conditions?.find((c) => c.type === "Degraded")?.status).toBe("False");
  });

  it("still applies every other child when the API server refuses one, and names the refused one", async () => {
    apply("indep", {
      app: { adminEmail: "owner@indep.example", replicas: 1 },
      ingress: { host: "indep.example", annotations: { "not a valid key!": "x" } },
    });
    const degraded = await eventually("Degraded naming the Ingress", async () => {
      const condition = conditionOf(await read("indep"), "Degraded");
      expect(condition).toMatchObject({ status: "True", reason: "InvalidSpec" });
      return condition;
    });
    expect(degraded?.message).toMatch(/while applying Ingress indep-app/);
    await eventually("the app, PostgreSQL and Redis applied all the same", async () => {
      const app = await apps.readNamespacedDeployment({ name: "indep-app", namespace: ns.name });
      expect(app.spec?.replicas).toBe(1);
      await apps.readNamespacedStatefulSet({ name: "indep-postgres", namespace: ns.name });
      await apps.readNamespacedDeployment({ name: "indep-redis", namespace: ns.name });
    });
    deleteTracker(ns.name, "indep", false);
  });

  it("reports Degraded with the API server's reason for a spec it cannot build, and recovers", async () => {
    const base = {
      app: { adminEmail: "owner@acme.example", replicas: 1 },
      postgres: { storage: { size: "25Gi" } },
    };
    apply("acme", {
      ...base,
      ingress: { host: "cash.acme.example", annotations: { "not a valid key!": "x" } },
    });
    const degraded = await eventually("Degraded", async () => {
      const t = await read("acme");
      const condition = t.status?.conditions?.find((c) => c.type === "Degraded");
      expect(condition).toMatchObject({ status: "True", reason: "InvalidSpec" });
      expect(t.status?.phase).toBe("Degraded");
      return condition;
    });
    expect(degraded?.message).toMatch(/Ingress acme-app.*metadata.annotations/);
    apply("acme", { ...base, ingress: { host: "cash.acme.example" } });
    await eventually("recovered", async () => {
      const t = await read("acme");
      expect(t.status?.conditions?.find((c) => c.type === "Degraded")?.status).toBe("False");
      expect(t.status?.phase).toBe("Ready");
    });
    const events = kubectl([
      "get",
      "events",
      "-n",
      ns.name,
      "--field-selector",
      "involvedObject.name=acme,type=Warning",
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    expect(events).toContain("InvalidSpec");
  });

  it("re-creates a deleted child", async () => {
    await core.deleteNamespacedService({ name: "acme-redis", namespace: ns.name });
    await eventually("Service acme-redis back", async () => {
      const svc = await core.readNamespacedService({ name: "acme-redis", namespace: ns.name });
      expect(svc.metadata?.deletionTimestamp).toBeUndefined();
    });
  });

  it("restores a field it owns that someone edited, and leaves fields it does not own alone", async () => {
    kubectl([
      "set",
      "image",
      "deployment/acme-redis",
      "-n",
      ns.name,
      "redis=evil.example/redis:latest",
    ]);
    kubectl(["annotate", "service", "acme-app", "-n", ns.name, "team.example/owner=payments"]);
    await eventually("image restored", async () => {
      const redis = await apps.readNamespacedDeployment({ name: "acme-redis", namespace: ns.name });
      expect(redis.spec?.template.spec?.containers[0]?.image).toBe("registry.example/redis:7");
    });
    const svc = await core.readNamespacedService({ name: "acme-app", namespace: ns.name });
    expect(svc.metadata?.annotations?.["team.example/owner"]).toBe("payments");
  });

  it("does nothing while paused and catches up when resumed", async () => {
    annotatePaused("acme", "true");
    await eventually("phase Paused", async () => {
      expect((await read("acme")).status?.phase).toBe("Paused");
    });
    apply("acme", {
      app: { adminEmail: "owner@acme.example", replicas: 4 },
      ingress: { host: "cash.acme.example" },
      postgres: { storage: { size: "25Gi" } },
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      (await apps.readNamespacedDeployment({ name: "acme-app", namespace: ns.name })).spec
        ?.replicas,
    ).toBe(1);
    kubectl([
      "annotate",
      "financetrackers.fintrack.dev",
      "acme",
      "-n",
      ns.name,
      "fintrack.dev/paused-",
    ]);
    await eventually("replicas 4 after resume", async () => {
      expect(
        (await apps.readNamespacedDeployment({ name: "acme-app", namespace: ns.name })).spec
          ?.replicas,
      ).toBe(4);
    });
  });

  it("holds a tenant whose paused annotation is neither true nor false, and says so", async () => {
    annotatePaused("acme", "yes");
    const held = await eventually("Degraded InvalidSpec", async () => {
      const tracker = await read("acme");
      expect(conditionOf(tracker, "Degraded")).toMatchObject({
        status: "True",
        reason: "InvalidSpec",
      });
      return tracker;
    });
    expect(held.status?.phase).toBe("Paused");
    expect(conditionOf(held, "Degraded")?.message).toContain(
      'annotation fintrack.dev/paused must be "true" or "false", not "yes"',
    );
    annotatePaused("acme", "false");
    await eventually("no longer Degraded", async () => {
      const tracker = await read("acme");
      expect(conditionOf(tracker, "Degraded")?.status).toBe("False");
      expect(tracker.status?.phase).toBe("Ready");
    });
  });

  it("upgrades PostgreSQL on request: stops it, copies in a Job with both majors, and cancels when the version goes back", async () => {
    const spec = (version: number) => ({
      app: { adminEmail: "owner@gamma.example", replicas: 1 },
      postgres: { version },
    });
    apply("gamma", spec(16));
    await waitReady("gamma");
    apply("gamma", spec(17));
    // kwok's pods never finish: the copy Job stays running, which is the state this test needs.
    const job = await eventually("the copy Job", async () => {
      const t = await read("gamma");
      expect(t.status?.postgres?.upgrade).toMatchObject({ from: 16, to: 17, phase: "Copying" });
      expect(conditionOf(t, "Progressing")).toMatchObject({
        status: "True",
        reason: "UpgradingPostgres",
      });
      return batch.readNamespacedJob({ name: "gamma-postgres-upgrade", namespace: ns.name });
    });
    const pod = job.spec?.template.spec;
    expect(pod?.initContainers?.[0]).toMatchObject({
      name: "old-server",
      image: "registry.example/postgres:16",
      restartPolicy: "Always",
    });
    expect(pod?.containers[0]?.image).toBe("registry.example/postgres:17");
    const stopped = await apps.readNamespacedStatefulSet({
      name: "gamma-postgres",
      namespace: ns.name,
    });
    expect(stopped.spec?.replicas).toBe(0);
    expect(stopped.spec?.template.spec?.containers[0]?.image).toBe("registry.example/postgres:16");

    apply("gamma", spec(16));
    await eventually("the copy cancelled and PostgreSQL 16 back", async () => {
      const gone = await batch
        .readNamespacedJob({ name: "gamma-postgres-upgrade", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(gone)).toBe(404);
      const sts = await apps.readNamespacedStatefulSet({
        name: "gamma-postgres",
        namespace: ns.name,
      });
      expect(sts.spec?.replicas).toBe(1);
      const t = await read("gamma");
      expect(t.status?.postgres).toEqual({ version: 16 });
    });
    deleteTracker(ns.name, "gamma", false);
  });

  it("keeps the data volume and credentials when a Retain tenant is deleted", async () => {
    deleteTracker(ns.name, "acme");
    await eventually("children garbage-collected", async () => {
      const app = await apps
        .readNamespacedDeployment({ name: "acme-app", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(app)).toBe(404);
    });
    const secret = await core.readNamespacedSecret({
      name: "acme-credentials",
      namespace: ns.name,
    });
    expect(secret.metadata?.ownerReferences ?? []).toEqual([]);
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      name: "data-acme-postgres-0",
      namespace: ns.name,
    });
    expect(pvc.metadata?.deletionTimestamp).toBeUndefined();
  });

  it("deletes the data volume and credentials when a Delete tenant is deleted", async () => {
    apply("beta", {
      app: { adminEmail: "owner@beta.example", replicas: 1 },
      deletionPolicy: "Delete",
    });
    await waitReady("beta");
    deleteTracker(ns.name, "beta");
    await eventually("PVC and Secret gone", async () => {
      const pvc = await core
        .readNamespacedPersistentVolumeClaim({ name: "data-beta-postgres-0", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(pvc)).toBe(404);
      const secret = await core
        .readNamespacedSecret({ name: "beta-credentials", namespace: ns.name })
        .catch((e: unknown) => e);
      expect(statusCode(secret)).toBe(404);
    });
  });
});
