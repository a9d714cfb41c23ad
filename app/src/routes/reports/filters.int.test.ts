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

const problems = (body: unknown) =>
  (body as ProblemDetails).errors?.map((e) => [e.path, e.message]);
const FEB = "from=2026-02-01&to=2026-02-28";

// The bookings, all in February 2026 unless said otherwise (EUR unless said otherwise):
//   checking  +2000.00 Salary (income)
//   checking   -100.00 Groceries, tag holiday
//   checking    -30.00 Transport, payee Bus
//   checking    -90.00 split: Groceries -60.00, Transport -30.00; tag holiday, payee Market
//   checking   -500.00 transfer to savings (+500.00), tag holiday: neither income nor spending
//   checking     -5.00 Groceries on 31 January (outside the range)
//   savings     -40.00 Food, tag holiday
//   savings     -15.00 uncategorized
//   card (USD)  -20.00 Groceries; 1 USD = 0.9 EUR from 1 February: -18.00
//   pounds (GBP) -7.00 uncategorized; no GBP rate
describe("the reports filtered by account, category and tag", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  const ids: Record<string, string> = {};

  const spending = async (params: string) => {
    const res = await member.get(`/reports/spending?${FEB}&${params}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body as Spending;
    return {
      total: body.total,
      groups: Object.fromEntries(body.groups.map((g) => [g.name, g.amount])),
      missing: body.missingRates,
    };
  };
  const cashflow = async (params: string) => {
    const res = await member.get(`/reports/cashflow?${FEB}&${params}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [point] = (res.body as Cashflow).points;
    return { income: point?.income, expense: point?.expense, net: point?.net };
  };

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    const food = await aCategory(member, "Food");
    const groceries = await aCategory(member, "Groceries", { parentId: food.id });
    const transport = await aCategory(member, "Transport");
    const salary = await aCategory(member, "Salary", { kind: "income" });
    const opened = { openingDate: "2026-01-01" };
    const checking = await anAccount(member, { ...opened, openingBalance: "1000.00" });
    const savings = await anAccount(member, { ...opened, type: "savings" });
    const card = await anAccount(member, { ...opened, type: "credit_card", currency: "USD" });
    const pounds = await anAccount(member, { ...opened, currency: "GBP" });
    Object.assign(ids, {
      food: food.id,
      groceries: groceries.id,
      transport: transport.id,
      checking: checking.id,
      savings: savings.id,
      card: card.id,
      pounds: pounds.id,
    });
    const rate = { currency: "USD", date: "2026-02-01", rate: "0.9" };
    expect((await member.post("/exchange-rates", rate)).status).toBe(201);
    const book = (accountId: string, date: string, fields: Record<string, unknown>) =>
      aTransaction(member, accountId, { date, ...fields });
    await book(checking.id, "2026-02-03", { amount: "2000.00", categoryId: salary.id });
    await book(checking.id, "2026-02-05", {
      amount: "-100.00",
      categoryId: groceries.id,
      tags: ["holiday"],
    });
    await book(checking.id, "2026-02-06", {
      amount: "-30.00",
      categoryId: transport.id,
      payee: "Bus",
    });
    await book(checking.id, "2026-02-07", {
      amount: "-90.00",
      payee: "Market",
      tags: ["holiday"],
      splits: [
        { amount: "-60.00", categoryId: groceries.id },
        { amount: "-30.00", categoryId: transport.id },
      ],
    });
    await book(checking.id, "2026-02-10", {
      amount: "-500.00",
      tags: ["holiday"],
      transfer: { accountId: savings.id, amount: "500.00" },
    });
    await book(checking.id, "2026-01-31", { amount: "-5.00", categoryId: groceries.id });
    await book(savings.id, "2026-02-08", {
      amount: "-40.00",
      categoryId: food.id,
      tags: ["holiday"],
    });
    await book(savings.id, "2026-02-09", { amount: "-15.00" });
    await book(card.id, "2026-02-11", { amount: "-20.00", categoryId: groceries.id });
    await book(pounds.id, "2026-02-12", { amount: "-7.00" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("counts one account's transactions, a split by its lines, and no transfer", async () => {
    // Groceries -100 - 60 (split line); Transport -30 - 30 (split line); Food rolls Groceries up.
    // The split's own bucket nets to nothing, so nothing is uncategorized.
    expect(await spending(`accountId=${ids.checking}`)).toEqual({
      total: "-220.00",
      groups: { Food: "-160.00", Groceries: "-160.00", Transport: "-60.00" },
      missing: [],
    });
    // Salary in; -220 out; the -500 transfer is neither.
    expect(await cashflow(`accountId=${ids.checking}`)).toEqual({
      income: "2000.00",
      expense: "-220.00",
      net: "1780.00",
    });
  });

  it("takes several accounts, repeated or as a comma list", async () => {
    // Checking's -220 plus savings' Food -40 and uncategorized -15; the transfer still counts
    // as neither although both its halves are in.
    const expected = {
      total: "-275.00",
      groups: {
        Food: "-200.00",
        Groceries: "-160.00",
        Transport: "-60.00",
        Uncategorized: "-15.00",
      },
      missing: [],
    };
    expect(await spending(`accountId=${ids.checking},${ids.savings}`)).toEqual(expected);
    expect(await spending(`accountId=${ids.checking}&accountId=${ids.savings}`)).toEqual(expected);
    expect(await cashflow(`accountId=${ids.checking},${ids.savings}`)).toEqual({
      income: "2000.00",
      expense: "-275.00",
      net: "1725.00",
    });
  });

  it("converts another currency with the rate in force and names a missing rate", async () => {
    expect(await spending(`accountId=${ids.card}`)).toEqual({
      total: "-18.00",
      groups: { Food: "-18.00", Groceries: "-18.00" },
      missing: [],
    });
    expect(await spending(`accountId=${ids.pounds}`)).toEqual({
      total: "0.00",
      groups: {},
      missing: [{ currency: "GBP", firstDate: "2026-02-12", lastDate: "2026-02-12" }],
    });
  });

  it("adds up to the unfiltered report over all the accounts", async () => {
    const all = await spending("");
    const each = await Promise.all(
      [ids.checking, ids.savings, ids.card, ids.pounds].map((id) =>
        spending(`accountId=${String(id)}`),
      ),
    );
    const cents = (text: string) => Math.round(Number(text) * 100);
    expect(each.reduce((sum, r) => sum + cents(r.total), 0)).toBe(cents(all.total));
    expect(all.total).toBe("-293.00");
    expect(await cashflow("")).toEqual({ income: "2000.00", expense: "-293.00", net: "1707.00" });
  });

  it("keeps a category and its subcategories, split lines included", async () => {
    // Groceries -100 - 60 (line) - 18 (card); Food's own -40.
    expect(await spending(`categoryId=${ids.food}`)).toEqual({
      total: "-218.00",
      groups: { Food: "-218.00", Groceries: "-178.00" },
      missing: [],
    });
    expect(await cashflow(`categoryId=${ids.food}`)).toEqual({
      income: "0.00",
      expense: "-218.00",
      net: "-218.00",
    });
    // By payee: the Bus ticket and the Market split's Transport line.
    const res = await member.get(
      `/reports/spending?${FEB}&groupBy=payee&categoryId=${ids.transport}`,
    );
    const body = res.body as Spending;
    expect(body.groups.map((g) => [g.name, g.amount])).toEqual([
      ["Bus", "-30.00"],
      ["Market", "-30.00"],
    ]);
    expect(body.total).toBe("-60.00");
  });

  it("keeps the transactions with a tag, alone or with an account", async () => {
    // -100 Groceries, the -90 split, savings' -40 Food; the tagged transfer is not spending.
    expect(await spending("tag=holiday")).toEqual({
      total: "-230.00",
      groups: { Food: "-200.00", Groceries: "-160.00", Transport: "-30.00" },
      missing: [],
    });
    expect(await spending(`tag=holiday&accountId=${ids.savings}`)).toEqual({
      total: "-40.00",
      groups: { Food: "-40.00" },
      missing: [],
    });
    expect(await cashflow(`tag=holiday&categoryId=${ids.groceries}`)).toEqual({
      income: "0.00",
      expense: "-160.00",
      net: "-160.00",
    });
  });

  it("gives net worth of the chosen accounts only", async () => {
    const res = await member.get(
      `/reports/net-worth?from=2026-01&to=2026-02&accountId=${ids.checking},${ids.card}`,
    );
    expect(res.status).toBe(200);
    // Checking: 1000 - 5 in January; + 2000 - 100 - 30 - 90 - 500 in February. The card's
    // -20 USD at 0.9 on 28 February; no USD rate yet on 31 January, but its balance was 0.
    expect((res.body as NetWorth).points).toEqual([
      { date: "2026-01-31", assets: "995.00", liabilities: "0.00", net: "995.00" },
      { date: "2026-02-28", assets: "2275.00", liabilities: "-18.00", net: "2257.00" },
    ]);
    expect((res.body as NetWorth).missingRates).toEqual([]);
  });

  it("refuses unknown and malformed ids with 422 naming the field", async () => {
    const unknown = await member.get(`/reports/spending?accountId=${ids.checking},987654321`);
    expect(unknown.status).toBe(422);
    expect(problems(unknown.body)).toEqual([["query.accountId", "no account 987654321"]]);
    expect(problems((await member.get("/reports/cashflow?categoryId=987654321")).body)).toEqual([
      ["query.categoryId", "no category 987654321"],
    ]);
    expect(problems((await member.get("/reports/net-worth?accountId=987654321")).body)).toEqual([
      ["query.accountId", "no account 987654321"],
    ]);
    for (const [query, path] of [
      ["accountId=abc", "query.accountId"],
      ["accountId=1,,2", "query.accountId"],
      ["accountId=99999999999999999999", "query.accountId"],
      ["categoryId=-1", "query.categoryId"],
      ["tag=", "query.tag"],
    ] as const) {
      const res = await member.get(`/reports/spending?${query}`);
      expect(res.status, query).toBe(422);
      expect((res.body as ProblemDetails).errors?.[0]?.path, query).toBe(path);
    }
    const bad = await member.get("/reports/cashflow?accountId=1&accountId=x");
    expect(bad.status).toBe(422);
    expect((bad.body as ProblemDetails).errors?.[0]?.path).toMatch(/^query\.accountId/);
  });
});
