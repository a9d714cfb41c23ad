import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";
import type { ImportPreview } from "./schema.ts";

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

// Date, payee, text, amount and the bank's reference, in that order.
const mapping = {
  hasHeader: true,
  skipRows: 0,
  delimiter: ",",
  dateColumn: 0,
  dateFormat: "YYYY-MM-DD",
  amountColumn: 3,
  decimalSeparator: ".",
  thousandsSeparator: "",
  payeeColumn: 1,
  descriptionColumns: [2],
  externalIdColumn: 4,
};

const csv = (rows: string[]) =>
  Buffer.from(["Date,Payee,Text,Amount,Reference", ...rows, ""].join("\n"));

function ok(res: { status: number; body: unknown }, status = 200): unknown {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

async function uploaded(accountId: string, rows: string[]): Promise<string> {
  const up = ok(await uploadBankFile(member, accountId, "bank.csv", csv(rows)), 201);
  return (up as { id: string }).id;
}

async function preview(id: string): Promise<ImportPreview> {
  return ok(await member.post(`/imports/${id}/preview`, { mapping })) as ImportPreview;
}

interface Booked {
  id: string;
  date: string;
  amount: string;
  payee: string;
  description: string;
  categoryId: string | null;
  tags: string[];
  notes: string;
}

async function bookedBy(importId: string): Promise<Booked[]> {
  const { rows } = await app.pool.query<Booked>(
    `select id::text, to_char(booking_date, 'YYYY-MM-DD') as date, amount::text, payee,
       description, category_id::text as "categoryId", tags, notes
     from transactions where import_id = $1 order by id`,
    [importId],
  );
  return rows;
}

describe("import preview", () => {
  it("marks duplicates in the file and in the ledger and rule matches, and the commit books what it showed", async () => {
    const food = await aCategory(member, "Preview food");
    await ok(
      await member.post("/rules", {
        name: "Markets are food",
        conditions: [{ field: "payee", op: "contains", value: "Market" }],
        actions: [
          { type: "setCategory", categoryId: food.id },
          { type: "setPayee", payee: "City Market" },
        ],
      }),
      201,
    );
    await ok(
      await member.post("/rules", {
        name: "Rent is home",
        conditions: [{ field: "description", op: "contains", value: "Rent" }],
        actions: [{ type: "addTag", tag: "home" }],
      }),
      201,
    );
    const account = await anAccount(member, { name: "Preview checking" });
    // Already booked: an earlier import's row (bank id REF0) and fuel typed in by hand.
    const earlier = await uploaded(account.id, ["2026-03-01,Old Shop,,-7.00,REF0"]);
    ok(await member.post(`/imports/${earlier}/commit`, { mapping }));
    const byHand = await aTransaction(member, account.id, {
      date: "2026-03-04",
      amount: "-50.00",
      payee: "Fuel by hand",
    });

    const id = await uploaded(account.id, [
      "2026-03-01,Old Shop,,-7.00,REF0",
      "2026-03-02,CITY MARKET 0042,Card 1234,-12.30,REF1",
      "2026-03-03,Landlord,Rent March,-800.00,REF2",
      "2026-03-05,Fuel Stop,,-50.00,REF3",
      "2026-03-02,CITY MARKET 0042,Card 1234,-12.30,REF1",
      "2026-03-06,Bakery,,-3.10,REF4",
    ]);
    const shown = await preview(id);

    expect(shown.account).toEqual({ id: account.id, name: "Preview checking", currency: "EUR" });
    expect(shown.counts).toEqual({
      rows: 6,
      new: 3,
      duplicates: 3,
      ruleMatched: 2,
      categorised: 1,
    });
    expect(shown.truncated).toBe(false);
    expect(shown.rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    const [old, market, rent, fuel, again, bakery] = shown.rows;
    expect(old?.duplicate).toMatchObject({ reason: "bank_id", line: null });
    expect(old?.duplicate?.transaction).toMatchObject({ date: "2026-03-01", payee: "Old Shop" });
    expect(market).toMatchObject({
      bankPayee: "CITY MARKET 0042",
      bankText: "Card 1234",
      payee: "City Market",
      amount: "-12.30",
      date: "2026-03-02",
      category: { id: food.id, name: "Preview food" },
      duplicate: null,
    });
    expect(market?.rules).toEqual([
      expect.objectContaining({
        name: "Markets are food",
        sets: { category: { id: food.id, name: "Preview food" }, payee: "City Market" },
      }),
    ]);
    expect(rent).toMatchObject({ tags: ["home"], category: null, payee: "Landlord" });
    expect(rent?.rules.map((r) => r.name)).toEqual(["Rent is home"]);
    expect(fuel?.duplicate).toEqual({
      reason: "matched",
      transaction: { id: byHand.id, date: "2026-03-04", payee: "Fuel by hand", amount: "-50.00" },
      line: null,
    });
    expect(again?.duplicate).toEqual({ reason: "bank_id", transaction: null, line: 3 });
    expect(again?.rules).toEqual([]);
    expect(bakery).toMatchObject({ duplicate: null, rules: [], category: null, tags: [] });

    // Nothing was written: the twin is not claimed, the import is still waiting, and a second
    // preview says the same.
    const { rows: twin } = await app.pool.query<{ import_fingerprint: string | null }>(
      "select import_fingerprint from transactions where id = $1",
      [byHand.id],
    );
    expect(twin[0]?.import_fingerprint).toBeNull();
    expect((ok(await member.get(`/imports/${id}`)) as { status: string }).status).toBe("uploaded");
    expect(await preview(id)).toEqual(shown);

    const committed = ok(await member.post(`/imports/${id}/commit`, { mapping })) as {
      imported: number;
      duplicates: number;
      skipped: { line: number }[];
    };
    expect(committed.imported).toBe(shown.counts.new);
    expect(committed.duplicates).toBe(shown.counts.duplicates);
    expect(committed.skipped.map((s) => s.line)).toEqual(
      shown.rows.filter((r) => r.duplicate !== null).map((r) => r.line),
    );
    const booked = await bookedBy(id);
    expect(
      booked.map((b) => [b.date, b.amount, b.payee, b.description, b.categoryId, b.tags]),
    ).toEqual(
      shown.rows
        .filter((r) => r.duplicate === null)
        .map((r) => [
          r.date,
          r.amount.replace(".", ""),
          r.payee,
          r.description,
          r.category?.id ?? null,
          r.tags,
        ]),
    );

    // Once committed there is nothing left to preview.
    expect((await member.post(`/imports/${id}/preview`, { mapping })).status).toBe(409);
  });

  it("points a statement imported again at the transactions it repeats", async () => {
    const account = await anAccount(member);
    const rows = ["2026-04-01,Kiosk,Paper,-2.50,", "2026-04-01,Kiosk,Paper,-2.50,"];
    const first = await uploaded(account.id, rows);
    ok(await member.post(`/imports/${first}/commit`, { mapping }));
    const [one, two] = await bookedBy(first);

    const shown = await preview(await uploaded(account.id, rows));
    expect(shown.counts).toMatchObject({ rows: 2, new: 0, duplicates: 2, ruleMatched: 0 });
    expect(shown.rows.map((r) => r.duplicate?.reason)).toEqual(["fingerprint", "fingerprint"]);
    expect([one?.id, two?.id]).toContain(shown.rows[0]?.duplicate?.transaction?.id);
  });

  it("lists the first 200 rows and counts them all", async () => {
    const account = await anAccount(member);
    const rows = Array.from(
      { length: 230 },
      (_, i) => `2026-05-01,Shop ${String(i)},,-${String(i + 1)}.00,R${String(i)}`,
    );
    const shown = await preview(await uploaded(account.id, rows));
    expect(shown.counts).toMatchObject({ rows: 230, new: 230, duplicates: 0 });
    expect(shown.rows).toHaveLength(200);
    expect(shown.truncated).toBe(true);
  });

  it("answers 404 for no such import and 422 for rows it cannot read", async () => {
    expect((await member.post("/imports/999999/preview", {})).status).toBe(404);
    const account = await anAccount(member);
    const id = await uploaded(account.id, ["2026-03-01,Bad,,-1.00,X", "2026-03-02,Bad,,twelve,Y"]);
    const res = await member.post(`/imports/${id}/preview`, { mapping });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("line 3");
  });
});
