import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
} from "../../../test/harness/ledger.ts";
import type { TransactionJson } from "../transactions/schema.ts";
import type { ReconciliationJson } from "./schema.ts";

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

function ok(res: TestResponse, status = 200): unknown {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

async function status(id: string): Promise<string> {
  return (ok(await member.get(`/transactions/${id}`)) as TransactionJson).status;
}

describe("finishing a reconciliation with a difference", () => {
  it("refuses without adjust, and with it books one reconciled balancing transaction", async () => {
    const account = await anAccount(member, { openingBalance: "100.00" });
    const t1 = await aTransaction(member, account.id, { amount: "-30.00", date: "2026-01-10" });
    const base = `/accounts/${account.id}/reconciliations`;
    const rec = ok(
      await member.post(base, { statementDate: "2026-01-31", statementBalance: "67.50" }),
      201,
    ) as ReconciliationJson;
    ok(await member.patch(`${base}/${rec.id}`, { tick: [t1.id] }));
    // The bank charged a fee of 2.50 the ledger does not know about.
    expect((await member.post(`${base}/${rec.id}/finish`, {})).status).toBe(409);
    expect((await member.post(`${base}/${rec.id}/finish`, { adjust: "yes" })).status).toBe(422);
    const done = ok(
      await member.post(`${base}/${rec.id}/finish`, { adjust: true }),
    ) as ReconciliationJson;
    expect(done).toMatchObject({ status: "finished", difference: "0.00", clearedBalance: "67.50" });
    const adjustmentId = done.adjustmentTransactionId ?? "";
    expect(done.tickedTransactionIds.sort()).toEqual([t1.id, adjustmentId].sort());
    const adjustment = ok(await member.get(`/transactions/${adjustmentId}`)) as TransactionJson;
    expect(adjustment).toMatchObject({
      accountId: account.id,
      date: "2026-01-31",
      amount: "-2.50",
      payee: "Reconciliation adjustment",
      status: "reconciled",
    });
    const balance = await app.pool.query<{ total: string }>(
      "select (opening_balance + transactions_total)::text as total from accounts where id = $1",
      [account.id],
    );
    expect(balance.rows).toEqual([{ total: "6750" }]);
    const log = await app.pool.query(
      `select action, actor_id::text from audit_log
       where entity = 'transaction' and entity_id = $1 order by id`,
      [adjustmentId],
    );
    expect(log.rows).toEqual([
      { action: "reconcile", actor_id: app.member.id },
      { action: "reconcile", actor_id: app.member.id },
    ]);
  });

  it("books nothing with adjust when there is no difference", async () => {
    const account = await anAccount(member, { openingBalance: "10.00" });
    const base = `/accounts/${account.id}/reconciliations`;
    const rec = ok(
      await member.post(base, { statementDate: "2026-01-31", statementBalance: "10.00" }),
      201,
    ) as ReconciliationJson;
    const done = ok(
      await member.post(`${base}/${rec.id}/finish`, { adjust: true }),
    ) as ReconciliationJson;
    expect(done).toMatchObject({ status: "finished", adjustmentTransactionId: null });
    const count = await app.pool.query("select 1 from transactions where account_id = $1", [
      account.id,
    ]);
    expect(count.rowCount).toBe(0);
  });
});

describe("a transfer with one side reconciled", () => {
  it("locks both sides until unlocked, and the other account can still reconcile its side", async () => {
    const checking = await anAccount(member, { openingBalance: "500.00" });
    const savings = await anAccount(member, { openingBalance: "0.00" });
    const out = await aTransaction(member, checking.id, {
      date: "2026-01-12",
      amount: "-200.00",
      transfer: { accountId: savings.id, amount: "200.00" },
    });
    const pair = await app.pool.query<{ id: string }>(
      `select id::text from transactions
       where transfer_group = (select transfer_group from transactions where id = $1) and id <> $1`,
      [out.id],
    );
    const into = pair.rows[0]?.id ?? "";
    expect(into).not.toBe("");

    const checkingBase = `/accounts/${checking.id}/reconciliations`;
    const rec = ok(
      await member.post(checkingBase, { statementDate: "2026-01-31", statementBalance: "300.00" }),
      201,
    ) as ReconciliationJson;
    // The savings side cannot be ticked on the checking account's statement.
    expect((await member.patch(`${checkingBase}/${rec.id}`, { tick: [into] })).status).toBe(422);
    ok(await member.patch(`${checkingBase}/${rec.id}`, { tick: [out.id] }));
    ok(await member.post(`${checkingBase}/${rec.id}/finish`, {}));
    expect([await status(out.id), await status(into)]).toEqual(["reconciled", "cleared"]);

    // Editing or deleting the unreconciled side would change the reconciled one: refused.
    expect((await member.patch(`/transactions/${into}`, { amount: "250.00" })).status).toBe(409);
    expect((await member.patch(`/transactions/${into}`, { date: "2026-02-01" })).status).toBe(409);
    expect((await member.delete(`/transactions/${into}`)).status).toBe(409);
    expect([await status(out.id), await status(into)]).toEqual(["reconciled", "cleared"]);

    // The savings account reconciles its own side independently.
    const savingsBase = `/accounts/${savings.id}/reconciliations`;
    const other = ok(
      await member.post(savingsBase, { statementDate: "2026-01-31", statementBalance: "200.00" }),
      201,
    ) as ReconciliationJson;
    ok(await member.patch(`${savingsBase}/${other.id}`, { tick: [into] }));
    ok(await member.post(`${savingsBase}/${other.id}/finish`, {}));
    expect(await status(into)).toBe("reconciled");

    // Unlocking one side unlocks the pair, and an edit then moves both.
    expect((await member.post(`/transactions/${into}/unlock`)).status).toBe(204);
    expect([await status(out.id), await status(into)]).toEqual(["cleared", "cleared"]);
    ok(await member.patch(`/transactions/${out.id}`, { date: "2026-01-13" }));
    const moved = ok(await member.get(`/transactions/${into}`)) as TransactionJson;
    expect(moved.date).toBe("2026-01-13");
  });
});
