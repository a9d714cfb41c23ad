import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import { planPostgresMajor, postgresMajorAnnotation } from "./postgres-major.ts";
import { buildPostgresStatefulSet } from "./resources/postgres/statefulset.ts";

const sts = (version: 15 | 16 | 17 | 18) =>
  buildPostgresStatefulSet(aTracker({ spec: { postgres: { version } } }), aContext());
const imageOf = (s: ReturnType<typeof sts>) => s.spec?.template.spec?.containers[0]?.image;

describe("planPostgresMajor", () => {
  it("records the major on a new StatefulSet", () => {
    const { statefulSet, blocked } = planPostgresMajor(sts(18), undefined, 18);
    expect(statefulSet.metadata?.annotations?.[postgresMajorAnnotation]).toBe("18");
    expect(blocked).toBeUndefined();
  });

  it("keeps the running image and says why when a newer major is requested", () => {
    const live = planPostgresMajor(sts(16), undefined, 16).statefulSet;
    const { statefulSet, blocked } = planPostgresMajor(sts(17), live, 17);
    expect(imageOf(statefulSet)).toBe(imageOf(live));
    expect(imageOf(statefulSet)).toContain("16");
    expect(statefulSet.metadata?.annotations?.[postgresMajorAnnotation]).toBe("16");
    expect(blocked).toEqual({ running: 16, requested: 17 });
  });

  it("rolls out other changes of the same major", () => {
    const live = planPostgresMajor(sts(18), undefined, 18).statefulSet;
    const desired = buildPostgresStatefulSet(
      aTracker({ spec: { postgres: { version: 18, resources: { limits: { memory: "2Gi" } } } } }),
      aContext(),
    );
    const { statefulSet, blocked } = planPostgresMajor(desired, live, 18);
    expect(blocked).toBeUndefined();
    expect(statefulSet.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe("2Gi");
  });
});
