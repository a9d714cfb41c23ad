import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { hostileUploads } from "../../../test/fixtures/imports/hostile.ts";
import {
  anAccount,
  aCategory,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";
import { TWIN_DAYS } from "./commit.ts";
import { lockCommit, STALLED_MESSAGE } from "./stalled.ts";

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

const upload = (accountId: string, filename: string, bytes: Uint8Array) =>
  uploadBankFile(member, accountId, filename, bytes);

interface ImportJson {
  id: string;
  status: string;
  imported: number;
  duplicates: number;
  error: string | null;
}
interface Committed {
  imported: number;
  duplicates: number;
  skipped: { line: number; reason: string; transactionId: string | null }[];
}

async function uploaded(accountId: string, csv: string, filename = "statement.csv") {
  const res = await upload(accountId, filename, Buffer.from(csv));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as ImportJson;
}

async function importCsv(accountId: string, csv: string) {
  const up = await uploaded(accountId, csv);
  const commit = await member.post(`/imports/${up.id}/commit`, {});
  expect(commit.status, JSON.stringify(commit.body)).toBe(200);
  return { id: up.id, result: commit.body as Committed };
}

/** Rows written anywhere an import writes: imports, their stored chunks, transactions. */
async function written(): Promise<{ imports: number; chunks: number; transactions: number }> {
  const { rows } = await app.pool.query<{ imports: number; chunks: number; transactions: number }>(
    `select (select count(*)::int from imports) as imports,
       (select count(*)::int from import_chunks) as chunks,
       (select count(*)::int from transactions) as transactions`,
  );
  return rows[0] ?? { imports: -1, chunks: -1, transactions: -1 };
}

async function chunksOf(importId: string): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(
    "select count(*)::int as n from import_chunks where import_id = $1",
    [importId],
  );
  return rows[0]?.n ?? -1;
}

const HEADER = "Date;Payee;Amount\n";

