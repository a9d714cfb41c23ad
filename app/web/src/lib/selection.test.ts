import { describe, expect, it } from "vitest";
import { keepListed, selectionState, toggleSelection } from "./selection.ts";

const ids = ["a", "b", "c", "d", "e"];

describe("toggleSelection", () => {
  it("ticks and unticks one row without a range", () => {
    const one = toggleSelection(new Set(), ids, 2, true, undefined, false);
    expect([...one]).toEqual(["c"]);
    expect([...toggleSelection(one, ids, 2, false, 2, false)]).toEqual([]);
  });

  it("ticks every row between the anchor and the row, in either direction", () => {
    expect([...toggleSelection(new Set(["a"]), ids, 3, true, 1, true)].sort()).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
    expect([...toggleSelection(new Set(), ids, 0, true, 2, true)].sort()).toEqual(["a", "b", "c"]);
  });

  it("unticks a range when the shift-clicked row is unticked", () => {
    const all = new Set(ids);
    expect([...toggleSelection(all, ids, 1, false, 3, true)].sort()).toEqual(["a", "e"]);
  });

  it("changes only the row when there is no anchor or it is past the list", () => {
    expect([...toggleSelection(new Set(), ids, 4, true, undefined, true)]).toEqual(["e"]);
    expect([...toggleSelection(new Set(), ids, 4, true, 9, true)]).toEqual(["e"]);
  });
});

describe("selectionState", () => {
  it("tells all, some and none apart, ignoring ids that are not listed", () => {
    expect(selectionState(new Set(ids), ids)).toBe("all");
    expect(selectionState(new Set(["b", "zzz"]), ids)).toBe("some");
    expect(selectionState(new Set(["zzz"]), ids)).toBe("none");
    expect(selectionState(new Set(), [])).toBe("none");
  });
});

describe("keepListed", () => {
  it("drops selected ids that are no longer listed", () => {
    expect([...keepListed(new Set(["a", "x", "e"]), ids)]).toEqual(["a", "e"]);
  });
});
