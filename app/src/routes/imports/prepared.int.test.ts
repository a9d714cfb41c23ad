import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";
import { CHUNK_BYTES, PreparedLinesWriter } from "./store.ts";

// The upload reads a bank file once and keeps the staging lines it read; a commit under the
// same mapping and account currency copies those instead of reading the file again. These
// tests pin down when the prepared lines are used, when they must not be, and that they go.

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

const statement = "Date;Payee;Amount\n2026-01-02;Bakery;-3,50\n2026-01-03;Salary;1.200,00\n";

interface Uploaded {
  id: string;
  rowCount: number;
  suggestedMapping: Record<string, unknown>;
}

async function upload(accountId: string, text = statement): Promise<Uploaded> {
  const res = await uploadBankFile(member, accountId, "bank.csv", Buffer.from(text));
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.bytes.toString()}`);
  return res.body as Uploaded;
}

async function stored(importId: string): Promise<{ file: number; prepared: number }> {
  const { rows } = await app.pool.query<{ file: number; prepared: number }>(
    `select (select count(*)::int from import_chunks where import_id = $1) as file,
       (select count(*)::int from import_prepared_chunks where import_id = $1) as prepared`,
    [importId],
  );
  return rows[0] ?? { file: -1, prepared: -1 };
}

async function preparedOf(importId: string): Promise<unknown> {
  const { rows } = await app.pool.query<{ prepared: unknown }>(
    "select prepared from imports where id = $1",
    [importId],
  );
  return rows[0]?.prepared;
}

async function bookedAmounts(importId: string): Promise<string[]> {
  const { rows } = await app.pool.query<{ amount: string }>(
    "select amount::text from transactions where import_id = $1 order by transactions.id",
    [importId],
  );
  return rows.map((r) => r.amount);
}

describe("the lines an upload prepares", () => {
  it("are what a commit with the suggested mapping books, and go with the file afterwards", async () => {
    const account = await anAccount(member, { currency: "EUR" });
    const up = await upload(account.id);
    expect(up.rowCount).toBe(2);
    expect(await preparedOf(up.id)).toEqual({ rows: 2, withBankIds: false, currency: "EUR" });
    expect(await stored(up.id)).toEqual({ file: 1, prepared: 1 });
    // Without the file, only the prepared lines can be what the commit books.
    await app.pool.query("delete from import_chunks where import_id = $1", [up.id]);

    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ imported: 2, duplicates: 0 });
    expect(await bookedAmounts(up.id)).toEqual(["-350", "120000"]);
    expect(await stored(up.id)).toEqual({ file: 0, prepared: 0 });
  });

  it("are set aside when the commit maps the file differently: the file is read again", async () => {
    const account = await anAccount(member, { currency: "EUR" });
    const up = await upload(account.id);
    const mapping = { ...up.suggestedMapping, invertSign: true };
    const commit = await member.post(`/imports/${up.id}/commit`, { mapping });
    expect(commit.status).toBe(200);
    expect(await bookedAmounts(up.id)).toEqual(["350", "-120000"]);
    expect(await stored(up.id)).toEqual({ file: 0, prepared: 0 });
  });

  it("are set aside when the account's currency changed since the upload", async () => {
    const account = await anAccount(member, { currency: "EUR" });
    const up = await upload(account.id);
    expect((await member.patch(`/accounts/${account.id}`, { currency: "JPY" })).status).toBe(200);
    // Read again in yen, 3,50 has no exact amount; the euro lines would have booked ¥350.
    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(422);
    expect(JSON.stringify(commit.body)).toMatch(/line 2/);
    expect(await bookedAmounts(up.id)).toEqual([]);
  });

  it("are not kept for a file with a bad row; the commit reads the file and names the line", async () => {
    const account = await anAccount(member, { currency: "EUR" });
    // Bad rows at the end of a file may be a bank's summary; this one is followed by a good row.
    const up = await upload(
      account.id,
      `${statement}2026-01-04;Shop;-1,0,0\n2026-01-05;Shop;-1,00\n`,
    );
    expect(up.rowCount).toBe(4);
    expect(await preparedOf(up.id)).toBeNull();
    expect(await stored(up.id)).toEqual({ file: 1, prepared: 0 });
    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(422);
    expect(commit.body).toMatchObject({ errors: [expect.objectContaining({ line: 4 })] });
    expect(await bookedAmounts(up.id)).toEqual([]);
  });

  it("are stored a chunk at a time in order, and a failed store is not lost", async () => {
    const account = await anAccount(member, { currency: "EUR" });
    const up = await upload(account.id);
    await app.pool.query("delete from import_prepared_chunks where import_id = $1", [up.id]);
    const writer = new PreparedLinesWriter(app.pool, up.id);
    const line = "x".repeat(1000) + "\n";
    for (let i = 0; i < 3000; i++) await writer.write(`${String(i)}${line}`);
    await writer.flush();
    const { rows } = await app.pool.query<{ seq: number; data: Buffer }>(
      "select seq, data from import_prepared_chunks where import_id = $1 order by seq",
      [up.id],
    );
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(rows[0]?.data.length).toBeGreaterThanOrEqual(CHUNK_BYTES);
    const text = Buffer.concat(rows.map((r) => r.data)).toString();
    expect(
      text
        .split("\n")
        .slice(0, 3000)
        .map((l) => l.split("x")[0]),
    ).toEqual(Array.from({ length: 3000 }, (_, i) => String(i)));

    // An import that does not exist: the store fails, and the writer says so.
    const orphan = new PreparedLinesWriter(app.pool, "999999999");
    const written = (async () => {
      for (let i = 0; i < 3000; i++) await orphan.write(line);
      await orphan.flush();
    })();
    await expect(written).rejects.toThrow(/foreign key/);
  });
});
