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
import type { BulkResultJson, TransactionJson } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;
const paths = (body: unknown) => problem(body).errors?.map((e) => e.path);

describe("bulk actions on transactions", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let account: Account;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    account = await anAccount(member, { name: "Bulk", openingBalance: "100.00" });
  });
  afterAll(async () => {
    await app.close();
  });

  const some = async (n: number, overrides: Record<string, unknown> = {}) => {
    const made: TransactionJson[] = [];
    for (let i = 0; i < n; i++) {
      made.push(await aTransaction(member, account.id, { payee: `Shop ${i}`, ...overrides }));
    }
    return made;
  };
  const bulk = (body: unknown) => member.post("/transactions/bulk", body);
  const read = async (id: string) =>
    (await member.get(`/transactions/${id}`)).body as TransactionJson;
  const auditRows = async (ids: readonly string[]) =>
    (
      await app.pool.query<{ entity_id: string; action: string; actor_id: string }>(
        `select entity_id, action, actor_id::text from audit_log
         where entity = 'transaction' and entity_id = any($1::text[]) and action <> 'create'
         order by id`,
        [ids],
      )
    ).rows;
  const reconcile = (id: string) =>
    app.pool.query("update transactions set status = 'reconciled' where id = $1", [id]);
  const balanceOf = async (id: string) =>
    ((await member.get(`/accounts/${id}`)).body as Account).balance;

  it("categorises several transactions in one action and audits each row as a single edit would", async () => {
    const groceries = await aCategory(member, "Bulk groceries");
    const txs = await some(3);
    const ids = txs.map((t) => t.id);
    const res = await bulk({ ids, action: "categorise", categoryId: groceries.id });
    expect(res.status).toBe(200);
    const body = res.body as BulkResultJson;
    expect(body).toMatchObject({ action: "categorise", changed: 3, deleted: [] });
    expect(body.data.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(body.data.every((t) => t.categoryId === groceries.id)).toBe(true);
    for (const id of ids) expect((await read(id)).categoryId).toBe(groceries.id);
    const audit = await auditRows(ids);
    expect(audit.map((row) => row.entity_id).sort()).toEqual([...ids].sort());
    expect(audit.every((row) => row.action === "update" && row.actor_id === app.member.id)).toBe(
      true,
    );

    // Again: the rows already are as asked, so nothing changes and nothing more is audited.
    const again = await bulk({ ids, action: "categorise", categoryId: groceries.id });
    expect((again.body as BulkResultJson).changed).toBe(0);
    expect(await auditRows(ids)).toHaveLength(3);

    const cleared = await bulk({ ids: ids.slice(0, 1), action: "categorise", categoryId: null });
    expect((cleared.body as BulkResultJson).changed).toBe(1);
    expect((await read(ids[0] ?? "")).categoryId).toBeNull();
  });

  it("changes nothing and answers 409 naming every reconciled row when any is locked", async () => {
    const category = await aCategory(member, "Bulk locked");
    const txs = await some(4);
    const ids = txs.map((t) => t.id);
    await reconcile(ids[1] ?? "");
    await reconcile(ids[3] ?? "");
    const audited = await auditRows(ids);
    const res = await bulk({ ids, action: "categorise", categoryId: category.id });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(paths(res.body)).toEqual(["body.ids[1]", "body.ids[3]"]);
    expect(problem(res.body).detail).toContain(`${ids[1] ?? ""}, ${ids[3] ?? ""}`);
    for (const id of ids) expect((await read(id)).categoryId).toBeNull();
    expect(await auditRows(ids)).toEqual(audited);

    const deleting = await bulk({ ids, action: "delete" });
    expect(deleting.status).toBe(409);
    for (const id of ids) expect((await member.get(`/transactions/${id}`)).status).toBe(200);
  });

  it("treats a transfer whose other side is reconciled as locked, like a single edit", async () => {
    const savings = await anAccount(member, { name: "Bulk savings" });
    const transfer = await aTransaction(member, account.id, {
      amount: "-10.00",
      transfer: { accountId: savings.id },
    });
    const other = await app.pool.query<{ id: string }>(
      "select id::text from transactions where account_id = $1",
      [savings.id],
    );
    await reconcile(other.rows[0]?.id ?? "");
    const res = await bulk({ ids: [transfer.id], action: "tag", tag: "moved" });
    expect(res.status).toBe(409);
    expect(paths(res.body)).toEqual(["body.ids[0]"]);
    expect((await read(transfer.id)).tags).toEqual([]);
  });

  it("refuses to categorise split transactions and transfers, naming each, and changes none", async () => {
    const food = await aCategory(member, "Bulk food");
    const home = await aCategory(member, "Bulk home");
    const [plain] = await some(1);
    const split = await aTransaction(member, account.id, {
      amount: "-30.00",
      splits: [
        { amount: "-20.00", categoryId: food.id },
        { amount: "-10.00", categoryId: home.id },
      ],
    });
    const savings = await anAccount(member, { name: "Bulk savings 2" });
    const transfer = await aTransaction(member, account.id, {
      transfer: { accountId: savings.id },
    });
    const ids = [plain?.id ?? "", split.id, transfer.id];
    const res = await bulk({ ids, action: "categorise", categoryId: food.id });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(["body.ids[1]", "body.ids[2]"]);
    expect(problem(res.body).errors?.[0]?.message).toMatch(/split/);
    expect(problem(res.body).errors?.[1]?.message).toMatch(/transfer/);
    expect((await read(plain?.id ?? "")).categoryId).toBeNull();
    expect((await read(split.id)).splits.map((s) => s.categoryId)).toEqual([food.id, home.id]);

    // Tags are the transaction's own, split or not: tagging them all works.
    const tagged = await bulk({ ids, action: "tag", tag: "reviewed" });
    expect(tagged.status).toBe(200);
    expect((await read(split.id)).tags).toEqual(["reviewed"]);
  });

  it("tags and untags, leaving rows that already are as asked untouched", async () => {
    const [a, b, c] = await some(3);
    const ids = [a?.id ?? "", b?.id ?? "", c?.id ?? ""];
    await member.patch(`/transactions/${ids[0] ?? ""}`, { tags: ["trip", "food"] });
    const res = await bulk({ ids, action: "tag", tag: " trip " });
    expect(res.status).toBe(200);
    expect((res.body as BulkResultJson).changed).toBe(2);
    expect((await read(ids[0] ?? "")).tags).toEqual(["trip", "food"]);
    expect((await read(ids[1] ?? "")).tags).toEqual(["trip"]);

    const untag = await bulk({ ids: [ids[0], ids[1]], action: "untag", tag: "trip" });
    expect((untag.body as BulkResultJson).changed).toBe(2);
    expect((await read(ids[0] ?? "")).tags).toEqual(["food"]);
    expect((await read(ids[1] ?? "")).tags).toEqual([]);
    expect((await read(ids[2] ?? "")).tags).toEqual(["trip"]);
  });

  it("refuses a tag that would give a transaction more than 20 tags", async () => {
    const [full, roomy] = await some(2);
    const twenty = Array.from({ length: 20 }, (_, i) => `t${String(i)}`);
    await member.patch(`/transactions/${full?.id ?? ""}`, { tags: twenty });
    const ids = [roomy?.id ?? "", full?.id ?? ""];
    const res = await bulk({ ids, action: "tag", tag: "one-more" });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(["body.ids[1]"]);
    expect((await read(ids[0] ?? "")).tags).toEqual([]);
    // A tag it already carries is no change, so no refusal.
    expect((await bulk({ ids, action: "tag", tag: "t3" })).status).toBe(200);
  });

  it("deletes in one action, both sides of a transfer, keeping balances exact", async () => {
    const wallet = await anAccount(member, { name: "Bulk wallet", openingBalance: "50.00" });
    const savings = await anAccount(member, { name: "Bulk savings 3" });
    const spent = await aTransaction(member, wallet.id, { amount: "-5.25" });
    const earned = await aTransaction(member, wallet.id, { amount: "12.00" });
    const moved = await aTransaction(member, wallet.id, {
      amount: "-20.00",
      transfer: { accountId: savings.id },
    });
    const kept = await aTransaction(member, wallet.id, { amount: "-1.00" });
    expect(await balanceOf(wallet.id)).toBe("35.75");
    const res = await bulk({ ids: [spent.id, earned.id, moved.id], action: "delete" });
    expect(res.status).toBe(200);
    const body = res.body as BulkResultJson;
    expect(body.data).toEqual([]);
    expect(body.deleted).toHaveLength(4);
    expect(body.deleted).toEqual(expect.arrayContaining([spent.id, earned.id, moved.id]));
    expect(await balanceOf(wallet.id)).toBe("49.00");
    expect(await balanceOf(savings.id)).toBe("0.00");
    expect((await member.get(`/transactions/${kept.id}`)).status).toBe(200);
    const audit = await auditRows(body.deleted);
    expect(audit.map((row) => row.action)).toEqual(["delete", "delete", "delete", "delete"]);
  });

  it("refuses unknown ids, unknown categories and incomplete actions with 422 naming the field", async () => {
    const [tx] = await some(1);
    const id = tx?.id ?? "";
    const unknown = await bulk({ ids: [id, "999999999"], action: "delete" });
    expect(unknown.status).toBe(422);
    expect(paths(unknown.body)).toEqual(["body.ids[1]"]);
    expect((await member.get(`/transactions/${id}`)).status).toBe(200);

    const noCategory = await bulk({ ids: [id], action: "categorise", categoryId: "999999999" });
    expect(paths(noCategory.body)).toEqual(["body.categoryId"]);
    expect(paths((await bulk({ ids: [id], action: "categorise" })).body)).toEqual([
      "body.categoryId",
    ]);
    expect(paths((await bulk({ ids: [id], action: "tag" })).body)).toEqual(["body.tag"]);
    expect(paths((await bulk({ ids: [id], action: "archive" })).body)).toEqual(["body.action"]);
    expect(paths((await bulk({ ids: [], action: "delete" })).body)).toEqual(["body.ids"]);
    expect(paths((await bulk({ ids: ["abc"], action: "delete" })).body)).toEqual(["body.ids.0"]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => String(i + 1));
    const big = await bulk({ ids: tooMany, action: "delete" });
    expect(big.status).toBe(422);
    expect(paths(big.body)).toEqual(["body.ids"]);
  });

  it("takes 1000 ids in one action", async () => {
    const { rows } = await app.pool.query<{ id: string }>(
      `insert into transactions (account_id, amount, currency, booking_date, payee)
       select $1, -1, 'EUR', date '2025-06-01' + (g % 30), 'Many ' || g
       from generate_series(1, 1000) g returning id::text`,
      [account.id],
    );
    const ids = rows.map((row) => row.id);
    const res = await bulk({ ids, action: "tag", tag: "batch" });
    expect(res.status).toBe(200);
    expect((res.body as BulkResultJson).changed).toBe(1000);
    const tagged = await app.pool.query<{ n: string }>(
      "select count(*)::text as n from transactions where 'batch' = any(tags)",
    );
    expect(tagged.rows[0]?.n).toBe("1000");
  });

  it("runs concurrent bulk actions over the same rows in any order without deadlocking", async () => {
    const txs = await some(6);
    const ids = txs.map((t) => t.id);
    const results = await Promise.all([
      bulk({ ids, action: "tag", tag: "a" }),
      bulk({ ids: [...ids].reverse(), action: "tag", tag: "b" }),
      bulk({ ids: [ids[5], ids[0], ids[3]], action: "untag", tag: "a" }),
      bulk({ ids: [ids[2], ids[4]], action: "delete" }),
    ]);
    // The delete may run first, leaving the others unknown ids (422); never a deadlock (500).
    expect(results.map((r) => r.status).every((s) => s === 200 || s === 422)).toBe(true);
    const [, , , deleting] = results;
    expect(deleting.status).toBe(200);
  });

  it("lets a viewer and a read token not act (403)", async () => {
    const [tx] = await some(1);
    const body = { ids: [tx?.id ?? ""], action: "delete" };
    expect((await app.as(app.viewer).post("/transactions/bulk", body)).status).toBe(403);
    expect((await app.as(app.member, "read").post("/transactions/bulk", body)).status).toBe(403);
    expect((await app.anonymous.post("/transactions/bulk", body)).status).toBe(401);
  });
});
