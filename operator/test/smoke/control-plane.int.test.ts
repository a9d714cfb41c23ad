import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
  type V1PodSpec,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { statusCode, statusMessage } from "../harness/api-errors.ts";
import { adminKubeConfig } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";

/** A pod spec that satisfies the `restricted` Pod Security profile. */
function restrictedPodSpec(overrides: Partial<V1PodSpec> = {}): V1PodSpec {
  return {
    ...overrides,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "app",
        image: "registry.example/fintrack/app:smoke",
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
  };
}

describe("the local control plane", () => {
  const ns = useNamespace("smoke");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kc);

  it("reports itself ready with RBAC and PodSecurity admission on", async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.36\./);
    const namespace = await core.readNamespace({ name: ns.name });
    expect(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("refuses a pod that breaks the restricted profile, naming each violation", async () => {
    // Fine under `baseline`, so only the restricted profile can be what refuses it.
    const error: unknown = await core
      .createNamespacedPod({
        namespace: ns.name,
        body: {
          metadata: { name: "root" },
          spec: { containers: [{ name: "c", image: "busybox" }] },
        },
      })
      .catch((e: unknown) => e);
    expect(statusCode(error)).toBe(403);
    const message = statusMessage(error);
    expect(message).toMatch(/violates PodSecurity "restricted:latest"/);
    expect(message).toContain("allowPrivilegeEscalation != false");
    expect(message).toContain("runAsNonRoot != true");
    expect(message).toContain("seccompProfile");
  });

  it("admits the same pod once it is made restricted", async () => {
    await core.createNamespacedPod({
      namespace: ns.name,
      body: { metadata: { name: "compliant" }, spec: restrictedPodSpec() },
      dryRun: "All",
    });
  });

  it.skipIf(!clusterRunsControllers())(
    "runs a restricted Deployment to a Ready pod on a fake node",
    async () => {
      await apps.createNamespacedDeployment({
        namespace: ns.name,
        body: {
          metadata: { name: "web" },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "web" } },
            template: { metadata: { labels: { app: "web" } }, spec: restrictedPodSpec() },
          },
        },
      });
      const pod = await eventually("a Ready pod of Deployment web", async () => {
        const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: "app=web" });
        const ready = pods.items.find((p) =>
          p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        if (!ready) throw new Error(`pods: ${pods.items.map((p) => p.status?.phase).join(",")}`);
        return ready;
      });
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-/);
      await eventually("Deployment web available", async () => {
        const deployment = await apps.readNamespacedDeployment({ name: "web", namespace: ns.name });
        expect(deployment.status?.availableReplicas).toBe(1);
      });
    },
  );

  it.skipIf(!clusterRunsControllers())(
    "binds a PersistentVolumeClaim through the default StorageClass",
    async () => {
      await core.createNamespacedPersistentVolumeClaim({
        namespace: ns.name,
        body: {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      });
      await eventually("PVC data bound", async () => {
        const pvc = await core.readNamespacedPersistentVolumeClaim({
          name: "data",
          namespace: ns.name,
        });
        expect(pvc.status?.phase).toBe("Bound");
        expect(pvc.spec?.storageClassName).toBe("kwok-volume");
      });
    },
  );

  it.skipIf(!clusterRunsControllers())(
    "runs a StatefulSet whose pod gets a bound volume from its claim template",
    async () => {
      await apps.createNamespacedStatefulSet({
        namespace: ns.name,
        body: {
          metadata: { name: "db" },
          spec: {
            serviceName: "db",
            replicas: 1,
            selector: { matchLabels: { app: "db" } },
            template: { metadata: { labels: { app: "db" } }, spec: restrictedPodSpec() },
            volumeClaimTemplates: [
              {
                metadata: { name: "data" },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: "2Gi" } },
                },
              },
            ],
          },
        },
      });
      await eventually("StatefulSet db ready", async () => {
        const sts = await apps.readNamespacedStatefulSet({ name: "db", namespace: ns.name });
        expect(sts.status?.readyReplicas).toBe(1);
      });
      const pvc = await core.readNamespacedPersistentVolumeClaim({
        name: "data-db-0",
        namespace: ns.name,
      });
      expect(pvc.status?.phase).toBe("Bound");
    },
  );

  it.skipIf(!clusterRunsControllers())("runs a Job to completion", async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: {
        metadata: { name: "once" },
        spec: {
          backoffLimit: 0,
          template: { spec: restrictedPodSpec({ restartPolicy: "Never" }) },
        },
      },
    });
    await eventually("Job once succeeded", async () => {
      const job = await batch.readNamespacedJob({ name: "once", namespace: ns.name });
      expect(job.status?.succeeded).toBe(1);
    });
  });

  describe("a CRD with a status subresource", () => {
    const group = "smoke.fintrack.dev";
    const plural = "widgets";

    beforeAll(async () => {
      await objects.patch(
        {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: `${plural}.${group}` },
          spec: {
            group,
            scope: "Namespaced",
            names: { plural, singular: "widget", kind: "Widget", listKind: "WidgetList" },
            versions: [
              {
                name: "v1",
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                  openAPIV3Schema: {
                    type: "object",
                    properties: {
                      spec: {
                        type: "object",
                        properties: { size: { type: "integer", minimum: 1 } },
                      },
                      status: { type: "object", properties: { phase: { type: "string" } } },
                    },
                  },
                },
              },
            ],
          },
        } as never,
        undefined,
        undefined,
        "fintrack-smoke",
        true,
        PatchStrategy.ServerSideApply,
      );
      await eventually("CRD established", async () => {
        await custom.listNamespacedCustomObject({
          group,
          version: "v1",
          namespace: ns.name,
          plural,
        });
      });
    });

    it("keeps status apart from spec and validates the schema", async () => {
      await custom.createNamespacedCustomObject({
        group,
        version: "v1",
        namespace: ns.name,
        plural,
        body: {
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name: "w" },
          spec: { size: 2 },
          status: { phase: "Ignored" },
        },
      });
      const created = (await custom.getNamespacedCustomObject({
        group,
        version: "v1",
        namespace: ns.name,
        plural,
        name: "w",
      })) as { status?: unknown };
      expect(created.status).toBeUndefined(); // status in a create is dropped with a status subresource

      await custom.patchNamespacedCustomObjectStatus(
        {
          group,
          version: "v1",
          namespace: ns.name,
          plural,
          name: "w",
          body: { status: { phase: "Ready" } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      const patched = (await custom.getNamespacedCustomObject({
        group,
        version: "v1",
        namespace: ns.name,
        plural,
        name: "w",
      })) as {
        spec: { size: number };
        status: { phase: string };
      };
      expect(patched.status.phase).toBe("Ready");
      expect(patched.spec.size).toBe(2);

      const invalid: unknown = await custom
        .createNamespacedCustomObject({
          group,
          version: "v1",
          namespace: ns.name,
          plural,
          body: {
            apiVersion: `${group}/v1`,
            kind: "Widget",
            metadata: { name: "bad" },
            spec: { size: 0 },
          },
        })
        .catch((e: unknown) => e);
      expect(statusCode(invalid)).toBe(422);
      expect(statusMessage(invalid)).toContain("spec.size");
    });
  });

  it.skipIf(!clusterRunsControllers())(
    "garbage-collects a child when its owner is deleted",
    async () => {
      const owner = await core.createNamespacedConfigMap({
        namespace: ns.name,
        body: { metadata: { name: "owner" }, data: { role: "owner" } },
      });
      const uid = owner.metadata?.uid;
      if (!uid) throw new Error("the API server returned an owner without a uid");
      await core.createNamespacedConfigMap({
        namespace: ns.name,
        body: {
          metadata: {
            name: "child",
            ownerReferences: [
              { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid, controller: true },
            ],
          },
        },
      });
      await core.deleteNamespacedConfigMap({
        name: "owner",
        namespace: ns.name,
        propagationPolicy: "Background",
      });
      await eventually("child ConfigMap garbage-collected", async () => {
        const error: unknown = await core
          .readNamespacedConfigMap({ name: "child", namespace: ns.name })
          .catch((e: unknown) => e);
        expect(statusCode(error)).toBe(404);
      });
    },
  );
});
