import { describe, expect, it } from "vitest";
import { bucketQuantile } from "./support.ts";

const buckets = (counts: [number, number][]) => new Map(counts);

describe("bucketQuantile", () => {
  it("bounds a quantile of what was observed between two readings, not since the start", () => {
    const before = buckets([
      [0.1, 90],
      [1, 100],
      [10, 100],
      [Infinity, 100],
    ]);
    // 100 more observations: 50 under 0.1 s, 49 more under 1 s, one between 1 and 10 s.
    const after = buckets([
      [0.1, 140],
      [1, 199],
      [10, 200],
      [Infinity, 200],
    ]);
    expect(bucketQuantile(before, after, 0.5)).toBe(0.1);
    expect(bucketQuantile(before, after, 0.99)).toBe(1);
    expect(bucketQuantile(before, after, 0.999)).toBe(10);
  });

  it("says Infinity past the last bound and undefined when nothing was observed", () => {
    const before = buckets([
      [1, 0],
      [Infinity, 0],
    ]);
    expect(
      bucketQuantile(
        before,
        buckets([
          [1, 0],
          [Infinity, 3],
        ]),
        0.5,
      ),
    ).toBe(Infinity);
    expect(bucketQuantile(before, before, 0.99)).toBeUndefined();
  });
});
