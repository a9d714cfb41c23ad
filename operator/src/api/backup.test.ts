import { describe, expect, it } from "vitest";
import { parseCron } from "../backup/cron.ts";
import { backupSpec, cronPattern } from "./backup.ts";

const spec = (schedule: string) => ({
  schedule,
  destination: { s3: { bucket: "b-1", credentialsSecretRef: { name: "s3" } } },
});
// What admission's CEL rule runs, in JavaScript: RE2's (?i:...) groups as one i flag.
const admitted = (schedule: string) =>
  new RegExp(cronPattern.replaceAll("(?i:", "(?:"), "i").test(schedule);
const parses = (schedule: string) => {
  try {
    parseCron(schedule);
    return true;
  } catch {
    return false;
  }
};

describe("the backup schedule", () => {
  const good = ["0 3 * * *", "*/15 * * * *", "0 3 * * MON-fri", "30 2 1,15 jan,Jul 0", "0 0 * * 7"];
  const bad = ["61 25 * * *", "0 3 * * 8", "0 3 1 13 *", "0 3 0 * *", "daily", "0 0 3 * * *", ""];

  it("admits what the operator's parser accepts and refuses out-of-range fields", () => {
    for (const schedule of good) expect([schedule, admitted(schedule)]).toEqual([schedule, true]);
    for (const schedule of good) expect([schedule, parses(schedule)]).toEqual([schedule, true]);
    for (const schedule of bad) expect([schedule, admitted(schedule)]).toEqual([schedule, false]);
  });

  it("is refused by the operator too when only its parser sees the problem, in words", () => {
    const parsed = backupSpec.safeParse(spec("5-3 * * * *"));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ["schedule"],
      message: expect.stringMatching(
        /^schedule must be 5 cron fields.*minute range 5-3 runs backwards/,
      ) as unknown,
    });
    expect(backupSpec.safeParse(spec("0 3 * * *")).success).toBe(true);
  });
});
