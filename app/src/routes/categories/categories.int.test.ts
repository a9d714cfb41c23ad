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
import type { TransactionJson } from "../transactions/schema.ts";
import type { CategoryJson } from "./schema.ts";

const paths = (body: unknown) => (body as ProblemDetails).errors?.map((e) => e.path);

describe("the category routes", () => {
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

  it("builds a tree of any depth where children take their parent's kind", async () => {
    let parent = await aCategory(member, "Home", { kind: "expense" });
    for (let depth = 1; depth <= 6; depth++) {
      const res = await member.post("/categories", { name: `Level ${depth}`, parentId: parent.id });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9]+$/) as string,
        name: `Level ${depth}`,
        kind: "expense",
        parentId: parent.id,
      });
      parent = res.body as CategoryJson;
    }
    expect((await member.get(`/categories/${parent.id}`)).body).toEqual(parent);
    const list = (await member.get("/categories")).body as { data: CategoryJson[] };
    expect(list.data).toHaveLength(7);
  });

  it("refuses a child whose kind differs from its parent's, and unknown parents (422)", async () => {
    const salary = await aCategory(member, "Salary", { kind: "income" });
    const res = await member.post("/categories", {
      name: "Rent",
      kind: "expense",
      parentId: salary.id,
    });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(["body.kind"]);
    const orphan = await member.post("/categories", { name: "Orphan", parentId: "987654" });
    expect(paths(orphan.body)).toEqual(["body.parentId"]);
    const noKind = await member.post("/categories", { name: "Kindless" });
    expect(paths(noKind.body)).toEqual(["body.kind"]);
    const badKind = await member.post("/categories", { name: "Other", kind: "transfer" });
    expect(paths(badKind.body)).toEqual(["body.kind"]);
  });

  it("keeps sibling names unique ignoring case (409), but allows them under other parents", async () => {
    const food = await aCategory(member, "Food");
    const travel = await aCategory(member, "Travel");
    await aCategory(member, "Snacks", { parentId: food.id });
    const clash = await member.post("/categories", { name: "SNACKS", parentId: food.id });
    expect(clash.status).toBe(409);
    const elsewhere = await member.post("/categories", { name: "Snacks", parentId: travel.id });
    expect(elsewhere.status).toBe(201);
    const topClash = await member.post("/categories", { name: "food", kind: "expense" });
    expect(topClash.status).toBe(409);
    const renameClash = await member.patch(`/categories/${travel.id}`, { name: "FOOD" });
    expect(renameClash.status).toBe(409);
  });

  it("moves a category, refusing moves into itself or its own subtree (422)", async () => {
    const a = await aCategory(member, "Move A");
    const b = await aCategory(member, "Move B", { parentId: a.id });
    const c = await aCategory(member, "Move C", { parentId: b.id });
    const other = await aCategory(member, "Move Other");

    const intoGrandchild = await member.patch(`/categories/${a.id}`, { parentId: c.id });
    expect(intoGrandchild.status).toBe(422);
    expect(paths(intoGrandchild.body)).toEqual(["body.parentId"]);
    const intoSelf = await member.patch(`/categories/${a.id}`, { parentId: a.id });
    expect(paths(intoSelf.body)).toEqual(["body.parentId"]);

    const moved = await member.patch(`/categories/${b.id}`, { parentId: other.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: b.id, parentId: other.id });
    const top = await member.patch(`/categories/${b.id}`, { parentId: null });
    expect(top.body).toMatchObject({ parentId: null });
    expect((await member.get(`/categories/${c.id}`)).body).toMatchObject({ parentId: b.id });
  });

  it("keeps kinds consistent on moves and kind changes (422)", async () => {
    const income = await aCategory(member, "Kind income", { kind: "income" });
    const expense = await aCategory(member, "Kind expense");
    const child = await aCategory(member, "Kind child", { parentId: expense.id });
    const move = await member.patch(`/categories/${child.id}`, { parentId: income.id });
    expect(move.status).toBe(422);
    expect(paths(move.body)).toEqual(["body.parentId"]);
    const flip = await member.patch(`/categories/${expense.id}`, { kind: "income" });
    expect(paths(flip.body)).toEqual(["body.kind"]);
    const leaf = await member.patch(`/categories/${child.id}`, {
      parentId: income.id,
      kind: "income",
    });
    expect(leaf.body).toMatchObject({ parentId: income.id, kind: "income" });
  });

  it("refuses to delete a category with children (409) and uncategorises a deleted one's transactions", async () => {
    const parent = await aCategory(member, "Deletable parent");
    const leaf = await aCategory(member, "Deletable leaf", { parentId: parent.id });
    const account = await anAccount(member);
    const booked = await aTransaction(member, account.id, { categoryId: leaf.id });
    const split = await aTransaction(member, account.id, {
      amount: "-3.00",
      splits: [
        { amount: "-1.00", categoryId: leaf.id },
        { amount: "-2.00", categoryId: parent.id },
      ],
    });

    expect((await member.delete(`/categories/${parent.id}`)).status).toBe(409);
    expect((await member.delete(`/categories/${leaf.id}`)).status).toBe(204);
    expect((await member.get(`/categories/${leaf.id}`)).status).toBe(404);
    const after = (await member.get(`/transactions/${booked.id}`)).body as TransactionJson;
    expect(after.categoryId).toBeNull();
    const splitAfter = (await member.get(`/transactions/${split.id}`)).body as TransactionJson;
    expect(splitAfter.splits.map((s) => s.categoryId)).toEqual([null, parent.id]);
    expect((await member.delete(`/categories/${parent.id}`)).status).toBe(204);
    // The transactions the deletes uncategorised are changes the audit log names the member for.
    const audit = (await member.get(`/audit?entity=transaction&id=${booked.id}`)).body as {
      data: { action: string; actorId: string | null }[];
    };
    expect(audit.data.map((entry) => [entry.action, entry.actorId])).toEqual([
      ["update", app.member.id],
      ["create", app.member.id],
    ]);
  });

  it("answers 404 for unknown and malformed ids", async () => {
    for (const path of ["/categories/424242", "/categories/x1"]) {
      expect((await member.get(path)).status).toBe(404);
      expect((await member.patch(path, { name: "y" })).status).toBe(404);
      expect((await member.delete(path)).status).toBe(404);
    }
  });

  it("lets a viewer and a read token read but not write (403)", async () => {
    const category = await aCategory(member, "Readable");
    for (const reader of [app.as(app.viewer), app.as(app.owner, "read")]) {
      expect((await reader.get("/categories")).status).toBe(200);
      expect((await reader.post("/categories", { name: "No", kind: "income" })).status).toBe(403);
      expect((await reader.patch(`/categories/${category.id}`, { name: "No" })).status).toBe(403);
      expect((await reader.delete(`/categories/${category.id}`)).status).toBe(403);
    }
  });
});

describe("the starter category set", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
  });
  afterAll(async () => {
    await app.close();
  });

  it("adds the starter tree in the asked language to an empty household, once", async () => {
    const member = app.as(app.member);
    expect((await app.as(app.viewer).post("/categories/starter-set", {})).status).toBe(403);
    const res = await member.post("/categories/starter-set", { locale: "nl-BE" });
    expect(res.status).toBe(201);
    const categories = (res.body as { data: CategoryJson[] }).data;
    expect(categories).toHaveLength(22);
    const food = categories.find((c) => c.name === "Eten");
    expect(food?.kind).toBe("expense");
    expect(categories.filter((c) => c.parentId === food?.id).map((c) => c.name)).toEqual(
      expect.arrayContaining(["Boodschappen", "Restaurants"]),
    );
    const again = await member.post("/categories/starter-set", { locale: "en" });
    expect(again.status).toBe(409);
    expect(((await member.get("/categories")).body as { data: unknown[] }).data).toHaveLength(22);
  });
});
