import { describe, expect, it } from "vitest";
import { conditionTypes, mergeConditions, reasons, type ConditionInput } from "./conditions.ts";

const ready = (status: "True" | "False"): ConditionInput => ({
  type: conditionTypes.ready,
  status,
  reason: status === "True" ? reasons.allComponentsReady : reasons.componentsNotReady,
  message: status === "True" ? "all ready" : "app not ready",
});

describe("mergeConditions", () => {
  it("stamps a new condition with the current time and generation", () => {
    const [c] = mergeConditions(undefined, [ready("False")], 3, "2026-01-01T00:00:00Z");
    expect(c).toMatchObject({
      status: "False",
      lastTransitionTime: "2026-01-01T00:00:00Z",
      observedGeneration: 3,
    });
  });

  it("keeps lastTransitionTime while the status stays the same, even if the message changes", () => {
    const before = mergeConditions(undefined, [ready("False")], 1, "2026-01-01T00:00:00Z");
    const after = mergeConditions(
      before,
      [{ ...ready("False"), message: "postgres not ready" }],
      2,
      "2026-01-01T00:05:00Z",
    );
    expect(after[0]?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
    expect(after[0]?.message).toBe("postgres not ready");
    expect(after[0]?.observedGeneration).toBe(2);
  });

  it("moves lastTransitionTime when the status flips", () => {
    const before = mergeConditions(undefined, [ready("False")], 1, "2026-01-01T00:00:00Z");
    const after = mergeConditions(before, [ready("True")], 1, "2026-01-01T00:05:00Z");
    expect(after[0]?.lastTransitionTime).toBe("2026-01-01T00:05:00Z");
  });
});
