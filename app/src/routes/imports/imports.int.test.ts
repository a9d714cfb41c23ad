import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  aCategory,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";

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

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/imports/${name}`, import.meta.url));

const upload = (as: TestClient, accountId: string, name: string, bytes: Uint8Array) =>
  uploadBankFile(as, accountId, name, bytes);

interface Upload {
  id: string;
  format: string;
  encoding: string;
  rowCount: number;
}
interface Committed {
  imported: number;
  duplicates: number;
  skipped: { line: number; reason: string; transactionId: string | null }[];
}

async function importFile(accountId: string, name: string, bytes = fixture(name)) {
  const up = await upload(member, accountId, name, bytes);
  expect(up.status).toBe(201);
  const created = up.body as Upload;
  const commit = await member.post(`/imports/${created.id}/commit`, {});
  return { upload: created, status: commit.status, body: commit.body as Committed };
}

async function balance(accountId: string): Promise<string> {
  const res = await member.get(`/accounts/${accountId}`);
  return (res.body as { balance: string }).balance;
}

describe("CSV imports", () => {
  it("imports a German Windows-1252 CSV and books the exact amounts", async () => {
    const account = await anAccount(member);
    const {
      upload: up,
      status,
      body,
    } = await importFile(account.id, "german-semicolon-cp1252.csv");
    expect(up).toMatchObject({ format: "csv", encoding: "windows-1252", rowCount: 3 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ imported: 3, duplicates: 0 });
    expect(await balance(account.id)).toBe("2218.72");
  });

  it("shows Windows-1252 for a file whose first umlaut comes after the 64 KB sample", async () => {
    const account = await anAccount(member);
    const start = "Date;Payee;Amount\n" + "2026-01-02;Shop;-1,00\n".repeat(4000);
    const file = Buffer.concat([
      Buffer.from(start),
      Buffer.from("2026-01-03;B\xe4ckerei;-2,00\n", "latin1"),
    ]);
    const { upload: up, body } = await importFile(account.id, "late-umlaut.csv", file);
    expect(up).toMatchObject({ encoding: "windows-1252", rowCount: 4001 });
    expect(body).toMatchObject({ imported: 4001 });
    const listed = await member.get(`/imports/${up.id}`);
    expect(listed.body).toMatchObject({ encoding: "windows-1252" });
  });

  it("imports both identical coffees of one file, and nothing when the same file comes again", async () => {
    const account = await anAccount(member, { currency: "USD" });
    const first = await importFile(account.id, "us-credit-card.csv");
    expect(first.body).toMatchObject({ imported: 4, duplicates: 0 });
    const again = await importFile(account.id, "us-credit-card.csv");
    expect(again.body).toMatchObject({ imported: 0, duplicates: 4 });
    expect(again.body.skipped.map((s) => [s.line, s.reason])).toEqual([
      [2, "fingerprint"],
      [3, "fingerprint"],
      [4, "fingerprint"],
      [5, "fingerprint"],
    ]);
    expect(await balance(account.id)).toBe("-809.49");
  });

  it("imports only the new rows of an overlapping later statement", async () => {
    const account = await anAccount(member);
    const header = "Date;Payee;Amount\n";
    const jan = `${header}2026-01-02;Bakery;-3,50\n2026-01-03;Bakery;-3,50\n2026-01-04;Shop;-10,00\n`;
    const later = `${header}2026-01-03;Bakery;-3,50\n2026-01-04;Shop;-10,00\n2026-01-05;Shop;-7,00\n`;
    await importFile(account.id, "jan.csv", Buffer.from(jan));
    const second = await importFile(account.id, "later.csv", Buffer.from(later));
    expect(second.body).toMatchObject({ imported: 1, duplicates: 2 });
  });

  it("matches a hand-entered transaction to its imported twin instead of booking it twice", async () => {
    const account = await anAccount(member);
    const manual = await aTransaction(member, account.id, {
      date: "2026-01-04",
      amount: "-10.00",
      payee: "Groceries",
    });
    const csv = "Date;Payee;Amount\n2026-01-04;SHOP 123 BERLIN;-10,00\n2026-01-05;Shop;-7,00\n";
    const result = await importFile(account.id, "twin.csv", Buffer.from(csv));
    expect(result.body).toMatchObject({ imported: 1, duplicates: 1 });
    expect(result.body.skipped).toEqual([{ line: 2, reason: "matched", transactionId: manual.id }]);
    const again = await importFile(account.id, "twin.csv", Buffer.from(csv));
    expect(again.body).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it("writes nothing and names every bad row by line and column when one row is invalid", async () => {
    const account = await anAccount(member);
    const csv =
      "Date;Payee;Amount\n2026-01-02;A;-1,00\n2026-13-45;B;-2,00\n2026-01-04;C;abc\n2026-01-05;D;-4,00\n";
    const up = await upload(member, account.id, "bad.csv", Buffer.from(csv));
    const id = (up.body as Upload).id;
    const commit = await member.post(`/imports/${id}/commit`, {});
    expect(commit.status).toBe(422);
    expect(commit.headers.get("content-type")).toContain("application/problem+json");
    expect((commit.body as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ line: 3, column: "Date" }),
      expect.objectContaining({ line: 4, column: "Amount" }),
    ]);
    expect(await balance(account.id)).toBe("0.00");
    const state = await member.get(`/imports/${id}`);
    expect(state.body).toMatchObject({ status: "uploaded", imported: 0 });
  });

  it("refuses a second commit of a committed import", async () => {
    const account = await anAccount(member);
    const { upload: up } = await importFile(account.id, "dutch-af-bij.csv");
    const again = await member.post(`/imports/${up.id}/commit`, {});
    expect(again.status).toBe(409);
  });
});

describe("a large import", () => {
  it("refreshes the planner's statistics of the ledger, counting the rows it booked", async () => {
    const account = await anAccount(member);
    const rows = Array.from(
      { length: 12_000 },
      (_, i) => `2026-02-${String((i % 28) + 1).padStart(2, "0")},Shop ${i},-${(i % 900) + 1}.25`,
    );
    const statsOf = async () => {
      const { rows: found } = await app.pool.query<{ analyzed: Date | null; tuples: number }>(
        `select s.last_analyze as analyzed, c.reltuples::float8 as tuples
         from pg_stat_user_tables s join pg_class c on c.oid = s.relid
         where s.relname = 'transactions'`,
      );
      return found[0];
    };
    const before = await statsOf();
    const small = await importFile(
      account.id,
      "small.csv",
      Buffer.from(`Date,Payee,Amount\n${rows.slice(0, 5).join("\n")}\n`),
    );
    expect(small.body).toMatchObject({ imported: 5 });
    expect((await statsOf())?.analyzed).toEqual(before?.analyzed);

    const large = await importFile(
      account.id,
      "large.csv",
      Buffer.from(`Date,Payee,Amount\n${rows.join("\n")}\n`),
    );
    expect(large.body).toMatchObject({ imported: 11_995, duplicates: 5 });
    const after = await statsOf();
    expect(after?.analyzed).toBeInstanceOf(Date);
    expect(after?.analyzed).not.toEqual(before?.analyzed);
    // Analysed inside the import's own transaction, the booked rows are counted.
    expect(after?.tuples).toBeGreaterThanOrEqual(12_000);
  });
});

describe("undo and list", () => {
  it("undoes an import, and refuses when one of its transactions is reconciled", async () => {
    const account = await anAccount(member);
    const { upload: up } = await importFile(account.id, "dutch-af-bij.csv");
    expect(await balance(account.id)).toBe("2472.35");
    const undone = await member.delete(`/imports/${up.id}`);
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ status: "undone", removed: 3 });
    expect(await balance(account.id)).toBe("0.00");

    const second = await importFile(account.id, "dutch-af-bij.csv");
    expect(second.body.imported).toBe(3);
    await app.pool.query("update transactions set status = 'reconciled' where import_id = $1", [
      second.upload.id,
    ]);
    expect((await member.delete(`/imports/${second.upload.id}`)).status).toBe(409);
  });

  it("discards an upload set aside: its file goes, the list leaves it out, it cannot be committed", async () => {
    const account = await anAccount(member);
    const up = await upload(member, account.id, "dutch-af-bij.csv", fixture("dutch-af-bij.csv"));
    const id = (up.body as Upload).id;
    const pieces = async () => {
      const { rows } = await app.pool.query<{ n: number }>(
        `select (select count(*) from import_chunks where import_id = $1)::int
              + (select count(*) from import_prepared_chunks where import_id = $1)::int as n`,
        [id],
      );
      return rows[0]?.n;
    };
    expect(await pieces()).toBeGreaterThan(0);

    const discarded = await member.post(`/imports/${id}/discard`, {});
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({ id, status: "discarded", imported: 0 });
    expect(await pieces()).toBe(0);
    const listed = (await member.get("/imports?limit=500")).body as { data: Upload[] };
    expect(listed.data.map((i) => i.id)).not.toContain(id);
    // Sent again (a lost answer retried), it answers the same.
    expect((await member.post(`/imports/${id}/discard`, {})).status).toBe(200);
    expect((await member.post(`/imports/${id}/commit`, {})).status).toBe(409);
    expect((await member.delete(`/imports/${id}`)).status).toBe(409);
    expect((await app.as(app.viewer).post(`/imports/${id}/discard`, {})).status).toBe(403);
    expect((await member.post("/imports/999999999/discard", {})).status).toBe(404);
  });

  it("never discards what was booked: a committed or undone import is refused with 409", async () => {
    const account = await anAccount(member);
    const { upload: up } = await importFile(account.id, "dutch-af-bij.csv");
    const refused = await member.post(`/imports/${up.id}/discard`, {});
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(await balance(account.id)).toBe("2472.35");
    expect((await member.delete(`/imports/${up.id}`)).status).toBe(200);
    expect((await member.post(`/imports/${up.id}/discard`, {})).status).toBe(409);
    const listed = (await member.get("/imports?limit=500")).body as { data: Upload[] };
    expect(listed.data.find((i) => i.id === up.id)).toMatchObject({ status: "undone" });
  });

  it("lists past imports newest first, and a viewer may read but not upload", async () => {
    const account = await anAccount(member);
    await importFile(account.id, "splits.qif");
    const list = await app.as(app.viewer).get("/imports");
    expect(list.status).toBe(200);
    expect((list.body as { data: Upload[] }).data[0]).toMatchObject({ format: "qif" });
    const refused = await upload(app.as(app.viewer), account.id, "x.csv", Buffer.from("a,b\n"));
    expect(refused.status).toBe(403);
  });
});

describe("structured formats", () => {
  it("imports OFX by FITID and skips every row of the same statement the second time", async () => {
    const account = await anAccount(member, { currency: "USD" });
    const first = await importFile(account.id, "ofx1-sgml.ofx");
    expect(first.body).toMatchObject({ imported: 3, duplicates: 0 });
    const second = await importFile(account.id, "ofx1-sgml.ofx");
    expect(second.body).toMatchObject({ imported: 0, duplicates: 3 });
    expect(second.body.skipped.every((s) => s.reason === "bank_id")).toBe(true);
  });

  it("refuses an OFX file in another currency than the account, writing nothing", async () => {
    const account = await anAccount(member);
    const result = await importFile(account.id, "ofx1-sgml.ofx");
    expect(result.status).toBe(422);
    expect(await balance(account.id)).toBe("0.00");
  });

  it("books QIF splits as split lines", async () => {
    const account = await anAccount(member);
    const result = await importFile(account.id, "splits.qif");
    expect(result.body, JSON.stringify(result.body)).toMatchObject({ imported: 3 });
    const { rows } = await app.pool.query<{ n: number }>(
      `select count(*)::int as n from transaction_splits s join transactions t on t.id = s.transaction_id
       where t.account_id = $1`,
      [account.id],
    );
    expect(rows[0]?.n).toBe(2);
  });

  it("imports CAMT.053 batch payments and MT940 entries", async () => {
    const account = await anAccount(member);
    expect((await importFile(account.id, "batch.camt053.xml")).body.imported).toBe(4);
    expect((await importFile(account.id, "multiline.mt940")).body.imported).toBe(3);
  });
});

describe("bad files", () => {
  it("answers 422 for a hostile XML with a DOCTYPE and stores nothing", async () => {
    const account = await anAccount(member);
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' +
      "<Document><BkToCstmrStmt><Stmt><Ntry>&lol2;</Ntry></Stmt></BkToCstmrStmt></Document>";
    const res = await upload(member, account.id, "bomb.xml", Buffer.from(bomb));
    expect(res.status).toBe(422);
    const { rows } = await app.pool.query<{ n: number }>(
      "select count(*)::int as n from imports where account_id is null",
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("answers 404 for an account that does not exist", async () => {
    const res = await upload(member, "999999", "x.csv", fixture("us-credit-card.csv"));
    expect(res.status).toBe(404);
  });
});

describe("exports", () => {
  it("exports transactions as RFC 4180 CSV with formulas neutralised", async () => {
    const account = await anAccount(member);
    await aTransaction(member, account.id, {
      date: "2026-01-02",
      amount: "-1.50",
      payee: '=HYPERLINK("x")',
    });
    const res = await member.get(`/exports/transactions.csv?accountId=${account.id}`);
    expect(res.status).toBe(200);
    const text = res.bytes.toString("utf8");
    expect(text.split("\r\n")[1]).toContain(
      `2026-01-02,${account.name},-1.50,EUR,"'=HYPERLINK(""x"")"`,
    );
  });
});

describe("mapping profiles", () => {
  const mapping = {
    hasHeader: true,
    skipRows: 0,
    dateColumn: 0,
    dateFormat: "YYYY-MM-DD",
    amountColumn: 2,
    decimalSeparator: ".",
    thousandsSeparator: "",
    payeeColumn: 1,
    descriptionColumns: [],
    invertSign: true,
  };

  it("saves a named profile, replaces it by name, lists it and reuses it in a commit", async () => {
    const saved = await member.post("/import-profiles", { name: "Odd bank", mapping });
    expect(saved.status).toBe(200);
    const replaced = await member.post("/import-profiles", {
      name: "odd BANK",
      mapping: { ...mapping, invertSign: false },
    });
    const profile = replaced.body as { id: string; name: string };
    expect(profile.id).toBe((saved.body as { id: string }).id);
    const listed = await member.get("/import-profiles");
    expect((listed.body as { data: { name: string }[] }).data.map((p) => p.name)).toContain(
      "odd BANK",
    );

    const account = await anAccount(member);
    // Headers no suggestion understands: only the profile says which column is what.
    const file = Buffer.from(
      "Tag,Wer,Wieviel\n2026-02-01,Bakery,-3.50\n2026-02-02,Salary,100.00\n",
    );
    const up = await upload(member, account.id, "odd.csv", file);
    expect(up.status).toBe(201);
    const commit = await member.post(`/imports/${(up.body as Upload).id}/commit`, {
      profileId: profile.id,
    });
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ imported: 2 });
    expect(await balance(account.id)).toBe("96.50");
  });

  it("deletes a profile, then answers 404 for it and for a commit that names it", async () => {
    const saved = await member.post("/import-profiles", { name: "Short-lived", mapping });
    const id = (saved.body as { id: string }).id;
    expect((await member.delete(`/import-profiles/${id}`)).status).toBe(204);
    expect((await member.delete(`/import-profiles/${id}`)).status).toBe(404);
    const account = await anAccount(member);
    const up = await upload(member, account.id, "x.csv", Buffer.from("a,b,c\n2026-01-01,x,1\n"));
    const commit = await member.post(`/imports/${(up.body as Upload).id}/commit`, {
      profileId: id,
    });
    expect(commit.status).toBe(404);
  });
});

describe("size and encoding limits", () => {
  it("refuses a file with a 10 MB line with 422 and stores nothing", async () => {
    const account = await anAccount(member);
    const file = Buffer.concat([
      Buffer.from("Date,Payee,Amount\n2026-01-01,"),
      Buffer.alloc(10 * 1024 * 1024, "x"),
      Buffer.from(",1.00\n"),
    ]);
    const res = await upload(member, account.id, "long.csv", file);
    expect(res.status).toBe(422);
    const { rows } = await app.pool.query<{ n: number }>(
      "select count(*)::int as n from imports where account_id = $1",
      [account.id],
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("refuses an upload over 50 MB with 413 and keeps none of it", async () => {
    const account = await anAccount(member);
    const line = "2026-01-01,Shop,-1.00\n";
    const file = Buffer.from(line.repeat(Math.ceil((51 * 1024 * 1024) / line.length)));
    const chunks = async () =>
      (await app.pool.query<{ n: number }>("select count(*)::int as n from import_chunks")).rows[0]
        ?.n;
    const imports = async () =>
      (await app.pool.query<{ n: number }>("select count(*)::int as n from imports")).rows[0]?.n;
    const before = [await chunks(), await imports()];
    const res = await upload(member, account.id, "big.csv", file);
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((res.body as { detail: string }).detail).toBe("the body exceeds 50 MB");
    expect([await chunks(), await imports()]).toEqual(before);
    expect(await balance(account.id)).toBe("0.00");
  });

  it("imports UTF-16 files, little and big endian, with umlauts intact", async () => {
    const text = "Date,Payee,Amount\n2026-03-01,Bäckerei Müller,-2.40\n2026-03-02,Café,-1.10\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    for (const [bytes, encoding] of [
      [le, "utf-16le"],
      [be, "utf-16be"],
    ] as const) {
      const account = await anAccount(member);
      const { upload: up, body } = await importFile(account.id, "utf16.csv", bytes);
      expect(up.encoding).toBe(encoding);
      expect(body).toMatchObject({ imported: 2 });
      const res = await member.get(`/transactions?accountId=${account.id}`);
      const payees = (res.body as { data: { payee: string }[] }).data.map((t) => t.payee);
      expect(payees.sort()).toEqual(["Bäckerei Müller", "Café"]);
    }
  });
});

describe("rules and audit on imported rows", () => {
  it("runs the household's rules on every imported row and audits the rows as an import", async () => {
    const coffee = await aCategory(member, "Coffee imports");
    const rule = await member.post("/rules", {
      name: "Starbucks",
      conditions: [{ field: "description", op: "matches", value: "starbucks" }],
      actions: [{ type: "setCategory", categoryId: coffee.id }],
    });
    expect(rule.status).toBe(201);
    const account = await anAccount(member, { currency: "USD" });
    const { body } = await importFile(account.id, "us-credit-card.csv");
    expect(body).toMatchObject({ imported: 4 });
    const { rows } = await app.pool.query<{ payee: string; category: string | null; id: string }>(
      `select id::text, coalesce(payee, '') || ' ' || coalesce(description, '') as payee,
         category_id::text as category from transactions
       where account_id = $1 order by id`,
      [account.id],
    );
    const starbucks = rows.filter((r) => /starbucks/i.test(r.payee));
    expect(starbucks.length).toBe(2);
    expect(starbucks.every((r) => r.category === coffee.id)).toBe(true);
    expect(rows.filter((r) => r.category === coffee.id).length).toBe(2);
    const audit = await member.get(`/audit?entity=transaction&id=${starbucks[0]?.id ?? ""}`);
    const actions = (audit.body as { data: { action: string }[] }).data.map((e) => e.action);
    expect(actions).toContain("import");
    await member.delete(`/rules/${(rule.body as { id: string }).id}`);
  });
});