describe("hostile and broken uploads", () => {
  for (const file of hostileUploads()) {
    it(`answers ${file.status} with a clear problem for ${file.name}, writing nothing`, async () => {
      const account = await anAccount(member);
      const before = await written();
      const res = await upload(account.id, file.filename, file.bytes);
      expect(res.status, JSON.stringify(res.body)).toBe(file.status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = res.body as { code: string; detail: string; errors?: { path: string }[] };
      expect(problem.code).toBe("import_unreadable");
      expect(problem.detail).toMatch(file.detail);
      expect(problem.errors?.[0]?.path).toMatch(/^(file|line \d+)$/);
      expect(await written()).toEqual(before);
    });
  }
});

describe("exports neutralise formulas", () => {
  it("prefixes text cells that start a formula and keeps negative amounts numbers", async () => {
    const account = await anAccount(member, { name: "=Savings" });
    const category = await aCategory(member, "-Fees");
    await aTransaction(member, account.id, {
      date: "2026-02-01",
      amount: "-12.50",
      payee: "+31 20 555 0100",
      description: "@SUM(A1:A9)",
      notes: "\tnote",
      categoryId: category.id,
      tags: ["=x"],
    });
    await aTransaction(member, account.id, {
      date: "2026-02-02",
      amount: "-3.00",
      payee: "Shop;=cmd|'/C calc'!A0",
      notes: "\r=2+2",
    });
    const res = await member.get(`/exports/transactions.csv?accountId=${account.id}`);
    expect(res.status).toBe(200);
    const [, first = "", second = ""] = res.bytes.toString("utf8").split(/\r\n(?=\d)/);
    expect(first).toMatch(
      /^\d+,2026-02-01,'=Savings,-12\.50,EUR,'\+31 20 555 0100,'@SUM\(A1:A9\),/,
    );
    expect(first).toContain(`,"'\tnote",'-Fees,'=x,`);
    expect(second).toMatch(
      /^\d+,2026-02-02,'=Savings,-3\.00,EUR,"Shop;'=cmd\|'\/C calc'!A0",,"'\r'=2\+2",,,/,
    );
  });
});

describe("a commit whose process died", () => {
  async function stall(importId: string, minutesAgo: number): Promise<void> {
    await app.pool.query(
      `update imports set status = 'committing',
         updated_at = now() - make_interval(mins => $2) where id = $1`,
      [importId, minutesAgo],
    );
  }

  it("is released on GET once no lock is held, with a message, and can be committed again", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-03-02;Shop;-4,00\n`);
    await stall(up.id, 10);
    const read = await member.get(`/imports/${up.id}`);
    expect(read.body).toMatchObject({ status: "uploaded", error: STALLED_MESSAGE, imported: 0 });
    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ imported: 1 });
    expect((await member.get(`/imports/${up.id}`)).body).toMatchObject({
      status: "committed",
      error: null,
    });
  });

  it("is released by the next commit attempt, too", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-03-02;Shop;-4,00\n`);
    await stall(up.id, 10);
    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ imported: 1 });
  });

  it("is left alone while its transaction still holds the lock, and its rows vanish with it", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-03-03;Shop;-5,00\n`);
    // A commit in flight: its lock taken, a row half-written, its status long 'committing'.
    const committer = new pg.Client({ connectionString: db.url });
    committer.on("error", () => undefined);
    await committer.connect();
    await committer.query("begin");
    await lockCommit(committer, up.id);
    await committer.query(
      `insert into transactions (account_id, booking_date, amount, currency, import_id)
       values ($1, '2026-03-03', -500, 'EUR', $2)`,
      [account.id, up.id],
    );
    await stall(up.id, 10);
    expect((await member.get(`/imports/${up.id}`)).body).toMatchObject({ status: "committing" });
    const refused = await member.post(`/imports/${up.id}/commit`, {});
    expect(refused.status).toBe(409);
    expect((refused.body as { detail: string }).detail).toMatch(/being committed/);

    // The process dies: its connection closes, PostgreSQL rolls back and frees the lock.
    const { rows } = await committer.query<{ pid: number }>("select pg_backend_pid() as pid");
    await app.pool.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
    await committer.end().catch(() => undefined);
    await expect
      .poll(async () => (await member.get(`/imports/${up.id}`)).body)
      .toMatchObject({
        status: "uploaded",
        error: STALLED_MESSAGE,
      });
    const { rows: left } = await app.pool.query<{ n: number }>(
      "select count(*)::int as n from transactions where import_id = $1",
      [up.id],
    );
    expect(left[0]?.n).toBe(0);
    expect((await member.post(`/imports/${up.id}/commit`, {})).body).toMatchObject({ imported: 1 });
  });

  it("is left alone when it began under the grace period, lock or not", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-03-04;Shop;-6,00\n`);
    await stall(up.id, 0);
    expect((await member.get(`/imports/${up.id}`)).body).toMatchObject({ status: "committing" });
    expect((await member.post(`/imports/${up.id}/commit`, {})).status).toBe(409);
    const list = await member.get("/imports");
    const listed = (list.body as { data: ImportJson[] }).data.find((i) => i.id === up.id);
    expect(listed?.status).toBe("committing");
  });

  it("keeps the reason a commit was refused on the import until one succeeds", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-03-05;Shop;-1,00\n2026-03-06;Shop;abc\n`);
    expect((await member.post(`/imports/${up.id}/commit`, {})).status).toBe(422);
    const read = (await member.get(`/imports/${up.id}`)).body as ImportJson;
    expect(read).toMatchObject({ status: "uploaded" });
    expect(read.error).toMatch(/1 row\(s\) cannot be imported; nothing was written/);
  });
});

describe("stored files", () => {
  it("deletes an import's chunks once it is committed, and undo and the listing still work", async () => {
    const account = await anAccount(member);
    const up = await uploaded(
      account.id,
      `${HEADER}2026-04-01;Shop;-1,00\n2026-04-02;Shop;-2,00\n`,
    );
    expect(await chunksOf(up.id)).toBeGreaterThan(0);
    expect((await member.post(`/imports/${up.id}/commit`, {})).status).toBe(200);
    expect(await chunksOf(up.id)).toBe(0);
    const list = (await member.get("/imports")).body as { data: ImportJson[] };
    expect(list.data.find((i) => i.id === up.id)).toMatchObject({
      status: "committed",
      imported: 2,
    });
    const undone = await member.delete(`/imports/${up.id}`);
    expect(undone.body).toMatchObject({ status: "undone", removed: 2 });
    expect(await chunksOf(up.id)).toBe(0);
  });

  it("keeps the chunks of a refused commit, so it can be retried with another mapping", async () => {
    const account = await anAccount(member);
    const up = await uploaded(account.id, `${HEADER}2026-04-03;Shop;oops\n`);
    expect((await member.post(`/imports/${up.id}/commit`, {})).status).toBe(422);
    expect(await chunksOf(up.id)).toBeGreaterThan(0);
  });
});

describe(`hand-entered twins (within ${TWIN_DAYS} days)`, () => {
  it("matches a hand-entered transaction booked by the bank one or two days later", async () => {
    const account = await anAccount(member);
    const early = await aTransaction(member, account.id, { date: "2026-05-04", amount: "-10.00" });
    const late = await aTransaction(member, account.id, { date: "2026-05-11", amount: "-20.00" });
    const csv = `${HEADER}2026-05-06;CARD 1234 SHOP;-10,00\n2026-05-10;OTHER;-20,00\n`;
    const { result } = await importCsv(account.id, csv);
    expect(result).toMatchObject({ imported: 0, duplicates: 2 });
    expect(result.skipped).toEqual([
      { line: 2, reason: "matched", transactionId: early.id },
      { line: 3, reason: "matched", transactionId: late.id },
    ]);
    // The twins now carry the bank's fingerprint: the same file again adds nothing.
    const again = await importCsv(account.id, csv);
    expect(again.result).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it(`imports a row ${TWIN_DAYS + 1} or more days from any hand-entered one as new`, async () => {
    const account = await anAccount(member);
    await aTransaction(member, account.id, { date: "2026-05-04", amount: "-10.00" });
    const csv = `${HEADER}2026-05-${String(4 + TWIN_DAYS + 1).padStart(2, "0")};SHOP;-10,00\n2026-04-20;SHOP;-10,00\n`;
    const { result } = await importCsv(account.id, csv);
    expect(result).toMatchObject({ imported: 2, duplicates: 0 });
  });

  it("pairs each twin once, nearest date first, the earlier hand-entered date winning a tie", async () => {
    const account = await anAccount(member);
    const before = await aTransaction(member, account.id, { date: "2026-06-04", amount: "-7.00" });
    const after = await aTransaction(member, account.id, { date: "2026-06-06", amount: "-7.00" });
    const later = await aTransaction(member, account.id, { date: "2026-06-10", amount: "-7.00" });
    // 06-05 is one day from both 06-04 and 06-06 (a tie), 06-09 one day before 06-10; the
    // fourth 06-05 row finds no twin left and is booked.
    const csv = `${HEADER}2026-06-05;A;-7,00\n2026-06-09;B;-7,00\n2026-06-05;C;-7,00\n2026-06-05;D;-7,00\n`;
    const { result } = await importCsv(account.id, csv);
    expect(result).toMatchObject({ imported: 1, duplicates: 3 });
    expect(result.skipped).toEqual([
      { line: 2, reason: "matched", transactionId: before.id },
      { line: 3, reason: "matched", transactionId: later.id },
      { line: 4, reason: "matched", transactionId: after.id },
    ]);
  });

  it("tells apart rows of a statement written on one line (CAMT.053)", async () => {
    const account = await anAccount(member);
    const manual = await aTransaction(member, account.id, { date: "2026-07-01", amount: "-9.00" });
    const entry = (ref: string) =>
      `<Ntry><Amt Ccy="EUR">9.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>` +
      `<BookgDt><Dt>2026-07-02</Dt></BookgDt><AcctSvcrRef>${ref}</AcctSvcrRef></Ntry>`;
    const camt =
      '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">' +
      `<BkToCstmrStmt><Stmt>${entry("R1")}${entry("R2")}</Stmt></BkToCstmrStmt></Document>`;
    const up = await uploaded(account.id, camt, "one-line.xml");
    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.body).toMatchObject({ imported: 1, duplicates: 1 });
    expect((commit.body as Committed).skipped).toEqual([
      { line: 1, reason: "matched", transactionId: manual.id },
    ]);
  });

  it("leaves a bill fintrack posted itself to be replaced by the bank's booking", async () => {
    const account = await anAccount(member);
    const posted = await aTransaction(member, account.id, {
      date: "2026-08-01",
      amount: "-950.00",
    });
    const { rows } = await app.pool.query<{ id: string }>(
      `insert into recurring (name, account_id, amount, unit, every, start_date)
       values ('Rent', $1, -95000, 'month', 1, '2026-01-01') returning id::text`,
      [account.id],
    );
    await app.pool.query(
      `insert into recurring_occurrences (recurring_id, due_date, status, transaction_id, created)
       values ($1, '2026-08-01', 'posted', $2, true)`,
      [rows[0]?.id, posted.id],
    );
    const { result } = await importCsv(account.id, `${HEADER}2026-08-02;Landlord;-950,00\n`);
    expect(result).toMatchObject({ imported: 1, duplicates: 0 });
    expect((await member.get(`/transactions/${posted.id}`)).status).toBe(404);
    const balance = (await member.get(`/accounts/${account.id}`)).body as { balance: string };
    expect(balance.balance).toBe("-950.00");
  });
});
