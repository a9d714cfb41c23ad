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
import type { PayeeSuggestionJson } from "./schema.ts";

describe("GET /payees", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let viewer: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    viewer = app.as(app.viewer);
  });
  afterAll(async () => {
    await app.close();
  });

  const suggest = async (client: TestClient, search = "") => {
    const res = await client.get(`/payees${search}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body as { data: PayeeSuggestionJson[] }).data;
  };
  // Booked relative to today: the ranking weighs recency against the database's clock.
  const daysAgo = (days: number) =>
    new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

  it("groups spellings, ranks by use and recency, and carries the last category", async () => {
    const eur = await anAccount(member, { name: "Payees EUR" });
    const usd = await anAccount(member, { name: "Payees USD", currency: "USD" });
    const groceries = await aCategory(member, "Payee groceries");
    const household = await aCategory(member, "Payee household");
    const travel = await aCategory(member, "Payee travel");
    // REWE under three spellings: four uses, last categorised as household.
    await aTransaction(member, eur.id, {
      payee: "REWE Markt",
      date: daysAgo(9),
      categoryId: groceries.id,
    });
    await aTransaction(member, eur.id, {
      payee: "REWE Markt",
      date: daysAgo(5),
      categoryId: groceries.id,
    });
    await aTransaction(member, eur.id, {
      payee: "Rewe",
      date: daysAgo(3),
      categoryId: household.id,
    });
    await aTransaction(member, usd.id, { payee: "REWE", date: daysAgo(1) });
    // Used often, but long ago.
    for (let i = 0; i < 6; i += 1) {
      await aTransaction(member, eur.id, {
        payee: "Deutsche Bahn",
        date: daysAgo(400 + i),
        categoryId: travel.id,
      });
    }
    // Once, yesterday.
    await aTransaction(member, eur.id, { payee: "Bäckerei Ölz", date: daysAgo(1) });
    // Transfers are not payees to suggest.
    await aTransaction(member, eur.id, {
      payee: "Savings move",
      amount: "-5.00",
      transfer: { accountId: usd.id, amount: "5.50" },
    });

    const all = await suggest(viewer);
    expect(all.map((s) => s.payee)).toEqual(["REWE Markt", "Bäckerei Ölz", "Deutsche Bahn"]);
    expect(all[0]).toEqual({
      payee: "REWE Markt",
      categoryId: household.id,
      uses: 4,
      lastUsed: daysAgo(1),
    });
    expect(all[2]).toMatchObject({ categoryId: travel.id, uses: 6 });
  });

  it("matches what was typed regardless of case and accents, names starting with it first", async () => {
    expect((await suggest(member, "?q=rewe%20m")).map((s) => s.payee)).toEqual(["REWE Markt"]);
    expect((await suggest(member, "?q=baeckerei")).map((s) => s.payee)).toEqual([]);
    expect((await suggest(member, "?q=BACK")).map((s) => s.payee)).toEqual(["Bäckerei Ölz"]);
    expect((await suggest(member, "?q=b")).map((s) => s.payee)).toEqual([
      "Bäckerei Ölz",
      "Deutsche Bahn",
    ]);
    expect(await suggest(member, "?q=b&limit=1")).toHaveLength(1);
  });

  it("answers 422 naming the field for a limit out of range", async () => {
    const res = await member.get("/payees?limit=500");
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("limit");
  });
});
