import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { NetWorth } from "./net-worth.ts";

const paths = (body: unknown) => (body as ProblemDetails).errors?.map((e) => e.path);

describe("the net-worth report", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    const checking = await anAccount(member, {
      openingBalance: "1000.00",
      openingDate: "2025-12-15",
    });
    const savings = await anAccount(member, {
      type: "savings",
      openingBalance: "500.00",
      openingDate: "2026-02-01",
      archived: true,
    });
    const yen = await anAccount(member, {
      currency: "JPY",
      openingBalance: "10000",
      openingDate: "2025-01-01",
    });
    await aTransaction(member, checking.id, { date: "2025-12-20", amount: "-100.00" });
    await aTransaction(member, checking.id, { date: "2026-01-31", amount: "-50.25" });
    await aTransaction(member, checking.id, { date: "2026-02-01", amount: "2000.00" });
    await aTransaction(member, checking.id, {
      date: "2026-03-10",
      amount: "-300.00",
      transfer: { accountId: savings.id },
    });
    await aTransaction(member, yen.id, { date: "2026-02-28", amount: "-2500" });
    // After the report's last month: must not count in it.
    await aTransaction(member, checking.id, { date: "2026-04-01", amount: "-1.00" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("gives every month end's balance per currency, counting archived accounts", async () => {
    const res = await member.get("/reports/net-worth?from=2025-11&to=2026-03&interval=month");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      interval: "month",
      points: [
        {
          date: "2025-11-30",
          balances: [
            { currency: "EUR", amount: "0.00" },
            { currency: "JPY", amount: "10000" },
          ],
        },
        {
          date: "2025-12-31",
          balances: [
            { currency: "EUR", amount: "900.00" },
            { currency: "JPY", amount: "10000" },
          ],
        },
        {
          date: "2026-01-31",
          balances: [
            { currency: "EUR", amount: "849.75" },
            { currency: "JPY", amount: "10000" },
          ],
        },
        {
          date: "2026-02-28",
          balances: [
            { currency: "EUR", amount: "3349.75" },
            { currency: "JPY", amount: "7500" },
          ],
        },
        {
          date: "2026-03-31",
          balances: [
            { currency: "EUR", amount: "3349.75" },
            { currency: "JPY", amount: "7500" },
          ],
        },
      ],
    });
  });

  it("ends months on their last day, leap years included", async () => {
    const res = await member.get("/reports/net-worth?from=2024-01&to=2024-04");
    expect((res.body as NetWorth).points.map((p) => p.date)).toEqual([
      "2024-01-31",
      "2024-02-29",
      "2024-03-31",
      "2024-04-30",
    ]);
  });

  it("defaults to the twelve months up to the current one", async () => {
    const res = await member.get("/reports/net-worth");
    const points = (res.body as NetWorth).points;
    expect(points).toHaveLength(12);
    const now = new Date().toISOString().slice(0, 7);
    expect(points.at(-1)?.date.slice(0, 7)).toBe(now);
  });

  it("refuses bad months, reversed ranges and other intervals (422)", async () => {
    expect(paths((await member.get("/reports/net-worth?from=2026-13")).body)).toEqual([
      "query.from",
    ]);
    expect(paths((await member.get("/reports/net-worth?from=2026-03&to=2026-01")).body)).toEqual([
      "query.to",
    ]);
    expect(paths((await member.get("/reports/net-worth?interval=week")).body)).toEqual([
      "query.interval",
    ]);
    expect((await member.get("/reports/net-worth?from=1900-01&to=2026-01")).status).toBe(422);
  });

  it("is readable by a viewer", async () => {
    expect((await app.as(app.viewer).get("/reports/net-worth")).status).toBe(200);
    expect((await app.anonymous.get("/reports/net-worth")).status).toBe(401);
  });
});
