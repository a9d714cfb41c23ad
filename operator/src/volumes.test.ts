import type { V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import { buildPostgresStatefulSet } from "./resources/postgres/statefulset.ts";
import { planVolumes } from "./volumes.ts";

const sts = (size: string): V1StatefulSet =>
  buildPostgresStatefulSet(aTracker({ spec: { postgres: { storage: { size } } } }), aContext());

describe("planVolumes", () => {
  it("uses the desired templates when the StatefulSet does not exist yet", () => {
    const desired = sts("20Gi");
    expect(planVolumes(desired, undefined)).toEqual({ statefulSet: desired, resizes: [] });
  });

  it("keeps the live templates and grows the claim when the size grew", () => {
    const { statefulSet, resizes } = planVolumes(sts("30Gi"), sts("10Gi"));
    expect(statefulSet.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage).toBe(
      "10Gi",
    );
    expect(resizes).toHaveLength(1);
    expect(resizes[0]?.size).toBe("30Gi");
    expect(resizes[0]?.claim.metadata).toEqual({
      name: "data-acme-postgres-0",
      namespace: "tenant-acme",
    });
    expect(resizes[0]?.claim.metadata?.ownerReferences).toBeUndefined();
  });

  it("asks for nothing when the size is unchanged", () => {
    expect(planVolumes(sts("10Gi"), sts("10Gi")).resizes).toEqual([]);
  });
});
