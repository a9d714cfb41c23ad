import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { prunable } from "./prune.ts";

const child = (
  kind: string,
  name: string,
  uid = "owner-1",
  extra: object = {},
): KubernetesObject => ({
  apiVersion: "v1",
  kind,
  metadata: {
    name,
    namespace: "t",
    ownerReferences: [
      {
        apiVersion: "fintrack.dev/v1alpha1",
        kind: "FinanceTracker",
        name: "acme",
        uid,
        controller: true,
      },
    ],
    ...extra,
  },
});

describe("prunable", () => {
  it("deletes what is ours and no longer desired", () => {
    const hpa = child("HorizontalPodAutoscaler", "acme-app");
    const svc = child("Service", "acme-app");
    expect(prunable("owner-1", [svc], [svc, hpa])).toEqual([hpa]);
  });

  it("leaves objects controlled by another owner alone, even with our labels", () => {
    expect(prunable("owner-1", [], [child("Service", "acme-app", "owner-2")])).toEqual([]);
  });

  it("does not delete again what is already being deleted", () => {
    expect(
      prunable(
        "owner-1",
        [],
        [child("Ingress", "acme-app", "owner-1", { deletionTimestamp: new Date() })],
      ),
    ).toEqual([]);
  });

  it("matches by kind and name, so a same-named object of another kind is not desired", () => {
    const ingress = child("Ingress", "acme-app");
    expect(prunable("owner-1", [child("Service", "acme-app")], [ingress])).toEqual([ingress]);
  });
});
