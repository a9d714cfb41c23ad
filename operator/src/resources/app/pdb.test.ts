import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { selectorLabels } from "../../names.ts";
import { buildAppPodDisruptionBudget, needsPodDisruptionBudget } from "./pdb.ts";

describe("needsPodDisruptionBudget", () => {
  it.each([
    { app: { replicas: 1 }, needed: false },
    { app: { replicas: 2 }, needed: true },
    { app: { replicas: 3, autoscaling: { minReplicas: 1, maxReplicas: 5 } }, needed: false },
    { app: { replicas: 1, autoscaling: { minReplicas: 2, maxReplicas: 5 } }, needed: true },
  ])("PDB only when more than one replica: $app -> $needed", ({ app, needed }) => {
    expect(needsPodDisruptionBudget(aTracker({ spec: { app } }).spec)).toBe(needed);
  });
});

describe("buildAppPodDisruptionBudget", () => {
  it("allows one app pod at a time to be disrupted", () => {
    const pdb = buildAppPodDisruptionBudget(aTracker());

    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.selector?.matchLabels).toEqual(selectorLabels("acme", "app"));
  });
});
