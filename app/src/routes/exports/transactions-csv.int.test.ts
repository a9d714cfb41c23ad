import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { type LedgerTestApp, startLedgerApp } from "../../../test/harness/ledger.ts";
import type { ProblemDetails } from "../../errors.ts";

describe("GET /exports/transactions.csv", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
  });
  afterAll(async () => {
    await app.close();
  });

  it("refuses an impossible date with a problem naming the parameter, before any CSV", async () => {
    for (const param of ["from", "to"]) {
      const res = await app.as(app.member).get(`/exports/transactions.csv?${param}=2026-02-30`);
      expect(res.status, param).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect((res.body as ProblemDetails).errors).toEqual([
        { path: `query.${param}`, message: "is not a calendar date in the form YYYY-MM-DD" },
      ]);
    }
  });
});
