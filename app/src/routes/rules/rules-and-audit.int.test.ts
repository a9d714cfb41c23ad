import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyRulesToTransactions } from "../../write-model/rules-on-write.ts";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
} from "../../../test/harness/ledger.ts";
import type { AuditEntry } from "../audit/router.ts";
import type { ReconciliationJson } from "../reconciliations/schema.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import type { ApplyResultJson, RuleJson } from "./schema.ts";
import type { TransactionJson } from "../transactions/schema.ts";

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

function paths(body: unknown): string[] {
  return ((body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);
}

function ok(res: TestResponse, status = 200): unknown {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

async function aRule(body: Record<string, unknown>): Promise<RuleJson> {
  return ok(await member.post("/rules", body), 201) as RuleJson;
}

async function audit(entity: string, id: string): Promise<AuditEntry[]> {
  return (ok(await member.get(`/audit?entity=${entity}&id=${id}`)) as { data: AuditEntry[] }).data;
}

describe("rules", () => {
  it("categorises and tags a new transaction that matches", async () => {
    const food = await aCategory(member, "Food rules");
    const rule = await aRule({
      name: "Supermarket",
      conditions: [{ field: "payee", op: "matches", value: "^super\\s?market" }],
      actions: [
        { type: "setCategory", categoryId: food.id },
        { type: "addTag", tag: "groceries" },
      ],
    });
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { payee: "SuperMarket Berlin" });
    expect(tx).toMatchObject({ categoryId: food.id, tags: ["groceries"] });
    const other = await aTransaction(member, account.id, { payee: "Bakery" });
    expect(other).toMatchObject({ categoryId: null, tags: [] });
    // The rule's change is audited as such, after the create, by the member who booked it.
    const entries = await audit("transaction", tx.id);
    expect(entries.map((e) => e.action)).toEqual(["rule", "create"]);
    expect(entries[0]).toMatchObject({
      actorId: app.member.id,
      before: { categoryId: null, tags: [] },
      after: { categoryId: food.id, tags: ["groceries"] },
    });
    await member.delete(`/rules/${rule.id}`);
  });

  it("books a long payee under a rule of many bounded repeats at once (issue 16)", async () => {
    // A backtracking engine takes minutes on this pair (six repeats took 15 s) and held up
    // every other request meanwhile; RE2's is linear in the payee.
    const food = await aCategory(member, "Repeats");
    const rule = await aRule({
      name: "Repeats",
      conditions: [{ field: "payee", op: "matches", value: `${"\\w{0,10}".repeat(7)}!` }],
      actions: [{ type: "setCategory", categoryId: food.id }],
    });
    const account = await anAccount(member);
    const long = await aTransaction(member, account.id, { payee: "a".repeat(200) });
    expect(long.categoryId).toBeNull();
    const hit = await aTransaction(member, account.id, { payee: `${"a".repeat(190)}abc!` });
    expect(hit.categoryId).toBe(food.id);
    await member.delete(`/rules/${rule.id}`);
  });

  it("refuses a lookaround as RFC 9457 problem naming the field and saying why", async () => {
    const res = await member.post("/rules", {
      name: "Lookahead",
      conditions: [
        { field: "payee", op: "contains", value: "x" },
        { field: "description", op: "matches", value: "^card(?! refund)" },
      ],
      actions: [{ type: "addTag", tag: "x" }],
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problems = (res.body as { errors: { path: string; message: string }[] }).errors;
    expect(problems.map((p) => p.path)).toEqual(["body.conditions[1].value"]);
    expect(problems[0]?.message).toMatch(/lookaround .* RE2 syntax does not support/);
  });

  it("previews on a dry run without writing, then applies, skipping reconciled ones", async () => {
    const account = await anAccount(member);
    const a = await aTransaction(member, account.id, { payee: "Netflix", amount: "-12.99" });
    const b = await aTransaction(member, account.id, { payee: "Netflix", amount: "-15.99" });
    const locked = await aTransaction(member, account.id, {
      payee: "Netflix",
      status: "reconciled",
    });
    const rule = await aRule({
      name: "Streaming",
      conditions: [
        { field: "payee", op: "equals", value: "netflix" },
        { field: "amount", min: "-13", max: "-12" },
      ],
      actions: [{ type: "addTag", tag: "streaming" }],
    });
    const filter = { q: `payee:netflix account:"${account.name}"` };
    const preview = ok(
      await member.post("/rules/apply", { ruleIds: [rule.id], filter, dryRun: true }),
    ) as ApplyResultJson;
    expect(preview).toMatchObject({ dryRun: true, examined: 2, truncated: false });
    expect(preview.changes).toEqual([
      {
        transactionId: a.id,
        matchedRuleIds: [rule.id],
        before: { tags: [] },
        after: { tags: ["streaming"] },
      },
    ]);
    expect((ok(await member.get(`/transactions/${a.id}`)) as TransactionJson).tags).toEqual([]);
    const applied = ok(
      await member.post("/rules/apply", { filter, dryRun: false }),
    ) as ApplyResultJson;
    expect(applied.changes.map((c) => c.transactionId)).toEqual([a.id]);
    expect((ok(await member.get(`/transactions/${a.id}`)) as TransactionJson).tags).toEqual([
      "streaming",
    ]);
    expect((ok(await member.get(`/transactions/${b.id}`)) as TransactionJson).tags).toEqual([]);
    expect((ok(await member.get(`/transactions/${locked.id}`)) as TransactionJson).tags).toEqual(
      [],
    );
    await member.delete(`/rules/${rule.id}`);
  });

  it("runs through the import hook in the importer's SQL transaction, audited as import", async () => {
    const travel = await aCategory(member, "Travel rules");
    const rule = await aRule({
      name: "Trains",
      conditions: [{ field: "description", op: "contains", value: "db bahn" }],
      actions: [{ type: "setCategory", categoryId: travel.id }],
    });
    const account = await anAccount(member);
    const ids = await withAuditedTransaction(
      app.pool,
      { actor: app.owner.id, action: "import" },
      async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `insert into transactions (account_id, booking_date, amount, currency, description)
         values ($1, '2026-03-01', -4990, 'EUR', 'DB Bahn ticket'),
                ($1, '2026-03-02', -300, 'EUR', 'Kiosk')
         returning id::text`,
          [account.id],
        );
        const ids = rows.map((row) => row.id);
        const outcome = await applyRulesToTransactions(client, ids);
        expect(outcome.changes.map((c) => c.transactionId)).toEqual([ids[0]]);
        return ids;
      },
    );
    const [train, kiosk] = ids;
    expect(
      (ok(await member.get(`/transactions/${train ?? ""}`)) as TransactionJson).categoryId,
    ).toBe(travel.id);
    expect(
      (ok(await member.get(`/transactions/${kiosk ?? ""}`)) as TransactionJson).categoryId,
    ).toBeNull();
    const entries = await audit("transaction", train ?? "");
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ["rule", app.owner.id],
      ["import", app.owner.id],
    ]);
    await member.delete(`/rules/${rule.id}`);
  });

  it("refuses a backreference regex, an unknown category and a bad query, naming the fields", async () => {
    const res = await member.post("/rules", {
      name: "Bad",
      conditions: [
        { field: "payee", op: "matches", value: "(a)\\1" },
        { field: "amount", min: "1.2.3" },
      ],
      actions: [{ type: "setCategory", categoryId: "999999" }],
    });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toContain("body.conditions.1.min");
    const semantic = await member.post("/rules", {
      name: "Bad",
      conditions: [{ field: "payee", op: "matches", value: "(a)\\1" }],
      actions: [{ type: "setCategory", categoryId: "999999" }],
    });
    expect(semantic.status).toBe(422);
    expect(paths(semantic.body).sort()).toEqual([
      "body.actions[0].categoryId",
      "body.conditions[0].value",
    ]);
    const query = await member.post("/rules/apply", { filter: { q: "amount:<x" } });
    expect(query.status).toBe(422);
    expect(paths(query.body)).toEqual(["body.filter.q"]);
  });

  it("lists, reads, changes and deletes rules; a viewer only reads", async () => {
    const rule = await aRule({
      name: "Tidy",
      position: 5,
      conditions: [{ field: "description", op: "contains", value: "x" }],
      actions: [{ type: "setNotes", notes: "tidied" }],
    });
    const changed = ok(
      await member.patch(`/rules/${rule.id}`, { enabled: false, stopProcessing: true }),
    ) as RuleJson;
    expect(changed).toMatchObject({ enabled: false, stopProcessing: true, position: 5 });
    expect(
      (ok(await viewer.get("/rules")) as { data: RuleJson[] }).data.map((r) => r.id),
    ).toContain(rule.id);
    expect((await viewer.post("/rules", { name: "x" })).status).toBe(403);
    expect((await viewer.post("/rules/apply", {})).status).toBe(403);
    expect((await viewer.delete(`/rules/${rule.id}`)).status).toBe(403);
    expect((await member.delete(`/rules/${rule.id}`)).status).toBe(204);
    expect((await member.get(`/rules/${rule.id}`)).status).toBe(404);
  });
});

