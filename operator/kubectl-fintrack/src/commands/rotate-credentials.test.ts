import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import type { FinanceTrackerStatus } from "../../../src/api/v1alpha1.ts";
import { rotationPatch, rotationRequest, rotationState } from "./rotate-credentials.ts";

function withCredentials(credentials: FinanceTrackerStatus["credentials"]) {
  return { ...aTracker(), status: { credentials } };
}

describe("rotationRequest", () => {
  it("is the current time to the second", () => {
    expect(rotationRequest(new Date("2026-12-06T12:34:56.789Z"))).toBe("2026-12-06T12:34:56Z");
  });
});

describe("rotationPatch", () => {
  it("sets the annotation the operator watches, and nothing else", () => {
    expect(rotationPatch("INC-1")).toEqual({
      metadata: { annotations: { "fintrack.dev/rotate-credentials": "INC-1" } },
    });
  });
});

describe("rotationState", () => {
  it("waits for the operator until the status names the request", () => {
    expect(rotationState(aTracker(), "r2")).toEqual({
      done: false,
      failed: false,
      text: "requested, waiting for the operator",
    });
    // An earlier rotation, finished, is not this one.
    const earlier = withCredentials({ lastRotation: { request: "r1", time: "t" } });
    expect(rotationState(earlier, "r2").done).toBe(false);
  });

  it("follows the phase of the rotation in progress", () => {
    const tracker = withCredentials({
      rotation: { request: "r2", phase: "RollingOut", message: "app pods rolling" },
    });

    expect(rotationState(tracker, "r2")).toEqual({
      done: false,
      failed: false,
      text: "RollingOut: app pods rolling",
    });
  });

  it("is done once the request is the last rotation, and failed when the rotation failed", () => {
    const done = withCredentials({ lastRotation: { request: "r2", time: "2026-12-06T12:00:00Z" } });
    const failed = withCredentials({
      rotation: { request: "r2", phase: "Failed", message: "prepare Job failed" },
    });

    expect(rotationState(done, "r2")).toEqual({
      done: true,
      failed: false,
      text: "rotated at 2026-12-06T12:00:00Z",
    });
    expect(rotationState(failed, "r2")).toMatchObject({ done: true, failed: true });
  });
});
