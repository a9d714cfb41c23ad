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
import type { BulkResultJson, TransactionJson, TransactionSummaryJson } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;

describe("the all-accounts register: account: search and bulk actions by filter", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let current: Account;
  let joint: Account;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    current = await anAccount(member, { name: "Current" });
    joint = await anAccount(member, { name: "Joint Account" });
    await aTransaction(member, current.id, { date: "2026-01-02", amount: "-10.00", payee: "Cafe" });
    await aTransaction(member, current.id, { date: "2026-01-03", amount: "200.00", payee: "Pay" });
    await aTransaction(member, joint.id, { date: "2026-01-04", amount: "-30.00", payee: "Cafe" });
  });
  afterAll(async () => {
    await app.close();
  });

  const list = async (query: string) => {
    const res = await member.get(`/transactions?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body as { data: TransactionJson[]; nextCursor: string | null }).data;
  };
  const accountsOf = (rows: readonly TransactionJson[]) => [
    ...new Set(rows.map((t) => t.accountId)),
  ];
  const q = (text: string) => `q=${encodeURIComponent(text)}`;

  it("lists every account's transactions without accountId, newest first", async () => {
    const rows = await list("limit=10");
    expect(rows.map((t) => t.date)).toEqual(["2026-01-04", "2026-01-03", "2026-01-02"]);
    expect(accountsOf(rows).sort()).toEqual([current.id, joint.id].sort());
  });

  it("account: matches the account's name case-insensitively, quoted names with spaces too", async () => {
    expect(accountsOf(await list(q("account:current")))).toEqual([current.id]);
    expect(accountsOf(await list(q('account:"joint account"')))).toEqual([joint.id]);
    expect(accountsOf(await list(q('account:"JOINT ACCOUNT" payee:cafe')))).toEqual([joint.id]);
    expect(await list(q("account:joint"))).toEqual([]);
  });

  it("-account: leaves the account's transactions out, and OR combines accounts", async () => {
    expect(accountsOf(await list(q("-account:current")))).toEqual([joint.id]);
    const both = await list(q('account:current OR account:"joint account"'));
    expect(both).toHaveLength(3);
  });

  it("totals what account: selects, per currency", async () => {
    const res = await member.get(`/transactions/summary?${q("account:Current")}`);
    expect(res.body as TransactionSummaryJson).toEqual({
      count: 2,
      totals: [{ currency: "EUR", income: "200.00", expense: "-10.00", net: "190.00" }],
    });
  });

  describe("bulk actions by filter", () => {
    let bulkAccount: Account;
    let booked: TransactionJson[];

    beforeAll(async () => {
      bulkAccount = await anAccount(member, { name: "Many rows" });
      booked = [];
      // More rows than a first page of the list holds (limit=5 below).
      for (let i = 0; i < 12; i++) {
        booked.push(
          await aTransaction(member, bulkAccount.id, {
            date: `2026-02-${String(i + 1).padStart(2, "0")}`,
            amount: `-${String(i + 1)}.00`,
            payee: i % 2 === 0 ? "Grocer" : "Baker",
          }),
        );
      }
    });

    const bulk = (body: unknown) => member.post("/transactions/bulk", body);

    it("categorises every match, rows beyond the first page included, and leaves reconciled ones", async () => {
      const food = await aCategory(member, "Food by filter");
      const filter = { q: `account:"many rows" payee:grocer` };
      const firstPage = await list(`limit=2&${q(filter.q)}`);
      expect(firstPage).toHaveLength(2);
      const grocer = booked.filter((t) => t.payee === "Grocer");
      const locked = grocer[0];
      if (locked === undefined) throw new Error("no rows booked");
      await app.pool.query("update transactions set status = 'reconciled' where id = $1", [
        locked.id,
      ]);

      const res = await bulk({ filter, action: "categorise", categoryId: food.id });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body as BulkResultJson).toMatchObject({
        action: "categorise",
        matched: 6,
        skipped: 1,
        changed: 5,
        data: [],
      });
      const after = await list(`limit=50&${q(filter.q)}`);
      const loaded = new Set(firstPage.map((t) => t.id));
      const beyond = after.filter((t) => !loaded.has(t.id) && t.id !== locked.id);
      expect(beyond.length).toBeGreaterThan(0);
      expect(beyond.every((t) => t.categoryId === food.id)).toBe(true);
      expect(after.find((t) => t.id === locked.id)?.categoryId).toBeNull();
      // The bakers did not match.
      const bakers = await list(`limit=50&${q('account:"many rows" payee:baker')}`);
      expect(bakers.every((t) => t.categoryId === null)).toBe(true);

      const audited = await app.pool.query<{ actor_id: string }>(
        `select actor_id::text from audit_log
         where entity = 'transaction' and action = 'update' and entity_id = any($1::text[])`,
        [grocer.filter((t) => t.id !== locked.id).map((t) => t.id)],
      );
      expect(audited.rows.map((r) => r.actor_id)).toEqual(Array(5).fill(app.member.id));
    });

    it("takes the list's other filters, and deletes every match but the reconciled", async () => {
      const tagged = await bulk({
        filter: { accountId: bulkAccount.id, from: "2026-02-11" },
        action: "tag",
        tag: "late",
      });
      expect(tagged.body as BulkResultJson).toMatchObject({ matched: 2, changed: 2 });

      const res = await bulk({ filter: { accountId: bulkAccount.id }, action: "delete" });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const body = res.body as BulkResultJson;
      expect(body).toMatchObject({ matched: 12, skipped: 1, changed: 11 });
      expect(body.deleted).toHaveLength(11);
      const left = await list(`accountId=${bulkAccount.id}`);
      expect(left.map((t) => t.status)).toEqual(["reconciled"]);
    });

    it("answers 422 for a filter the search language cannot read, or ids and filter together", async () => {
      const bad = await bulk({ filter: { q: "account:" }, action: "delete" });
      expect(bad.status).toBe(422);
      expect(problem(bad.body).errors?.map((e) => e.path)).toEqual(["body.filter.q"]);
      const both = await bulk({ ids: ["1"], filter: {}, action: "delete" });
      expect(both.status).toBe(422);
      const neither = await bulk({ action: "delete" });
      expect(neither.status).toBe(422);
      const viewer = await app.as(app.viewer).post("/transactions/bulk", {
        filter: {},
        action: "delete",
      });
      expect(viewer.status).toBe(403);
      expect(await list("limit=10")).not.toHaveLength(0);
    });
  });
});