describe("reconciliation", () => {
  it("shows the difference, finishes at zero and locks what it reconciled", async () => {
    const account = await anAccount(member, { openingBalance: "100.00" });
    const t1 = await aTransaction(member, account.id, { amount: "-30.00", date: "2026-01-10" });
    const t2 = await aTransaction(member, account.id, { amount: "-20.00", date: "2026-01-20" });
    const late = await aTransaction(member, account.id, { amount: "-5.00", date: "2026-02-10" });
    const base = `/accounts/${account.id}/reconciliations`;
    const rec = ok(
      await member.post(base, { statementDate: "2026-01-31", statementBalance: "50.00" }),
      201,
    ) as ReconciliationJson;
    expect(rec).toMatchObject({ previousBalance: "100.00", difference: "-50.00", status: "open" });
    expect(
      (await member.post(base, { statementDate: "2026-01-31", statementBalance: "1" })).status,
    ).toBe(409);
    const bad = await member.patch(`${base}/${rec.id}`, { tick: [t1.id, late.id] });
    expect(bad.status).toBe(422);
    expect(paths(bad.body)).toEqual(["body.tick[1]"]);
    const half = ok(
      await member.patch(`${base}/${rec.id}`, { tick: [t1.id] }),
    ) as ReconciliationJson;
    expect(half).toMatchObject({ clearedBalance: "70.00", difference: "-20.00" });
    expect((await member.post(`${base}/${rec.id}/finish`)).status).toBe(409);
    ok(await member.patch(`${base}/${rec.id}`, { tick: [t2.id] }));
    const done = ok(await member.post(`${base}/${rec.id}/finish`)) as ReconciliationJson;
    expect(done).toMatchObject({ status: "finished", difference: "0.00", clearedBalance: "50.00" });
    expect(done.tickedTransactionIds.sort()).toEqual([t1.id, t2.id].sort());
    expect((ok(await member.get(`/transactions/${t1.id}`)) as TransactionJson).status).toBe(
      "reconciled",
    );
    expect((await member.get(`/audit?entity=transaction&id=${t1.id}`)).body).toMatchObject({
      data: [
        { action: "reconcile", before: { status: "cleared" }, after: { status: "reconciled" } },
        {},
      ],
    });

    const edit = await member.patch(`/transactions/${t1.id}`, { payee: "changed" });
    expect(edit.status).toBe(409);
    expect((await member.delete(`/transactions/${t1.id}`)).status).toBe(409);
    expect((await viewer.post(`/transactions/${t1.id}/unlock`)).status).toBe(403);
    expect((await member.post(`/transactions/${t1.id}/unlock`)).status).toBe(204);
    const edited = ok(
      await member.patch(`/transactions/${t1.id}`, { payee: "changed" }),
    ) as TransactionJson;
    expect(edited).toMatchObject({ payee: "changed", status: "cleared" });
    expect((await audit("transaction", t1.id)).map((e) => e.action).slice(0, 2)).toEqual([
      "update",
      "unlock",
    ]);
    // A second statement starts from what the first reconciled and t1, now unlocked, is open.
    const next = ok(
      await member.post(base, { statementDate: "2026-02-28", statementBalance: "45.00" }),
      201,
    ) as ReconciliationJson;
    expect(next).toMatchObject({ previousBalance: "80.00", difference: "-35.00" });
    expect((await member.delete(`${base}/${next.id}`)).status).toBe(204);
    expect((await member.delete(`${base}/${rec.id}`)).status).toBe(409);
  });

  it("refuses a statement balance the currency cannot express, and a viewer", async () => {
    const account = await anAccount(member, { currency: "JPY" });
    const base = `/accounts/${account.id}/reconciliations`;
    const res = await member.post(base, { statementDate: "2026-01-31", statementBalance: "1.5" });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(["body.statementBalance"]);
    const missing = await member.post(base, { statementBalance: "1" });
    expect(paths(missing.body)).toEqual(["body.statementDate"]);
    expect(
      (await viewer.post(base, { statementDate: "2026-01-31", statementBalance: "1" })).status,
    ).toBe(403);
    expect((await member.get("/accounts/999999/reconciliations")).status).toBe(404);
  });
});

