import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { Account } from "../accounts/schema.ts";
import type { CategoryJson } from "../categories/schema.ts";
import type { TransactionJson, TransactionSummaryJson } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;

describe("the transaction summary", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let euros: Account;
  let dollars: Account;
  let groceries: CategoryJson;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    euros = await anAccount(member, { name: "Summary EUR" });
    dollars = await anAccount(member, { name: "Summary USD", currency: "USD" });
    groceries = await aCategory(member, "Groceries");
    const fuel = await aCategory(member, "Fuel");
    const book = (account: Account, overrides: Record<string, unknown>) =>
      aTransaction(member, account.id, overrides);
    await book(euros, { date: "2026-01-05", amount: "-60.10", payee: "Amazon EU", tags: ["trip"] });
    await book(euros, { date: "2026-01-20", amount: "-12.00", payee: "Amazon EU" });
    await book(euros, { date: "2025-12-30", amount: "-75.00", payee: "Amazon EU" });
    await book(euros, { date: "2026-02-01", amount: "2500.00", payee: "Employer" });
    await book(euros, {
      date: "2026-02-03",
      amount: "-90.00",
      payee: "Supermarket",
      splits: [
        { amount: "-70.00", categoryId: groceries.id },
        { amount: "-20.00", categoryId: fuel.id },
      ],
    });
    await book(euros, { date: "2026-02-04", amount: "-8.40", categoryId: groceries.id });
    await book(dollars, { date: "2026-01-07", amount: "-99.99", payee: "Amazon US" });
    await book(dollars, { date: "2026-01-08", amount: "40.00", payee: "Refund" });
  });
  afterAll(async () => {
    await app.close();
  });

  const summary = async (query: string): Promise<TransactionSummaryJson> => {
    const res = await member.get(`/transactions/summary?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as TransactionSummaryJson;
  };
  const listed = async (query: string): Promise<TransactionJson[]> =>
    ((await member.get(`/transactions?limit=500&${query}`)).body as { data: TransactionJson[] })
      .data;

  it("counts and totals every matching transaction per currency", async () => {
    expect(await summary("")).toEqual({
      count: 8,
      totals: [
        { currency: "EUR", income: "2500.00", expense: "-245.50", net: "2254.50" },
        { currency: "USD", income: "40.00", expense: "-99.99", net: "-59.99" },
      ],
    });
    expect(await summary(`accountId=${dollars.id}`)).toEqual({
      count: 2,
      totals: [{ currency: "USD", income: "40.00", expense: "-99.99", net: "-59.99" }],
    });
  });

  it.each([
    ["payee:amazon amount:<-50", 3],
    ["payee:amazon amount:<-50 after:2026-01-01", 2],
    ["tag:trip", 1],
    ["amazon OR employer", 5],
    ["-payee:amazon", 4],
    ["category:groceries", 2],
  ])("selects the same rows as the list for q=%s", async (q, count) => {
    const query = `q=${encodeURIComponent(q)}`;
    const rows = await listed(query);
    const result = await summary(query);
    expect(result.count).toBe(count);
    expect(rows).toHaveLength(count);
    for (const total of result.totals ?? []) {
      const cents = rows
        .filter((t) => t.currency === total.currency)
        .reduce((sum, t) => sum + BigInt(t.amount.replace(".", "")), 0n);
      expect(BigInt(total.net.replace(".", ""))).toBe(cents);
    }
  });

  it("takes the list's other filters, a category including its split lines", async () => {
    expect((await summary(`categoryId=${groceries.id}`)).count).toBe(2);
    expect((await summary("from=2026-01-01&to=2026-01-31")).count).toBe(4);
    expect((await summary("tag=trip")).totals).toEqual([
      { currency: "EUR", income: "0.00", expense: "-60.10", net: "-60.10" },
    ]);
    // The list's paging parameters are accepted and mean nothing here.
    expect((await summary("limit=1&q=amazon")).count).toBe(4);
    expect(await summary("categoryId=999999999")).toEqual({ count: 0, totals: [] });
  });

  it("sums exactly past what a float holds", async () => {
    const big = await anAccount(member, { name: "Summary big" });
    for (let i = 0; i < 10; i++) {
      await aTransaction(member, big.id, { amount: "9999999999999.99" });
    }
    const result = await summary(`accountId=${big.id}`);
    expect(result.totals).toEqual([
      {
        currency: "EUR",
        income: "99999999999999.90",
        expense: "0.00",
        net: "99999999999999.90",
      },
    ]);
  });

  it("answers 422 at query.q with the position when the query does not parse", async () => {
    for (const path of ["/transactions/summary", "/transactions"]) {
      const res = await member.get(`${path}?q=${encodeURIComponent('payee:"whole foods')}`);
      expect(res.status).toBe(422);
      expect(problem(res.body).errors?.map((e) => e.path)).toEqual(["query.q"]);
      expect(problem(res.body).errors?.[0]?.message).toMatch(/at character \d+/);
    }
    const reversed = await member.get("/transactions/summary?from=2026-03-01&to=2026-01-01");
    expect(problem(reversed.body).errors?.map((e) => e.path)).toEqual(["query.to"]);
  });

  it("answers count null with the reason when the aggregate runs past its timeout", async () => {
    // A lock held elsewhere keeps the aggregate waiting until statement_timeout cancels it.
    const blocker = await app.pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("lock table transactions in access exclusive mode");
      const started = Date.now();
      const result = await summary(`accountId=${euros.id}`);
      expect(result.count).toBeNull();
      expect(result.totals).toBeNull();
      expect(result.reason).toMatch(/within 2 s/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await blocker.query("rollback");
      blocker.release();
    }
    expect((await summary(`accountId=${euros.id}`)).count).toBe(6);
  });

  it("lets a read token and a viewer read it", async () => {
    expect((await app.as(app.viewer).get("/transactions/summary")).status).toBe(200);
    expect((await app.as(app.member, "read").get("/transactions/summary")).status).toBe(200);
    expect((await app.anonymous.get("/transactions/summary")).status).toBe(401);
  });
});
