import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import type { TransactionJson } from "../transactions/schema.ts";
import { PREVIEW_WINDOW, type PreviewResultJson, type RuleJson } from "./schema.ts";

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

function ok(res: TestResponse, status = 200): unknown {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

function paths(body: unknown): string[] {
  return ((body as { errors?: { path: string }[] }).errors ?? []).map((e) => e.path);
}

async function preview(body: Record<string, unknown>): Promise<PreviewResultJson> {
  return ok(await member.post("/rules/preview", body)) as PreviewResultJson;
}

describe("POST /rules/preview", () => {
  it("lists what an unsaved rule would change, newest first, and stores and writes nothing", async () => {
    const food = await aCategory(member, "Preview food");
    const account = await anAccount(member);
    const older = await aTransaction(member, account.id, {
      payee: "Corner Grocer",
      amount: "-42.50",
      date: "2026-02-01",
    });
    const newer = await aTransaction(member, account.id, {
      payee: "corner grocer",
      amount: "-7.00",
      date: "2026-02-03",
      tags: ["weekly"],
    });
    await aTransaction(member, account.id, { payee: "Bakery", date: "2026-02-02" });
    await aTransaction(member, account.id, { payee: "Corner Grocer", status: "reconciled" });
    const result = await preview({
      rule: {
        name: "",
        conditions: [{ field: "payee", op: "contains", value: "grocer" }],
        actions: [
          { type: "setCategory", categoryId: food.id },
          { type: "addTag", tag: "groceries" },
        ],
      },
      filter: { accountId: account.id },
    });
    // The reconciled purchase is never touched, so it is neither examined nor listed.
    expect(result).toMatchObject({ examined: 3, matched: 2, truncated: false, outOfTime: false });
    expect(result.changes).toEqual([
      {
        transactionId: newer.id,
        accountId: account.id,
        date: "2026-02-03",
        payee: "corner grocer",
        amount: "-7.00",
        currency: "EUR",
        before: { categoryId: null, tags: ["weekly"] },
        after: { categoryId: food.id, tags: ["weekly", "groceries"] },
      },
      {
        transactionId: older.id,
        accountId: account.id,
        date: "2026-02-01",
        payee: "Corner Grocer",
        amount: "-42.50",
        currency: "EUR",
        before: { categoryId: null, tags: [] },
        after: { categoryId: food.id, tags: ["groceries"] },
      },
    ]);
    expect((ok(await member.get("/rules")) as { data: RuleJson[] }).data).toEqual([]);
    const stored = ok(await member.get(`/transactions/${older.id}`)) as TransactionJson;
    expect(stored).toMatchObject({ categoryId: null, tags: [] });
    const audit = ok(await member.get(`/audit?entity=transaction&id=${older.id}`)) as {
      data: { action: string }[];
    };
    expect(audit.data.map((e) => e.action)).toEqual(["create"]);
  });

  it("runs a disabled draft, counts every change but lists only `limit`, honours the filter", async () => {
    const account = await anAccount(member);
    const other = await anAccount(member);
    for (const date of ["2026-03-01", "2026-03-02", "2026-03-03"]) {
      await aTransaction(member, account.id, { payee: "Fuel Stop", date });
    }
    await aTransaction(member, other.id, { payee: "Fuel Stop", date: "2026-03-04" });
    const rule = {
      name: "Fuel",
      enabled: false,
      match: "any",
      stopProcessing: true,
      conditions: [
        { field: "payee", op: "matches", value: "^fuel\\s+stop$" },
        { field: "description", op: "equals", value: "never" },
      ],
      actions: [{ type: "setPayee", payee: "Fuel Stop GmbH" }],
    };
    const limited = await preview({ rule, filter: { accountId: account.id }, limit: 2 });
    expect(limited).toMatchObject({ examined: 3, matched: 3 });
    expect(limited.changes.map((c) => [c.date, c.before, c.after])).toEqual([
      ["2026-03-03", { payee: "Fuel Stop" }, { payee: "Fuel Stop GmbH" }],
      ["2026-03-02", { payee: "Fuel Stop" }, { payee: "Fuel Stop GmbH" }],
    ]);
    const inMarch = await preview({
      rule,
      filter: { q: "payee:fuel", from: "2026-03-02", to: "2026-03-04" },
    });
    expect(inMarch.matched).toBe(3);
    expect(inMarch.changes.map((c) => c.accountId).sort()).toEqual(
      [account.id, account.id, other.id].sort(),
    );
  });

  it(`examines only the newest ${String(PREVIEW_WINDOW)} transactions and says so`, async () => {
    const account = await anAccount(member);
    await withAuditedTransaction(
      app.pool,
      { actor: app.member.id, action: "import" },
      async (client) => {
        // The oldest one is the only match: it lies just outside the window.
        await client.query(
          `insert into transactions (account_id, booking_date, amount, currency, payee)
         select $1, date '2020-01-01' + n, -100, 'EUR',
           case when n = 0 then 'Ancient Shop' else 'Everyday' end
         from generate_series(0, $2::int) as n`,
          [account.id, PREVIEW_WINDOW],
        );
      },
    );
    const result = await preview({
      rule: {
        name: "Ancient",
        conditions: [{ field: "payee", op: "equals", value: "ancient shop" }],
        actions: [{ type: "setNotes", notes: "old" }],
      },
      filter: { accountId: account.id },
    });
    expect(result).toMatchObject({
      examined: PREVIEW_WINDOW,
      matched: 0,
      changes: [],
      truncated: true,
    });
    const recent = await preview({
      rule: {
        conditions: [{ field: "amount", min: "-1", max: "-1" }],
        actions: [{ type: "addTag", tag: "one-euro" }],
      },
      filter: { accountId: account.id },
    });
    expect(recent).toMatchObject({ examined: PREVIEW_WINDOW, matched: PREVIEW_WINDOW });
    expect(recent.changes).toHaveLength(50);
  });

  it("refuses what createRule refuses, at body.rule paths, and a viewer", async () => {
    const unsafe = await member.post("/rules/preview", {
      rule: {
        name: "Bad",
        conditions: [
          { field: "payee", op: "contains", value: "ok" },
          { field: "payee", op: "matches", value: "(a)\\1" },
          { field: "account", accountId: "999999" },
        ],
        actions: [{ type: "setCategory", categoryId: "999999" }],
      },
    });
    expect(unsafe.status).toBe(422);
    expect(unsafe.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(paths(unsafe.body).sort()).toEqual([
      "body.rule.actions[0].categoryId",
      "body.rule.conditions[1].value",
      "body.rule.conditions[2].accountId",
    ]);
    const shape = await member.post("/rules/preview", {
      rule: { conditions: [{ field: "amount", min: "1.2.3" }], actions: [] },
      limit: 500,
    });
    expect(shape.status).toBe(422);
    expect(paths(shape.body).sort()).toEqual([
      "body.limit",
      "body.rule.actions",
      "body.rule.conditions.0.min",
    ]);
    const query = await member.post("/rules/preview", {
      rule: {
        conditions: [{ field: "payee", op: "contains", value: "x" }],
        actions: [{ type: "addTag", tag: "x" }],
      },
      filter: { q: "amount:<x" },
    });
    expect(paths(query.body)).toEqual(["body.filter.q"]);
    const rule = {
      conditions: [{ field: "payee", op: "contains", value: "x" }],
      actions: [{ type: "addTag", tag: "x" }],
    };
    expect((await viewer.post("/rules/preview", { rule })).status).toBe(403);
    expect((await app.anonymous.post("/rules/preview", { rule })).status).toBe(401);
  });
});
