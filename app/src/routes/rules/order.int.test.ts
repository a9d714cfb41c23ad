import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import { MAX_RULE_POSITION, type RuleJson } from "./schema.ts";

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
// Every test starts from no rules, so the positions it sees are its own.
afterEach(async () => {
  await app.pool.query("delete from rules");
});

/** A first-match rule: a transaction whose payee contains `word` gets `categoryId`, then stops. */
async function aFirstMatchRule(
  name: string,
  word: string,
  categoryId: string,
  extra: Record<string, unknown> = {},
): Promise<RuleJson> {
  const res = await member.post("/rules", {
    name,
    stopProcessing: true,
    conditions: [{ field: "payee", op: "contains", value: word }],
    actions: [{ type: "setCategory", categoryId }],
    ...extra,
  });
  if (res.status !== 201)
    throw new Error(`creating ${name}: ${res.status} ${res.bytes.toString()}`);
  return res.body as RuleJson;
}

async function ruleOrder(): Promise<string[]> {
  return ((await member.get("/rules")).body as { data: RuleJson[] }).data.map((r) => r.name);
}

describe("the position of a new rule", () => {
  it("runs a rule created without a position after every existing rule", async () => {
    const first = await aCategory(member, "Coffee first");
    const second = await aCategory(member, "Coffee second");
    const early = await aFirstMatchRule("Early", "coffee", first.id);
    expect(early.position).toBe(0);
    const moved = await aFirstMatchRule("Moved", "nothing-matches", first.id, { position: 5 });
    const late = await aFirstMatchRule("Late", "coffee", second.id);
    expect(late.position).toBe(moved.position + 1);
    expect(await ruleOrder()).toEqual(["Early", "Moved", "Late"]);
    // First match: the rule that was there before wins over the one added after it.
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { payee: "Coffee corner" });
    expect(tx.categoryId).toBe(first.id);
  });

  it("keeps an explicit position: a new rule at position 0 runs before the others", async () => {
    const old = await aCategory(member, "Bakery old");
    const priority = await aCategory(member, "Bakery priority");
    await aFirstMatchRule("Standing", "bakery", old.id, { position: 3 });
    const front = await aFirstMatchRule("Front", "bakery", priority.id, { position: 0 });
    expect(front.position).toBe(0);
    expect(await ruleOrder()).toEqual(["Front", "Standing"]);
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { payee: "Bakery Schmidt" });
    expect(tx.categoryId).toBe(priority.id);
  });

  it("gives rules created at the same moment positions of their own, one after another", async () => {
    const category = await aCategory(member, "Parallel rules");
    await aFirstMatchRule("Base", "parallel", category.id, { position: 10 });
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => aFirstMatchRule(`Racer ${i}`, "parallel", category.id)),
    );
    const positions = made.map((r) => r.position).sort((a, b) => a - b);
    expect(positions).toEqual([11, 12, 13, 14, 15, 16]);
    // The order they run in is the order they were created in (ids ascend with positions).
    const byPosition = [...made].sort((a, b) => a.position - b.position);
    expect(byPosition.map((r) => BigInt(r.id))).toEqual(
      [...made].map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it("stops at the highest position, where the newer rule still runs last", async () => {
    const top = await aCategory(member, "Kiosk top");
    const after = await aCategory(member, "Kiosk after");
    await aFirstMatchRule("At the top", "kiosk", top.id, { position: MAX_RULE_POSITION });
    const last = await aFirstMatchRule("After the top", "kiosk", after.id);
    expect(last.position).toBe(MAX_RULE_POSITION);
    expect(await ruleOrder()).toEqual(["At the top", "After the top"]);
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { payee: "Kiosk 24" });
    expect(tx.categoryId).toBe(top.id);
  });
});
