import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { fieldManager } from "./names.ts";
import { replicasHandover } from "./replicas-handover.ts";

function deployment(
  replicas: number | undefined,
  owners: { manager: string; replicas: boolean }[] = [],
): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "acme-app",
      namespace: "tenant",
      managedFields: owners.map((o) => ({
        manager: o.manager,
        operation: "Apply",
        fieldsV1: {
          "f:spec": o.replicas ? { "f:replicas": {}, "f:template": {} } : { "f:template": {} },
        },
      })),
    },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: {},
      template: {},
    },
  };
}

describe("replicasHandover", () => {
  it("hands the live count over when autoscaling drops replicas that our apply owns", () => {
    const live = deployment(3, [{ manager: fieldManager, replicas: true }]);
    expect(replicasHandover(deployment(undefined), live)?.spec?.replicas).toBe(3);
  });

  it("does nothing once our manager no longer owns replicas (the HPA or the hand-over does)", () => {
    const live = deployment(4, [{ manager: fieldManager, replicas: false }]);
    expect(replicasHandover(deployment(undefined), live)).toBeUndefined();
  });

  it("does nothing while the desired Deployment still sets replicas, or before it exists", () => {
    const live = deployment(2, [{ manager: fieldManager, replicas: true }]);
    expect(replicasHandover(deployment(2), live)).toBeUndefined();
    expect(replicasHandover(deployment(undefined), undefined)).toBeUndefined();
  });

  it("never hands over other kinds", () => {
    const live = {
      ...deployment(2, [{ manager: fieldManager, replicas: true }]),
      kind: "StatefulSet",
    };
    expect(
      replicasHandover({ ...deployment(undefined), kind: "StatefulSet" }, live),
    ).toBeUndefined();
  });
});
