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
import type { Account } from "./schema.ts";

const paths = (body: unknown) => (body as ProblemDetails).errors?.map((e) => e.path);

describe("the account routes", () => {
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

  it("opens an account and answers 201 with the contract's fields, balance = opening balance", async () => {
    const res = await member.post("/accounts", {
      name: "  Girokonto ",
      type: "checking",
      currency: "EUR",
      openingBalance: "1234.5",
      openingDate: "2026-01-01",
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9]+$/) as string,
      name: "Girokonto",
      type: "checking",
      currency: "EUR",
      openingBalance: "1234.50",
      openingDate: "2026-01-01",
      archived: false,
      closedOn: null,
      iban: null,
      balance: "1234.50",
      version: "1",
    });
    const id = (res.body as Account).id;
    expect((await member.get(`/accounts/${id}`)).body).toEqual(res.body);
  });

  it("defaults the opening balance to zero and the opening date to today", async () => {
    const res = await member.post("/accounts", { name: "Wallet", type: "cash", currency: "JPY" });
    expect(res.status).toBe(201);
    const account = res.body as Account;
    expect(account.openingBalance).toBe("0");
    expect(account.openingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ["JPY", "12.5"],
    ["BHD", "1.2345"],
    ["EUR", "1.001"],
    ["EUR", "1,00"],
  ])(
    "refuses opening balance %s %s with 422 naming body.openingBalance",
    async (currency, amount) => {
      const res = await member.post("/accounts", {
        name: `Bad ${currency} ${amount}`,
        type: "savings",
        currency,
        openingBalance: amount,
      });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(paths(res.body)).toEqual(["body.openingBalance"]);
    },
  );

  it("keeps three decimals for BHD", async () => {
    const account = await anAccount(member, { currency: "BHD", openingBalance: "-1.234" });
    expect(account.balance).toBe("-1.234");
  });

  it("refuses unknown currencies, types and impossible dates with field paths", async () => {
    const res = await member.post("/accounts", {
      name: "Broken",
      type: "piggy_bank",
      currency: "eur",
      openingDate: "2026-02-30",
    });
    expect(res.status).toBe(422);
    expect(paths(res.body)?.sort()).toEqual(["body.currency", "body.openingDate", "body.type"]);
    const unknown = await member.post("/accounts", { name: "X", type: "cash", currency: "XYZ" });
    expect(paths(unknown.body)).toEqual(["body.currency"]);
  });

  it("refuses a second account with the same name ignoring case (409)", async () => {
    await anAccount(member, { name: "Savings Jar" });
    const res = await member.post("/accounts", {
      name: "savings jar",
      type: "savings",
      currency: "EUR",
    });
    expect(res.status).toBe(409);
    expect((res.body as ProblemDetails).code).toBe("conflict");
  });

  it("lists accounts with balances and filters by archived", async () => {
    const active = await anAccount(member, { name: "Active one", openingBalance: "10.00" });
    const archived = await anAccount(member, { name: "Old one", archived: true });
    await aTransaction(member, active.id, { amount: "-2.50" });
    const all = (await member.get("/accounts")).body as { data: Account[] };
    expect(all.data.find((a) => a.id === active.id)?.balance).toBe("7.50");
    const onlyArchived = (await member.get("/accounts?archived=true")).body as { data: Account[] };
    expect(onlyArchived.data.map((a) => a.id)).toEqual([archived.id]);
    const onlyActive = (await member.get("/accounts?archived=false")).body as { data: Account[] };
    expect(onlyActive.data.map((a) => a.id)).toContain(active.id);
    expect(onlyActive.data.map((a) => a.id)).not.toContain(archived.id);
    expect((await member.get("/accounts?archived=maybe")).status).toBe(422);
  });

  it("changes name, type, opening balance and archived flag; the balance follows", async () => {
    const account = await anAccount(member, { openingBalance: "5.00" });
    await aTransaction(member, account.id, { amount: "-1.00" });
    const res = await member.patch(`/accounts/${account.id}`, {
      name: "Renamed",
      type: "savings",
      openingBalance: "100",
      archived: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "Renamed",
      type: "savings",
      openingBalance: "100.00",
      archived: true,
      balance: "99.00",
    });
  });

  it("changes the currency of an unused account but not of one with transactions (409)", async () => {
    const unused = await anAccount(member, { openingBalance: "3.00" });
    const changed = await member.patch(`/accounts/${unused.id}`, { currency: "USD" });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ currency: "USD", openingBalance: "3.00" });
    const toYen = await member.patch(`/accounts/${unused.id}`, { currency: "JPY" });
    expect(toYen.status).toBe(422);
    expect(paths(toYen.body)).toEqual(["body.openingBalance"]);
    const restated = await member.patch(`/accounts/${unused.id}`, {
      currency: "JPY",
      openingBalance: "300",
    });
    expect(restated.body).toMatchObject({ currency: "JPY", openingBalance: "300", balance: "300" });

    const used = await anAccount(member);
    await aTransaction(member, used.id);
    const res = await member.patch(`/accounts/${used.id}`, { currency: "USD" });
    expect(res.status).toBe(409);
    expect((await member.get(`/accounts/${used.id}`)).body).toMatchObject({ currency: "EUR" });
  });

  describe("closing", () => {
    it("closes an account with a zero balance on or after its last transaction, archiving it", async () => {
      const account = await anAccount(member, { openingBalance: "10.00" });
      await aTransaction(member, account.id, { date: "2026-01-15", amount: "-10.00" });
      const res = await member.patch(`/accounts/${account.id}`, { closedOn: "2026-01-15" });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ closedOn: "2026-01-15", archived: true, balance: "0.00" });
      const renamed = await member.patch(`/accounts/${account.id}`, { name: "Old savings" });
      expect(renamed.body).toMatchObject({ name: "Old savings", closedOn: "2026-01-15" });
    });

    it("refuses to close an account whose balance is not zero, naming body.closedOn", async () => {
      const account = await anAccount(member, { openingBalance: "5.00" });
      const res = await member.patch(`/accounts/${account.id}`, { closedOn: "2026-02-01" });
      expect(res.status).toBe(422);
      expect(paths(res.body)).toEqual(["body.closedOn"]);
      expect(JSON.stringify(res.body)).toContain("5.00");
      expect((await member.get(`/accounts/${account.id}`)).body).toMatchObject({
        closedOn: null,
        archived: false,
      });
    });

    it("closes when the same patch brings the opening balance to zero", async () => {
      const account = await anAccount(member, { openingBalance: "5.00" });
      const res = await member.patch(`/accounts/${account.id}`, {
        openingBalance: "0",
        closedOn: "2026-02-01",
      });
      expect(res.status).toBe(200);
    });

    it("refuses a closing day before the last transaction or the opening date", async () => {
      const account = await anAccount(member);
      await aTransaction(member, account.id, { date: "2026-01-10", amount: "-3.00" });
      await aTransaction(member, account.id, { date: "2026-01-20", amount: "3.00" });
      const early = await member.patch(`/accounts/${account.id}`, { closedOn: "2026-01-19" });
      expect(early.status).toBe(422);
      expect(paths(early.body)).toEqual(["body.closedOn"]);
      const unused = await anAccount(member, { openingDate: "2025-06-01" });
      const beforeOpening = await member.patch(`/accounts/${unused.id}`, {
        closedOn: "2025-05-31",
      });
      expect(paths(beforeOpening.body)).toEqual(["body.closedOn"]);
    });

    it("refuses transactions dated after the closing day (422 body.date), in either side of a transfer", async () => {
      const closed = await anAccount(member);
      const open = await anAccount(member);
      await member.patch(`/accounts/${closed.id}`, { closedOn: "2026-01-31" });
      const late = await member.post("/transactions", {
        accountId: closed.id,
        date: "2026-02-01",
        amount: "-1.00",
      });
      expect(late.status).toBe(422);
      expect(paths(late.body)).toEqual(["body.date"]);
      const transfer = await member.post("/transactions", {
        accountId: open.id,
        date: "2026-02-01",
        amount: "-1.00",
        transfer: { accountId: closed.id },
      });
      expect(paths(transfer.body)).toEqual(["body.date"]);
      const onTheDay = await aTransaction(member, closed.id, { date: "2026-01-31" });
      const moved = await member.patch(`/transactions/${onTheDay.id}`, { date: "2026-02-02" });
      expect(paths(moved.body)).toEqual(["body.date"]);
    });

    it("keeps a closed account archived until it is reopened with closedOn: null", async () => {
      const account = await anAccount(member);
      await member.patch(`/accounts/${account.id}`, { closedOn: "2026-01-31" });
      const unarchive = await member.patch(`/accounts/${account.id}`, { archived: false });
      expect(paths(unarchive.body)).toEqual(["body.archived"]);
      const reopened = await member.patch(`/accounts/${account.id}`, {
        closedOn: null,
        archived: false,
      });
      expect(reopened.body).toMatchObject({ closedOn: null, archived: false });
      expect(
        (
          await member.post("/transactions", {
            accountId: account.id,
            date: "2026-03-01",
            amount: "-1.00",
          })
        ).status,
      ).toBe(201);
    });
  });

  it("deletes an account without transactions and refuses one with transactions (409)", async () => {
    const empty = await anAccount(member);
    expect((await member.delete(`/accounts/${empty.id}`)).status).toBe(204);
    expect((await member.get(`/accounts/${empty.id}`)).status).toBe(404);

    const used = await anAccount(member);
    await aTransaction(member, used.id);
    const res = await member.delete(`/accounts/${used.id}`);
    expect(res.status).toBe(409);
    expect((res.body as ProblemDetails).detail).toMatch(/archive/);
  });

  it.each(["/accounts/999999", "/accounts/abc", "/accounts/0", "/accounts/99999999999999999999"])(
    "answers 404 for %s",
    async (path) => {
      const res = await member.get(path);
      expect(res.status).toBe(404);
      expect((res.body as ProblemDetails).code).toBe("not_found");
      expect((await member.patch(path, { name: "x" })).status).toBe(404);
      expect((await member.delete(path)).status).toBe(404);
    },
  );

  it("lets a viewer and a read token read but not write (403), and nobody unsigned (401)", async () => {
    const account = await anAccount(member);
    const viewer = app.as(app.viewer);
    const readToken = app.as(app.member, "read");
    for (const reader of [viewer, readToken]) {
      expect((await reader.get("/accounts")).status).toBe(200);
      expect((await reader.get(`/accounts/${account.id}`)).status).toBe(200);
      const create = await reader.post("/accounts", {
        name: "Nope",
        type: "cash",
        currency: "EUR",
      });
      expect(create.status).toBe(403);
      expect((await reader.patch(`/accounts/${account.id}`, { name: "Nope" })).status).toBe(403);
      expect((await reader.delete(`/accounts/${account.id}`)).status).toBe(403);
    }
    expect((await app.anonymous.get("/accounts")).status).toBe(401);
    expect((await member.get(`/accounts/${account.id}`)).body).toMatchObject({
      name: account.name,
    });
  });
});
