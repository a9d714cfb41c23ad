import { describe, expect, it } from "vitest";
import { trackerLane } from "./tracker-lane.ts";

const tracker = (generation: number, deleting = false) => ({
  metadata: {
    name: "acme",
    namespace: "tenants",
    generation,
    ...(deleting ? { deletionTimestamp: new Date("2026-01-01T00:00:00Z") } : {}),
  },
});

describe("trackerLane", () => {
  it.each([
    ["a tracker created after the first list", "changed", tracker(1), undefined, true],
    ["a tracker brought by the first list", "periodic", tracker(3), undefined, false],
    ["a new generation of the spec", "changed", tracker(4), 3, true],
    ["a status, finalizer or label update", "observed", tracker(3), 3, true],
    ["a deletion", "changed", tracker(4, true), 3, true],
    ["a deletion seen in the first list", "changed", tracker(4, true), undefined, false],
  ] as const)("puts %s in the %s lane", (_what, lane, object, seen, listed) => {
    expect(trackerLane(object, seen, listed)).toBe(lane);
  });
});
