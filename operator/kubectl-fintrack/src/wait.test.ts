import { describe, expect, it } from "vitest";
import { follow } from "./wait.ts";

/** A fake clock that advances only when the loop sleeps. */
function clock() {
  let now = 0;
  return { now: () => now, sleep: (ms: number) => Promise.resolve(void (now += ms)) };
}

describe("follow", () => {
  it("reports each new state once and returns the finished one", async () => {
    const states = ["Pending", "Running", "Running", "Completed"];
    const reported: string[] = [];

    const result = await follow(() => Promise.resolve(states.shift() ?? "gone"), {
      finished: (s) => s === "Completed",
      describe: (s) => s,
      report: (text) => reported.push(text),
      timeoutMs: 60_000,
      what: "the backup",
      ...clock(),
    });

    expect(result).toBe("Completed");
    expect(reported).toEqual(["Pending", "Running", "Completed"]);
  });

  it("gives up after the timeout, naming what it waited for", async () => {
    await expect(
      follow(() => Promise.resolve("Running"), {
        finished: () => false,
        describe: (s) => s,
        report: () => undefined,
        timeoutMs: 5_000,
        intervalMs: 1_000,
        what: "backup b1",
        ...clock(),
      }),
    ).rejects.toThrow("timed out after 5s waiting for backup b1");
  });
});
