import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { ProblemDetails } from "../../errors.ts";
import type { Cashflow } from "./cashflow.ts";
import type { NetWorth } from "./net-worth.ts";
import type { Spending } from "./spending.ts";

const paths = (body: unknown) => (body as ProblemDetails).errors?.map((e) => e.path);

describe("the reports", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    const food = await aCategory(member, "Food");
    const groceries = await aCategory(member, "Groceries", { parentId: food.id });
    const salary = await aCategory(member, "Salary", { kind: "income" });
    const checking = await anAccount(member, {
      openingBalance: "1000.00",
      openingDate: "2025-12-01",
    });
    const card = await anAccount(member, {
      type: "credit_card",
      currency: "USD",
      openingDate: "2026-01-01",
    });
    const pounds = await anAccount(member, { currency: "GBP" });
    Object.assign(ids, { food: food.id, groceries: groceries.id, checking: checking.id });
    for (const rate of [
      { currency: "USD", date: "2026-01-01", rate: "0.9" },
      { currency: "USD", date: "2026-01-15", rate: "0.9213" },
    ]) {
      expect((await member.post("/exchange-rates", rate)).status).toBe(201);
    }
    const book = (accountId: string, fields: Record<string, unknown>) =>
      aTransaction(member, accountId, fields);
    await book(checking.id, { date: "2026-01-01", amount: "3000.00", categoryId: salary.id });
    const lidl = await book(checking.id, {
      date: "2026-01-05",
      amount: "-100.00",
      categoryId: groceries.id,
      payee: "Lidl",
      tags: ["weekly"],
    });
    ids.lidl = lidl.id;
    await book(checking.id, {
      date: "2026-01-06",
      amount: "-50.00",
      categoryId: food.id,
      payee: "Cafe",
    });
    const refund = await book(checking.id, {
      date: "2026-01-07",
      amount: "10.00",
      categoryId: groceries.id,
      payee: "Lidl",
    });
    ids.refund = refund.id;
    await book(checking.id, { date: "2026-01-08", amount: "-20.00", payee: "Kiosk" });
    const split = await book(checking.id, {
      date: "2026-01-09",
      amount: "-60.00",
      payee: "Market",
      splits: [
        { amount: "-40.00", categoryId: groceries.id },
        { amount: "-20.00", categoryId: food.id },
      ],
    });
    ids.split = split.id;
    await book(card.id, { date: "2026-01-10", amount: "-10.00", categoryId: groceries.id });
    await book(card.id, { date: "2026-01-20", amount: "-5.00", categoryId: food.id });
    // A transfer between two currencies: neither income nor spending, but both balances move.
    await book(checking.id, {
      date: "2026-01-25",
      amount: "-200.00",
      transfer: { accountId: card.id, amount: "220.00" },
    });
    await book(pounds.id, { date: "2026-01-12", amount: "-30.00" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("totals spending per category rolled up the tree, converted, equal to a hand count", async () => {
    const res = await member.get("/reports/spending?from=2026-01-01&to=2026-01-31");
    expect(res.status).toBe(200);
    const body = res.body as Spending;
    // Groceries: -100 + 10 - 40 (split) - 10 USD at 0.9 (-9.00) = -139.00
    // Food: -50 - 20 (split) - 5 USD at 0.9213 (-4.6065 -> -4.61) + Groceries = -213.61
    expect(body.groups).toEqual([
      { key: ids.food, name: "Food", parentId: null, depth: 1, amount: "-213.61" },
      { key: ids.groceries, name: "Groceries", parentId: ids.food, depth: 2, amount: "-139.00" },
      { key: null, name: "Uncategorized", parentId: null, depth: 1, amount: "-20.00" },
    ]);
    expect(body.total).toBe("-233.61");
    expect(body.currency).toBe("EUR");
    expect(body.missingRates).toEqual([
      { currency: "GBP", firstDate: "2026-01-12", lastDate: "2026-01-12" },
    ]);
  });

  it("reads partial months at the range's edges day by day", async () => {
    const res = await member.get("/reports/spending?from=2026-01-06&to=2026-01-09&depth=1");
    // Food -50 (6th) and the split's -60 (9th); Groceries' refund of the 7th +10; Kiosk -20.
    expect((res.body as Spending).groups.map((g) => [g.name, g.amount])).toEqual([
      ["Food", "-100.00"],
      ["Uncategorized", "-20.00"],
    ]);
  });

  it("keeps the top levels only with depth, and groups by payee and tag", async () => {
    const top = (await member.get("/reports/spending?from=2026-01-01&to=2026-01-31&depth=1"))
      .body as Spending;
    expect(top.groups.map((g) => g.name)).toEqual(["Food", "Uncategorized"]);
    const payees = (
      await member.get("/reports/spending?from=2026-01-01&to=2026-01-31&groupBy=payee")
    ).body as Spending;
    expect(payees.groups.find((g) => g.key === "Lidl")?.amount).toBe("-100.00");
    expect(payees.groups.find((g) => g.key === "Market")?.amount).toBe("-60.00");
    const tags = (await member.get("/reports/spending?from=2026-01-01&to=2026-01-31&groupBy=tag"))
      .body as Spending;
    expect(tags.groups).toEqual([{ key: "weekly", name: "weekly", amount: "-100.00" }]);
  });

  it("gives income, expense and net per month, leaving transfers out", async () => {
    const res = await member.get("/reports/cashflow?from=2025-12-01&to=2026-01-31");
    expect((res.body as Cashflow).points).toEqual([
      { start: "2025-12-01", income: "0.00", expense: "0.00", net: "0.00" },
      { start: "2026-01-01", income: "3000.00", expense: "-233.61", net: "2766.39" },
    ]);
    const weeks = (
      await member.get("/reports/cashflow?from=2026-01-01&to=2026-01-11&interval=week")
    ).body as Cashflow;
    // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
    expect(weeks.points.map((p) => p.start)).toEqual(["2025-12-29", "2026-01-05"]);
    expect(weeks.points[0]?.income).toBe("3000.00");
    // A whole week comes from the weekly aggregate: -100 - 50 + 10 - 20 - 60 EUR, -10 USD at 0.9.
    expect(weeks.points[1]).toEqual({
      start: "2026-01-05",
      income: "0.00",
      expense: "-229.00",
      net: "-229.00",
    });
    // A range starting mid-week counts only its own days of that week: 10 - 20 - 60 - 9.
    const part = (await member.get("/reports/cashflow?from=2026-01-07&to=2026-01-11&interval=week"))
      .body as Cashflow;
    expect(part.points).toEqual([
      { start: "2026-01-05", income: "0.00", expense: "-79.00", net: "-79.00" },
    ]);
  });

  it("gives assets, liabilities and net worth in the base currency at month ends", async () => {
    const res = await member.get("/reports/net-worth?from=2025-12&to=2026-01&interval=month");
    expect(res.status).toBe(200);
    const body = res.body as NetWorth;
    // Checking: 1000 + 3000 - 100 - 50 + 10 - 20 - 60 - 200 = 3580.00. The card (a liability):
    // -10 - 5 + 220 = 205.00 USD at 0.9213 on 2026-01-31 = 188.8665 -> 188.87.
    expect(body.points).toEqual([
      { date: "2025-12-31", assets: "1000.00", liabilities: "0.00", net: "1000.00" },
      { date: "2026-01-31", assets: "3580.00", liabilities: "188.87", net: "3768.87" },
    ]);
    expect(body.missingRates).toEqual([
      { currency: "GBP", firstDate: "2026-01-31", lastDate: "2026-01-31" },
    ]);
  });

  it("stays exact when transactions are edited, re-split and deleted", async () => {
    expect(
      (await member.patch(`/transactions/${ids.lidl}`, { amount: "-120.00", date: "2026-02-02" }))
        .status,
    ).toBe(200);
    expect((await member.delete(`/transactions/${ids.refund}`)).status).toBe(204);
    expect(
      (
        await member.patch(`/transactions/${ids.split}`, {
          date: "2026-01-10",
          splits: [
            { amount: "-10.00", categoryId: ids.groceries },
            { amount: "-50.00", categoryId: ids.food },
          ],
        })
      ).status,
    ).toBe(200);
    const jan = (await member.get("/reports/spending?from=2026-01-01&to=2026-01-31"))
      .body as Spending;
    // Groceries: -10 (split) - 9.00 (USD) = -19.00; Food: -50 - 50 - 4.61 - 19.00 = -123.61.
    expect(jan.groups.map((g) => [g.name, g.amount])).toEqual([
      ["Food", "-123.61"],
      ["Groceries", "-19.00"],
      ["Uncategorized", "-20.00"],
    ]);
    const feb = (await member.get("/reports/spending?from=2026-02-01&to=2026-02-28"))
      .body as Spending;
    expect(feb.total).toBe("-120.00");
    // Every aggregate equals a recount from the ledger.
    const drift = await app.pool.query(`
      with truth as (
        select currency, booking_date as day, coalesce(category_id, 0) as category_id,
          sum(amount) as amount
        from (
          select t.currency, t.booking_date, t.category_id, t.amount from transactions t
          where t.transfer_group is null
            and not exists (select 1 from transaction_splits s where s.transaction_id = t.id)
          union all
          select t.currency, t.booking_date, s.category_id, s.amount
          from transaction_splits s join transactions t on t.id = s.transaction_id
        ) lines group by 1, 2, 3
      ),
      kept as (
        select currency, day, category_id, inflow + outflow as amount from category_days
      )
      select * from truth full join kept using (currency, day, category_id)
      where coalesce(truth.amount, 0) <> coalesce(kept.amount, 0)`);
    expect(drift.rows).toEqual([]);
    const months = await app.pool.query(`
      select account_id, month from account_months m
      where amount <> (select coalesce(sum(amount), 0) from transactions t
        where t.account_id = m.account_id and date_trunc('month', t.booking_date) = m.month)`);
    expect(months.rows).toEqual([]);
    const monthly = await app.pool.query(`
      select currency, month, category_id from category_months m
      where (inflow, outflow) <> (select coalesce(sum(inflow), 0), coalesce(sum(outflow), 0)
        from category_days d where d.currency = m.currency and d.category_id = m.category_id
          and date_trunc('month', d.day) = m.month)`);
    expect(monthly.rows).toEqual([]);
    const weekly = await app.pool.query(`
      with truth as (
        select currency, date_trunc('week', day)::date as week, category_id,
          sum(inflow) as inflow, sum(outflow) as outflow
        from category_days group by 1, 2, 3
      )
      select * from truth full join category_weeks kept using (currency, week, category_id)
      where (coalesce(truth.inflow, 0), coalesce(truth.outflow, 0))
        <> (coalesce(kept.inflow, 0), coalesce(kept.outflow, 0))`);
    expect(weekly.rows).toEqual([]);
    // The edit moved money across weeks: the weekly aggregate is not trivially empty.
    expect(
      (await app.pool.query("select 1 from category_weeks where week = '2026-02-02'")).rowCount,
    ).toBeGreaterThan(0);
  });

  it("ends months on their last day, leap years included, and defaults to twelve months", async () => {
    const res = await member.get("/reports/net-worth?from=2024-01&to=2024-04");
    expect((res.body as NetWorth).points.map((p) => p.date)).toEqual([
      "2024-01-31",
      "2024-02-29",
      "2024-03-31",
      "2024-04-30",
    ]);
    expect(((await member.get("/reports/net-worth")).body as NetWorth).points).toHaveLength(12);
  });

  it("refuses bad parameters with 422 naming the fields", async () => {
    expect(paths((await member.get("/reports/net-worth?from=2026-13")).body)).toEqual([
      "query.from",
    ]);
    expect(paths((await member.get("/reports/net-worth?interval=week")).body)).toEqual([
      "query.interval",
    ]);
    // Year 0 passed the old pattern and reached PostgreSQL, which has no year 0: a 500.
    const yearZero = await member.get("/reports/net-worth?to=0000-01");
    expect(yearZero.status).toBe(422);
    expect(paths(yearZero.body)).toEqual(["query.to"]);
    expect(paths((await member.get("/reports/spending?groupBy=mood")).body)).toEqual([
      "query.groupBy",
    ]);
    expect(
      paths((await member.get("/reports/cashflow?from=2026-02-01&to=2026-01-01")).body),
    ).toEqual(["query.to"]);
    expect(paths((await member.get("/reports/budget?month=2026-1")).body)).toEqual(["query.month"]);
  });

  it("is readable by a viewer, not by the anonymous", async () => {
    for (const path of [
      "/reports/spending",
      "/reports/cashflow",
      "/reports/net-worth",
      "/reports/budget?month=2026-01",
    ]) {
      expect((await app.as(app.viewer).get(path)).status).toBe(200);
      expect((await app.anonymous.get(path)).status).toBe(401);
    }
  });
});