describe("audit log", () => {
  it("records create, update and delete with before, after and the actor", async () => {
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { amount: "-12.34", payee: "Before" });
    ok(await app.as(app.owner).patch(`/transactions/${tx.id}`, { payee: "After" }));
    expect((await member.delete(`/transactions/${tx.id}`)).status).toBe(204);
    const entries = await audit("transaction", tx.id);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ["delete", app.member.id],
      ["update", app.owner.id],
      ["create", app.member.id],
    ]);
    expect(entries[2]).toMatchObject({
      before: null,
      after: { amount: "-12.34", currency: "EUR", payee: "Before", accountId: account.id },
    });
    expect(entries[1]).toMatchObject({ before: { payee: "Before" }, after: { payee: "After" } });
    expect(entries[0]).toMatchObject({ before: { payee: "After" }, after: null });
    const accountEntries = await audit("account", account.id);
    expect(accountEntries.map((e) => e.action)).toEqual(["create"]);
  });

  it("cannot be changed or removed, not even by the table's owner", async () => {
    await expect(app.pool.query("update audit_log set action = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(app.pool.query("delete from audit_log")).rejects.toThrow(/append-only/);
    await expect(app.pool.query("truncate audit_log")).rejects.toThrow(/append-only/);
  });

  it("pages newest first and requires an entity with an id", async () => {
    const first = ok(await viewer.get("/audit?limit=2")) as {
      data: AuditEntry[];
      nextCursor: string | null;
    };
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = ok(await viewer.get(`/audit?limit=2&cursor=${first.nextCursor ?? ""}`)) as {
      data: AuditEntry[];
    };
    expect(Number(second.data[0]?.id)).toBeLessThan(Number(first.data[1]?.id));
    expect(paths((await viewer.get("/audit?id=1")).body)).toEqual(["query.entity"]);
    expect(paths((await viewer.get("/audit?entity=nope")).body)).toEqual(["query.entity"]);
  });
});

