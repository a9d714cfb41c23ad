import { describe, expect, it } from "vitest";
import { inFlight } from "./in-flight.ts";

/** A promise with its settling functions, to end tracked work when the test says so. */
function deferred() {
  let resolve: () => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("inFlight", () => {
  it("is settled at once when nothing runs", async () => {
    expect(await inFlight().settled(0)).toBe(true);
  });

  it("counts work until it settles, whether it succeeds or fails", async () => {
    const work = inFlight();
    const ok = deferred();
    const failing = deferred();
    void work.track(ok.promise);
    work.track(failing.promise).catch(() => undefined);
    expect(work.count()).toBe(2);

    ok.resolve();
    failing.reject(new Error("the database went away"));
    expect(await work.settled(1000)).toBe(true);
    expect(work.count()).toBe(0);
  });

  it("answers false when the work outlasts the wait, and true once it ends", async () => {
    const work = inFlight();
    const slow = deferred();
    void work.track(slow.promise);

    expect(await work.settled(20)).toBe(false);
    const later = work.settled(1000);
    slow.resolve();
    expect(await later).toBe(true);
  });

  it("answers the tracked promise unchanged", async () => {
    await expect(inFlight().track(Promise.resolve(42))).resolves.toBe(42);
    await expect(inFlight().track(Promise.reject(new Error("no")))).rejects.toThrow("no");
  });
});
