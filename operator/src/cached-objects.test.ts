import type { KubernetesObject, V1ManagedFieldsEntry } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { slimChild, withoutManagedFields } from "./cached-objects.ts";
import { fieldManager } from "./names.ts";
import { replicasHandover, replicasHandoverManager } from "./replicas-handover.ts";

const entry = (manager: string, spec: Record<string, unknown>, operation = "Apply") => ({
  manager,
  operation,
  apiVersion: "apps/v1",
  fieldsType: "FieldsV1",
  time: new Date("2026-12-01T00:00:00Z"),
  fieldsV1: { "f:metadata": { "f:labels": {} }, "f:spec": spec },
});

function liveDeployment(managedFields: V1ManagedFieldsEntry[]): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "acme-app",
      namespace: "tenant",
      resourceVersion: "42",
      labels: { app: "x" },
      annotations: { "fintrack.dev/applied-hash": "abc" },
      managedFields,
    },
    spec: { replicas: 3, selector: {}, template: {} },
    status: { readyReplicas: 3 },
  } as KubernetesObject;
}

const desiredWithoutReplicas = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "acme-app", namespace: "tenant" },
  spec: { selector: {}, template: {} },
};

describe("slimChild", () => {
  const managers = {
    oursOwningReplicas: entry(fieldManager, { "f:replicas": {}, "f:template": { "f:spec": {} } }),
    oursWithout: entry(fieldManager, { "f:template": { "f:spec": {} } }),
    hpa: entry("kube-controller-manager", { "f:replicas": {} }, "Update"),
    handover: entry(replicasHandoverManager, { "f:replicas": {} }),
  };

  it("keeps everything but managedFields, of which only our ownership of spec.replicas", () => {
    const live = liveDeployment(Object.values(managers));
    const slim = slimChild(live);
    expect(slim.metadata?.managedFields).toEqual([
      { manager: fieldManager, operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
    ]);
    expect(withoutManagedFields(slim).metadata).toEqual(withoutManagedFields(live).metadata);
    expect({ ...slim, metadata: undefined }).toEqual({ ...live, metadata: undefined });
  });

  it("leaves the replicas hand-over deciding exactly as it does on the full object", () => {
    const cases = [
      [managers.oursOwningReplicas, managers.hpa],
      [managers.oursWithout, managers.hpa],
      [managers.oursWithout, managers.handover],
      [managers.hpa],
      [],
    ];
    for (const managedFields of cases) {
      const live = liveDeployment(managedFields);
      expect(replicasHandover(desiredWithoutReplicas, slimChild(live))).toEqual(
        replicasHandover(desiredWithoutReplicas, live),
      );
    }
    expect(
      replicasHandover(desiredWithoutReplicas, slimChild(liveDeployment(cases[0] ?? []))),
    ).toBeDefined();
  });

  it("leaves no managedFields key at all when none of ours owns replicas", () => {
    expect(slimChild(liveDeployment([managers.hpa])).metadata).not.toHaveProperty("managedFields");
  });
});

describe("withoutManagedFields", () => {
  it("drops managedFields and nothing else", () => {
    const live = liveDeployment([entry("kubectl", {})]);
    const kept = withoutManagedFields(live);
    expect(kept.metadata).not.toHaveProperty("managedFields");
    expect(kept.metadata?.annotations).toEqual(live.metadata?.annotations);
    expect(live.metadata?.managedFields).toHaveLength(1);
  });
});