describe("search language in the transaction list", () => {
  it("filters by fields, amounts, dates, tags and negation", async () => {
    const account = await anAccount(member, { name: "Search account" });
    const food = await aCategory(member, "Search groceries");
    const sub = await aCategory(member, "Search veg", { parentId: food.id });
    const big = await aTransaction(member, account.id, {
      payee: "Amazon EU",
      amount: "-75.00",
      date: "2026-02-01",
      categoryId: sub.id,
      tags: ["trip"],
    });
    await aTransaction(member, account.id, {
      payee: "Amazon EU",
      amount: "-20.00",
      date: "2026-02-02",
      categoryId: sub.id,
      tags: ["trip"],
    });
    await aTransaction(member, account.id, {
      payee: "Amazon EU",
      amount: "-90.00",
      date: "2025-12-01",
      categoryId: sub.id,
      tags: ["trip"],
    });
    const list = async (q: string) =>
      (
        ok(
          await member.get(`/transactions?accountId=${account.id}&q=${encodeURIComponent(q)}`),
        ) as { data: TransactionJson[] }
      ).data.map((t) => t.id);
    expect(
      await list('payee:amazon category:"search groceries" amount:<-50 after:2026-01-01 tag:trip'),
    ).toEqual([big.id]);
    expect(await list("amazon -amount:<-50")).toHaveLength(1);
    expect(await list("amount:-80..-70 OR amount:-90")).toHaveLength(2);
    expect(await list("amazon eu")).toHaveLength(3);
    expect(await list('"AMAZON EU"')).toHaveLength(3);
    expect(await list('"amazon eu" -tag:trip')).toHaveLength(0);
    const bad = await member.get(`/transactions?q=${encodeURIComponent("amount:<abc")}`);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      errors: [{ path: "query.q", message: expect.stringMatching(/at character 8/) as unknown }],
    });
  });
});
