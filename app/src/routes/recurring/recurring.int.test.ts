import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import { addDays } from "../../domain/schedules.ts";
import type { ProblemDetails } from "../../errors.ts";
import type { Posted, RecurringJson } from "./schema.ts";
import { absorbDuplicates, postDueOccurrences } from "../../write-model/recurring-occurrences.ts";

const today = new Date().toISOString().slice(0, 10);

describe("recurring transactions", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let checking: string;
  let rent: RecurringJson;

  const countIn = async (accountId: string) =>
    Number(
      (
        await app.pool.query<{ n: string }>(
          "select count(*)::text as n from transactions where account_id = $1",
          [accountId],
        )
      ).rows[0]?.n,
    );

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    checking = (await anAccount(member)).id;
    const res = await member.post("/recurring", {
      name: "Rent",
      accountId: checking,
      amount: "-950.00",
      payee: "Landlord",
      unit: "month",
      dayOfMonth: -1,
      startDate: "2024-01-31",
    });
    expect(res.status).toBe(201);
    rent = res.body as RecurringJson;
  });
  afterAll(async () => {
    await app.close();
  });

  it("creates, reads, changes and lists a schedule", async () => {
    expect(rent).toMatchObject({ amount: "-950.00", currency: "EUR", dayOfMonth: -1, every: 1 });
    const changed = await member.patch(`/recurring/${rent.id}`, { payee: "Mr. Landlord" });
    expect(changed.body).toMatchObject({ payee: "Mr. Landlord", amount: "-950.00" });
    expect(((await member.get("/recurring")).body as { data: unknown[] }).data).toHaveLength(1);
    expect((await member.get(`/recurring/${rent.id}`)).status).toBe(200);
    expect((await member.get("/recurring/424242")).status).toBe(404);
  });

  it("books a confirmed occurrence once, on the month's last day", async () => {
    const res = await member.post(`/recurring/${rent.id}/occurrences/2024-02-29/post`, {});
    expect(res.status).toBe(201);
    const posted = res.body as Posted;
    expect(posted.matched).toBe(false);
    const booked = await member.get(`/transactions/${posted.transactionId}`);
    expect(booked.body).toMatchObject({
      date: "2024-02-29",
      amount: "-950.00",
      payee: "Mr. Landlord",
    });
    expect(
      (await member.post(`/recurring/${rent.id}/occurrences/2024-02-29/post`, {})).status,
    ).toBe(409);
    expect(
      (await member.post(`/recurring/${rent.id}/occurrences/2024-02-28/post`, {})).status,
    ).toBe(404);
  });

  it("matches a bill already in the ledger instead of booking it twice", async () => {
    const imported = await aTransaction(member, checking, {
      date: "2024-04-01",
      amount: "-950.00",
    });
    const before = await countIn(checking);
    const res = await member.post(`/recurring/${rent.id}/occurrences/2024-03-31/post`, {});
    expect(res.body).toMatchObject({ matched: true, transactionId: imported.id });
    expect(await countIn(checking)).toBe(before);
  });

  it("lets the real booking entered by hand replace the duplicate fintrack posted", async () => {
    const posted = (await member.post(`/recurring/${rent.id}/occurrences/2024-05-31/post`, {}))
      .body as Posted;
    const before = await countIn(checking);
    const real = await aTransaction(member, checking, {
      date: "2024-06-02",
      amount: "-950.00",
    });
    // Booked through the API: the duplicate is gone at once, and the count did not grow.
    expect(await countIn(checking)).toBe(before);
    expect((await member.get(`/transactions/${posted.transactionId}`)).status).toBe(404);
    const link = await app.pool.query(
      "select transaction_id::text, created from recurring_occurrences where due_date = '2024-05-31'",
    );
    expect(link.rows).toEqual([{ transaction_id: real.id, created: false }]);
    // The audit log names the member and why the duplicate went.
    const gone = await app.pool.query(
      `select action, actor_id::text from audit_log
       where entity = 'transaction' and entity_id = $1 and before is not null and after is null`,
      [posted.transactionId],
    );
    expect(gone.rows).toEqual([{ action: "recurring", actor_id: app.member.id }]);
    // The import helper's call finds nothing more to absorb.
    expect(await absorbDuplicates(app.pool, [real.id])).toEqual([]);
    // Another amount, or a date outside matchDays, is a transaction of its own.
    const other = (await member.post(`/recurring/${rent.id}/occurrences/2024-06-30/post`, {}))
      .body as Posted;
    await aTransaction(member, checking, { date: "2024-07-05", amount: "-950.00" });
    await aTransaction(member, checking, { date: "2024-06-30", amount: "-949.00" });
    expect((await member.get(`/transactions/${other.transactionId}`)).status).toBe(200);
  });

  it("leaves a posted bill that is already reconciled alone", async () => {
    const posted = (await member.post(`/recurring/${rent.id}/occurrences/2024-10-31/post`, {}))
      .body as Posted;
    await app.pool.query("update transactions set status = 'reconciled' where id = $1", [
      posted.transactionId,
    ]);
    const real = await aTransaction(member, checking, { date: "2024-11-01", amount: "-950.00" });
    expect((await member.get(`/transactions/${posted.transactionId}`)).status).toBe(200);
    expect((await member.get(`/transactions/${real.id}`)).status).toBe(200);
  });

  it("runs the rules on a posted bill and audits it as recurring", async () => {
    await app.pool.query(
      `insert into rules (name, conditions, actions) values ('Housing', $1, $2)`,
      [
        JSON.stringify([{ field: "payee", op: "contains", value: "landlord" }]),
        JSON.stringify([{ type: "addTag", tag: "housing" }]),
      ],
    );
    try {
      const posted = (await member.post(`/recurring/${rent.id}/occurrences/2024-09-30/post`, {}))
        .body as Posted;
      expect(posted.matched).toBe(false);
      const booked = await member.get(`/transactions/${posted.transactionId}`);
      expect(booked.body).toMatchObject({ payee: "Mr. Landlord", tags: ["housing"] });
      const log = await app.pool.query(
        `select action, actor_id::text from audit_log
         where entity = 'transaction' and entity_id = $1 order by id`,
        [posted.transactionId],
      );
      expect(log.rows).toEqual([
        { action: "recurring", actor_id: app.member.id },
        { action: "rule", actor_id: app.member.id },
      ]);
    } finally {
      await app.pool.query("delete from rules where name = 'Housing'");
    }
  });

  it("lists upcoming occurrences, and posts automatic ones when due, once", async () => {
    const weekly = (
      await member.post("/recurring", {
        name: "Allowance",
        accountId: checking,
        amount: "-10.00",
        unit: "week",
        startDate: today,
        autoPost: true,
      })
    ).body as RecurringJson;
    const res = await member.get("/recurring/upcoming?days=14");
    const mine = (res.body as { data: { recurringId: string; date: string; due: boolean }[] }).data
      .filter((o) => o.recurringId === weekly.id)
      .map((o) => [o.date, o.due]);
    expect(mine).toEqual([
      [today, true],
      [addDays(today, 7), false],
      [addDays(today, 14), false],
    ]);
    const posted = await postDueOccurrences(app.pool, addDays(today, 7));
    expect(posted.filter((p) => p.recurringId === weekly.id).map((p) => p.dueDate)).toEqual([
      today,
      addDays(today, 7),
    ]);
    expect(await postDueOccurrences(app.pool, addDays(today, 7))).toEqual([]);
  });

  it("skips an occurrence", async () => {
    expect((await member.post(`/recurring/${rent.id}/occurrences/2024-07-31/skip`)).status).toBe(
      204,
    );
    expect(
      (await member.post(`/recurring/${rent.id}/occurrences/2024-07-31/post`, {})).status,
    ).toBe(409);
  });

  it("refuses bad schedules with 422 naming the fields", async () => {
    const res = await member.post("/recurring", {
      name: "Bad",
      accountId: checking,
      amount: "1.234",
      unit: "week",
      dayOfMonth: 5,
      startDate: "2026-02-01",
      endDate: "2026-01-01",
    });
    expect(res.status).toBe(422);
    expect((res.body as ProblemDetails).errors?.map((e) => e.path).sort()).toEqual([
      "body.amount",
      "body.dayOfMonth",
      "body.endDate",
    ]);
    const shape = await member.post("/recurring", { name: "", unit: "hour" });
    expect((shape.body as ProblemDetails).errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(["body.name", "body.accountId", "body.unit", "body.startDate"]),
    );
  });

  it("lets a viewer read but not write", async () => {
    const viewer = app.as(app.viewer);
    expect((await viewer.get("/recurring")).status).toBe(200);
    expect((await viewer.get("/recurring/upcoming")).status).toBe(200);
    expect(
      (await viewer.post(`/recurring/${rent.id}/occurrences/2024-08-31/post`, {})).status,
    ).toBe(403);
    expect((await viewer.delete(`/recurring/${rent.id}`)).status).toBe(403);
    expect((await member.delete(`/recurring/${rent.id}`)).status).toBe(204);
  });
});
