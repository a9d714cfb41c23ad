import { describe, expect, it } from "vitest";
import { eventually } from "./eventually.ts";

describe("eventually", () => {
  it("returns the value of the first check that passes", async () => {
    let calls = 0;
    const value = await eventually(
      "the third call",
      () => {
        calls += 1;
        if (calls < 3) throw new Error(`call ${calls}`);
        return "converged";
      },
      { intervalMs: 1 },
    );
    expect(value).toBe("converged");
    expect(calls).toBe(3);
  });

  it("names what it waited for and keeps the last failure as the cause", async () => {
    const failure: unknown = await eventually(
      "a pod to be Ready",
      () => {
        throw new Error("phase Pending");
      },
      { timeoutMs: 20, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /timed out after 20 ms waiting for a pod to be Ready/,
    );
    expect(((failure as Error).cause as Error).message).toBe("phase Pending");
  });
});
