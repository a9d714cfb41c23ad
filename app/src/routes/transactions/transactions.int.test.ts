import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { parseAmount } from "../../domain/money.ts";
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
import type { TransactionJson } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;
const paths = (body: unknown) => problem(body).errors?.map((e) => e.path);

describe("the transaction routes", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  const balanceOf = async (id: string) =>
    ((await member.get(`/accounts/${id}`)).body as Account).balance;

  describe("booking", () => {
    it("books with only accountId, date and amount; the currency is the account's", async () => {
      const account = await anAccount(member, { currency: "JPY", openingBalance: "1000" });
      const res = await member.post("/transactions", {
        accountId: account.id,
        date: "2026-03-05",
        amount: "-1200",
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9]+$/) as string,
        accountId: account.id,
        date: "2026-03-05",
        amount: "-1200",
        currency: "JPY",
        payee: "",
        description: "",
        notes: "",
        categoryId: null,
        tags: [],
        splits: [],
        transfer: null,
        status: "cleared",
        version: "1",
      });
      expect(await balanceOf(account.id)).toBe("-200");
      const id = (res.body as TransactionJson).id;
      expect((await member.get(`/transactions/${id}`)).body).toEqual(res.body);
    });

    it("stores every field and records who booked it", async () => {
      const account = await anAccount(member);
      const category = await aCategory(member, "Groceries");
      const tx = await aTransaction(member, account.id, {
        amount: "-42.1",
        currency: "EUR",
        payee: "  Bäckerei Müller ",
        description: "Brot",
        notes: "Sonntag",
        categoryId: category.id,
        tags: [" food ", "weekend", "food"],
        status: "pending",
      });
      expect(tx).toMatchObject({
        amount: "-42.10",
        payee: "Bäckerei Müller",
        description: "Brot",
        notes: "Sonntag",
        categoryId: category.id,
        tags: ["food", "weekend"],
        status: "pending",
      });
      const { rows } = await app.pool.query<{ created_by: string }>(
        "select created_by::text from transactions where id = $1",
        [tx.id],
      );
      expect(rows[0]?.created_by).toBe(app.member.id);
    });

    it.each([
      ["JPY", "-12.5"],
      ["BHD", "0.0001"],
      ["EUR", "-1.234"],
      ["EUR", "1e3"],
    ])("refuses %s amount %s with 422 at body.amount", async (currency, amount) => {
      const account = await anAccount(member, { currency });
      const res = await member.post("/transactions", {
        accountId: account.id,
        date: "2026-01-01",
        amount,
      });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(paths(res.body)).toEqual(["body.amount"]);
    });

    it("reports every bad field at once", async () => {
      const res = await member.post("/transactions", {
        accountId: "abc",
        date: "2026-02-30",
        amount: 12,
        status: "done",
        tags: Array.from({ length: 21 }, (_, i) => `tag${i}`),
      });
      expect(res.status).toBe(422);
      expect(paths(res.body)?.sort()).toEqual([
        "body.accountId",
        "body.amount",
        "body.date",
        "body.status",
        "body.tags",
      ]);
    });

    it("refuses unknown accounts, a currency other than the account's, and unknown categories", async () => {
      const unknown = await member.post("/transactions", {
        accountId: "99999",
        date: "2026-01-01",
        amount: "1.00",
      });
      expect(paths(unknown.body)).toEqual(["body.accountId"]);
      const account = await anAccount(member);
      const currency = await member.post("/transactions", {
        accountId: account.id,
        date: "2026-01-01",
        amount: "1.00",
        currency: "USD",
        categoryId: "99999",
      });
      expect(paths(currency.body)?.sort()).toEqual(["body.categoryId", "body.currency"]);
    });

    it("refuses tags longer than 50 characters", async () => {
      const account = await anAccount(member);
      const res = await member.post("/transactions", {
        accountId: account.id,
        date: "2026-01-01",
        amount: "1.00",
        tags: ["x".repeat(51)],
      });
      expect(paths(res.body)).toEqual(["body.tags.0"]);
    });

    it("keeps the balance equal to opening balance plus transactions through create, edit and delete", async () => {
      const account = await anAccount(member, { openingBalance: "100.00" });
      const other = await anAccount(member, { openingBalance: "0" });
      const a = await aTransaction(member, account.id, { amount: "-30.00" });
      await aTransaction(member, account.id, { amount: "12.34" });
      expect(await balanceOf(account.id)).toBe("82.34");
      await member.patch(`/transactions/${a.id}`, { amount: "-40.00" });
      expect(await balanceOf(account.id)).toBe("72.34");
      await member.patch(`/transactions/${a.id}`, { accountId: other.id });
      expect(await balanceOf(account.id)).toBe("112.34");
      expect(await balanceOf(other.id)).toBe("-40.00");
      expect((await member.delete(`/transactions/${a.id}`)).status).toBe(204);
      expect(await balanceOf(other.id)).toBe("0.00");
      expect((await member.get(`/transactions/${a.id}`)).status).toBe(404);
    });

    it("moves a transaction only to an account in its currency", async () => {
      const eur = await anAccount(member);
      const usd = await anAccount(member, { currency: "USD" });
      const tx = await aTransaction(member, eur.id);
      const res = await member.patch(`/transactions/${tx.id}`, { accountId: usd.id });
      expect(res.status).toBe(422);
      expect(paths(res.body)).toEqual(["body.accountId"]);
    });

    it("edits payee, notes, tags, status and date", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id, { tags: ["a"] });
      const res = await member.patch(`/transactions/${tx.id}`, {
        payee: "New payee",
        notes: "note",
        tags: ["b", "b", "c"],
        status: "reconciled",
        date: "2024-02-29",
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        payee: "New payee",
        notes: "note",
        tags: ["b", "c"],
        status: "reconciled",
        date: "2024-02-29",
        amount: "-1.00",
      });
      const bad = await member.patch(`/transactions/${tx.id}`, { date: "2025-02-29" });
      expect(paths(bad.body)).toEqual(["body.date"]);
    });

    it("counts booked transactions in fintrack_transactions_created_total", async () => {
      const read = async () =>
        (await app.registry.getSingleMetric("fintrack_transactions_created_total")?.get())
          ?.values[0]?.value ?? 0;
      const before = await read();
      const account = await anAccount(member);
      await aTransaction(member, account.id);
      expect(await read()).toBe(before + 1);
    });
  });

  describe("splits", () => {
    it("stores split lines that add up exactly, with no category of its own", async () => {
      const account = await anAccount(member);
      const food = await aCategory(member, "Split food");
      const home = await aCategory(member, "Split home");
      const tx = await aTransaction(member, account.id, {
        amount: "-100.00",
        splits: [
          { amount: "-60.00", categoryId: food.id, memo: "groceries" },
          { amount: "-40", categoryId: home.id },
        ],
      });
      expect(tx.categoryId).toBeNull();
      expect(tx.splits).toEqual([
        { amount: "-60.00", categoryId: food.id, memo: "groceries" },
        { amount: "-40.00", categoryId: home.id, memo: "" },
      ]);
    });

    it("names the failing line and the sum in 422s", async () => {
      const account = await anAccount(member, { currency: "BHD" });
      const base = { accountId: account.id, date: "2026-01-01", amount: "-3.000" };
      const precision = await member.post("/transactions", {
        ...base,
        splits: [{ amount: "-1.000" }, { amount: "-1.000" }, { amount: "-1.0001" }],
      });
      expect(paths(precision.body)).toEqual(["body.splits[2].amount"]);
      const sum = await member.post("/transactions", {
        ...base,
        splits: [{ amount: "-1.000" }, { amount: "-1.500" }],
      });
      expect(paths(sum.body)).toEqual(["body.splits"]);
      expect(problem(sum.body).errors?.[0]?.message).toMatch(/0.500 is unassigned/);
      const sign = await member.post("/transactions", {
        ...base,
        splits: [{ amount: "-4.000" }, { amount: "1.000" }],
      });
      expect(paths(sign.body)).toEqual(["body.splits[1].amount"]);
      const category = await member.post("/transactions", {
        ...base,
        categoryId: (await aCategory(member, "Split own")).id,
        splits: [{ amount: "-3.000", categoryId: "777777" }],
      });
      expect(paths(category.body)?.sort()).toEqual([
        "body.categoryId",
        "body.splits[0].categoryId",
      ]);
    });

    it("re-checks kept splits when the amount changes, and replaces or removes them on request", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id, {
        amount: "-10.00",
        splits: [{ amount: "-4.00" }, { amount: "-6.00" }],
      });
      const stale = await member.patch(`/transactions/${tx.id}`, { amount: "-12.00" });
      expect(stale.status).toBe(422);
      expect(paths(stale.body)).toEqual(["body.amount"]);
      const resplit = await member.patch(`/transactions/${tx.id}`, {
        amount: "-12.00",
        splits: [{ amount: "-12.00", memo: "all" }],
      });
      expect(resplit.status).toBe(200);
      expect((resplit.body as TransactionJson).splits).toEqual([
        { amount: "-12.00", categoryId: null, memo: "all" },
      ]);
      const category = await aCategory(member, "After split");
      const unsplit = await member.patch(`/transactions/${tx.id}`, {
        splits: [],
        categoryId: category.id,
      });
      expect(unsplit.body).toMatchObject({ splits: [], categoryId: category.id });
    });
  });

  describe("transfers", () => {
    it("books a linked pair in one currency, each side naming the other", async () => {
      const checking = await anAccount(member, { openingBalance: "500.00" });
      const savings = await anAccount(member, { type: "savings" });
      const out = await aTransaction(member, checking.id, {
        amount: "-200.00",
        payee: "Savings",
        transfer: { accountId: savings.id },
      });
      expect(out.transfer).toEqual({ accountId: savings.id, amount: "200.00" });
      expect(out.categoryId).toBeNull();
      const list = (await member.get(`/transactions?accountId=${savings.id}`)).body as {
        data: TransactionJson[];
      };
      expect(list.data).toHaveLength(1);
      const into = list.data[0];
      expect(into).toMatchObject({
        amount: "200.00",
        date: out.date,
        transfer: { accountId: checking.id, amount: "-200.00" },
      });
      expect(await balanceOf(checking.id)).toBe("300.00");
      expect(await balanceOf(savings.id)).toBe("200.00");
      const { rows } = await app.pool.query<{ groups: string }>(
        "select count(distinct transfer_group)::text as groups from transactions where id = any($1::bigint[])",
        [[out.id, into?.id]],
      );
      expect(rows[0]?.groups).toBe("1");
    });

    it("keeps both sides consistent when one side's date or amount is edited", async () => {
      const a = await anAccount(member);
      const b = await anAccount(member);
      const out = await aTransaction(member, a.id, {
        amount: "-50.00",
        transfer: { accountId: b.id },
      });
      const edited = await member.patch(`/transactions/${out.id}`, {
        amount: "-75.00",
        date: "2026-02-01",
        payee: "only this side",
      });
      expect(edited.body).toMatchObject({ transfer: { accountId: b.id, amount: "75.00" } });
      const other = (
        (await member.get(`/transactions?accountId=${b.id}`)).body as {
          data: TransactionJson[];
        }
      ).data[0];
      expect(other).toMatchObject({ amount: "75.00", date: "2026-02-01", payee: "" });
      expect(await balanceOf(a.id)).toBe("-75.00");
      expect(await balanceOf(b.id)).toBe("75.00");
      // Editing from the other side carries over the same way.
      await member.patch(`/transactions/${other?.id ?? ""}`, { amount: "80.00" });
      expect(await balanceOf(a.id)).toBe("-80.00");
      const mismatch = await member.patch(`/transactions/${out.id}`, {
        transfer: { amount: "79.00" },
      });
      expect(paths(mismatch.body)).toEqual(["body.transfer.amount"]);
    });

    it("deletes both sides when one is deleted", async () => {
      const a = await anAccount(member);
      const b = await anAccount(member);
      const out = await aTransaction(member, a.id, {
        amount: "-5.00",
        transfer: { accountId: b.id },
      });
      expect((await member.delete(`/transactions/${out.id}`)).status).toBe(204);
      const left = (await member.get(`/transactions?accountId=${b.id}`)).body as {
        data: TransactionJson[];
      };
      expect(left.data).toEqual([]);
      expect(await balanceOf(a.id)).toBe("0.00");
      expect(await balanceOf(b.id)).toBe("0.00");
    });

    it("needs both amounts across currencies, with opposite signs", async () => {
      const eur = await anAccount(member);
      const jpy = await anAccount(member, { currency: "JPY" });
      const base = { accountId: eur.id, date: "2026-01-10", amount: "-100.00" };
      const missing = await member.post("/transactions", {
        ...base,
        transfer: { accountId: jpy.id },
      });
      expect(paths(missing.body)).toEqual(["body.transfer.amount"]);
      const sameSign = await member.post("/transactions", {
        ...base,
        transfer: { accountId: jpy.id, amount: "-16250" },
      });
      expect(paths(sameSign.body)).toEqual(["body.transfer.amount"]);
      const precision = await member.post("/transactions", {
        ...base,
        transfer: { accountId: jpy.id, amount: "16250.5" },
      });
      expect(paths(precision.body)).toEqual(["body.transfer.amount"]);

      const out = await aTransaction(member, eur.id, {
        ...base,
        transfer: { accountId: jpy.id, amount: "16250" },
      });
      expect(out.transfer).toEqual({ accountId: jpy.id, amount: "16250" });
      expect(await balanceOf(jpy.id)).toBe("16250");

      const kept = await member.patch(`/transactions/${out.id}`, { amount: "-110.00" });
      expect(kept.body).toMatchObject({ transfer: { amount: "16250" } });
      const flipped = await member.patch(`/transactions/${out.id}`, { amount: "110.00" });
      expect(paths(flipped.body)).toEqual(["body.transfer.amount"]);
      const restated = await member.patch(`/transactions/${out.id}`, {
        amount: "110.00",
        transfer: { amount: "-17000" },
      });
      expect(restated.body).toMatchObject({
        amount: "110.00",
        transfer: { accountId: jpy.id, amount: "-17000" },
      });
      expect(await balanceOf(jpy.id)).toBe("-17000");
      expect(await balanceOf(eur.id)).toBe("110.00");
    });

    it("refuses categories, splits, same-account and unknown-account transfers", async () => {
      const a = await anAccount(member);
      const category = await aCategory(member, "Transfer cat");
      const res = await member.post("/transactions", {
        accountId: a.id,
        date: "2026-01-01",
        amount: "-1.00",
        categoryId: category.id,
        splits: [{ amount: "-1.00" }],
        transfer: { accountId: a.id },
      });
      expect(paths(res.body)?.sort()).toEqual([
        "body.categoryId",
        "body.categoryId",
        "body.splits",
        "body.transfer.accountId",
      ]);
      const unknown = await member.post("/transactions", {
        accountId: a.id,
        date: "2026-01-01",
        amount: "-1.00",
        transfer: { accountId: "888888" },
      });
      expect(paths(unknown.body)).toEqual(["body.transfer.accountId"]);
      const b = await anAccount(member);
      const out = await aTransaction(member, a.id, { transfer: { accountId: b.id } });
      const categorise = await member.patch(`/transactions/${out.id}`, { categoryId: category.id });
      expect(paths(categorise.body)).toEqual(["body.categoryId"]);
      const plain = await aTransaction(member, a.id);
      const convert = await member.patch(`/transactions/${plain.id}`, {
        transfer: { accountId: b.id },
      });
      expect(paths(convert.body)).toEqual(["body.transfer"]);
    });
  });

  describe("concurrency", () => {
    it("keeps balances exact under concurrent bookings, transfers both ways and edits", async () => {
      const a = await anAccount(member, { openingBalance: "100.00" });
      const b = await anAccount(member, { openingBalance: "100.00" });
      const seed = await aTransaction(member, a.id, { amount: "-1.00" });
      const writes = Array.from({ length: 24 }, (_, i) => {
        const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
        if (i % 3 === 0)
          return member.post("/transactions", {
            accountId: from.id,
            date: "2026-01-02",
            amount: "-1.00",
          });
        if (i % 3 === 1) {
          return member.post("/transactions", {
            accountId: from.id,
            date: "2026-01-02",
            amount: "-2.00",
            transfer: { accountId: to.id },
          });
        }
        return member.patch(`/transactions/${seed.id}`, { amount: `-${i}.00` });
      });
      const results = await Promise.all(writes);
      expect(results.map((r) => r.status).filter((s) => s >= 300)).toEqual([]);
      const { rows } = await app.pool.query<{ id: string; ok: boolean }>(
        `select a.id::text, a.transactions_total = coalesce(sum(t.amount), 0) as ok
         from accounts a left join transactions t on t.account_id = a.id
         where a.id = any($1::bigint[]) group by a.id`,
        [[a.id, b.id]],
      );
      expect(rows.map((r) => r.ok)).toEqual([true, true]);
      // Eight bookings of -1.00, transfers that cancel out, and the seed at its last edit.
      const cents = async (text: Promise<string>) => parseAmount(await text, "EUR").minor;
      const seedNow = ((await member.get(`/transactions/${seed.id}`)).body as TransactionJson)
        .amount;
      const total = (await cents(balanceOf(a.id))) + (await cents(balanceOf(b.id)));
      expect(total).toBe(20000n - 800n + parseAmount(seedNow, "EUR").minor);
    });
  });

  describe("access", () => {
    it("answers 404 for unknown and malformed transaction ids", async () => {
      for (const path of ["/transactions/5555555", "/transactions/1.5", "/transactions/-1"]) {
        expect((await member.get(path)).status).toBe(404);
        expect((await member.patch(path, { payee: "x" })).status).toBe(404);
        expect((await member.delete(path)).status).toBe(404);
      }
    });

    it("lets a viewer and a read token read but not write (403)", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id);
      for (const reader of [app.as(app.viewer), app.as(app.member, "read")]) {
        expect((await reader.get(`/transactions/${tx.id}`)).status).toBe(200);
        expect((await reader.get("/transactions")).status).toBe(200);
        const create = await reader.post("/transactions", {
          accountId: account.id,
          date: "2026-01-01",
          amount: "1.00",
        });
        expect(create.status).toBe(403);
        expect((await reader.patch(`/transactions/${tx.id}`, { payee: "x" })).status).toBe(403);
        expect((await reader.delete(`/transactions/${tx.id}`)).status).toBe(403);
      }
      expect((await member.get(`/transactions/${tx.id}`)).body).toMatchObject({ payee: "" });
    });
  });
});
