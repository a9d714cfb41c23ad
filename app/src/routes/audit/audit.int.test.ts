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
import type { Account } from "../accounts/schema.ts";
import type { ReconciliationJson } from "../reconciliations/schema.ts";
import type { RuleJson } from "../rules/schema.ts";
import type { TransactionJson } from "../transactions/schema.ts";
import type { AuditEntry } from "./router.ts";

// What GET /audit?entity&id shows for the writes that are more than a single edit: the full
// load, reconciling and unlocking, bulk actions and undoing an import.
const db = useTestDatabase();
let app: LedgerTestApp;
let owner: TestClient;
let member: TestClient;

beforeAll(async () => {
  app = await startLedgerApp(db.url);
  owner = app.as(app.owner);
  member = app.as(app.member);
});
afterAll(async () => {
  await app.close();
});

function ok(res: TestResponse, status = 200): unknown {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${res.bytes.toString()}`);
  }
  return res.body;
}

/** One object's history through the API, newest first. */
async function audit(entity: string, id: string): Promise<AuditEntry[]> {
  return (ok(await member.get(`/audit?entity=${entity}&id=${id}`)) as { data: AuditEntry[] }).data;
}

async function transactionsOf(accountId: string): Promise<TransactionJson[]> {
  return (
    ok(await member.get(`/transactions?accountId=${accountId}`)) as { data: TransactionJson[] }
  ).data;
}

/** A multipart/form-data body with the given fields, the file last, as a browser sends it. */
function multipart(fields: Record<string, string>, filename: string, bytes: Uint8Array) {
  const boundary = "----fintrack-audit-boundary";
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = Buffer.from(
    parts.join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  return {
    bytes: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
  };
}

// First in the file: a full load needs an instance that holds nothing but its users.
describe("a full load", () => {
  it("records every loaded object as an import by the owner, with its state after", async () => {
    const document = {
      formatVersion: 1,
      exportedAt: "2026-02-01T09:00:00.000000Z",
      baseCurrency: "EUR",
      accounts: [
        {
          name: "Loaded checking",
          type: "checking",
          currency: "EUR",
          openingBalance: "100.00",
          openingDate: "2025-01-01",
          archived: false,
        },
      ],
      rules: [
        {
          name: "Loaded rule",
          position: 0,
          enabled: true,
          match: "all",
          stopProcessing: false,
          conditions: [{ field: "account", account: "Loaded checking" }],
          actions: [{ type: "addTag", tag: "loaded" }],
        },
      ],
      transactions: [
        {
          ref: 1,
          account: "Loaded checking",
          date: "2026-01-10",
          amount: "-12.50",
          payee: "Loaded shop",
          description: "",
          notes: "",
          category: null,
          tags: [],
          status: "reconciled",
          splits: [],
          transferGroup: null,
          externalId: null,
          importFingerprint: null,
        },
      ],
      reconciliations: [
        {
          account: "Loaded checking",
          statementDate: "2026-01-31",
          statementBalance: "87.50",
          status: "finished",
          createdAt: "2026-01-31T10:00:00.000000Z",
          finishedAt: "2026-01-31T10:05:00.000000Z",
          transactions: [1],
          adjustment: null,
        },
      ],
    };
    const body = multipart({}, "household.json", Buffer.from(JSON.stringify(document)));
    ok(await owner.send("POST", "/imports/full", body.bytes, body.headers));

    const accounts = (ok(await member.get("/accounts")) as { data: Account[] }).data;
    const account = accounts.find((a) => a.name === "Loaded checking");
    const [tx] = await transactionsOf(account?.id ?? "");
    const [rule] = (ok(await member.get("/rules")) as { data: RuleJson[] }).data;
    const [rec] = (
      ok(await member.get(`/accounts/${account?.id ?? ""}/reconciliations`)) as {
        data: ReconciliationJson[];
      }
    ).data;
    const loaded = { action: "import", actorId: app.owner.id, before: null };
    expect(await audit("account", account?.id ?? "")).toEqual([
      expect.objectContaining({
        ...loaded,
        after: expect.objectContaining({
          name: "Loaded checking",
          openingBalance: "100.00",
        }) as unknown,
      }),
    ]);
    expect(await audit("transaction", tx?.id ?? "")).toEqual([
      expect.objectContaining({
        ...loaded,
        after: expect.objectContaining({
          payee: "Loaded shop",
          amount: "-12.50",
          status: "reconciled",
        }) as unknown,
      }),
    ]);
    expect(await audit("rule", rule?.id ?? "")).toEqual([
      expect.objectContaining({
        ...loaded,
        after: expect.objectContaining({ name: "Loaded rule" }) as unknown,
      }),
    ]);
    expect(await audit("reconciliation", rec?.id ?? "")).toEqual([
      expect.objectContaining({
        ...loaded,
        after: expect.objectContaining({ status: "finished" }) as unknown,
      }),
    ]);
  });
});

describe("reconciling", () => {
  it("records the finish as reconcile and the unlock as unlock, each by who did it", async () => {
    const account = await anAccount(member, { openingBalance: "100.00" });
    const tx = await aTransaction(member, account.id, { amount: "-30.00", date: "2026-01-10" });
    const base = `/accounts/${account.id}/reconciliations`;
    const rec = ok(
      await member.post(base, { statementDate: "2026-01-31", statementBalance: "70.00" }),
      201,
    ) as ReconciliationJson;
    ok(await member.patch(`${base}/${rec.id}`, { tick: [tx.id] }));
    ok(await member.post(`${base}/${rec.id}/finish`));
    ok(await owner.post(`/transactions/${tx.id}/unlock`), 204);

    expect(await audit("transaction", tx.id)).toEqual([
      expect.objectContaining({
        action: "unlock",
        actorId: app.owner.id,
        before: expect.objectContaining({ status: "reconciled" }) as unknown,
        after: expect.objectContaining({ status: "cleared" }) as unknown,
      }),
      expect.objectContaining({
        action: "reconcile",
        actorId: app.member.id,
        before: expect.objectContaining({ status: "cleared" }) as unknown,
        after: expect.objectContaining({ status: "reconciled" }) as unknown,
      }),
      expect.objectContaining({ action: "create", actorId: app.member.id }),
    ]);
    expect(await audit("reconciliation", rec.id)).toEqual([
      expect.objectContaining({
        action: "reconcile",
        actorId: app.member.id,
        before: expect.objectContaining({ status: "open" }) as unknown,
        after: expect.objectContaining({ status: "finished" }) as unknown,
      }),
      expect.objectContaining({ action: "create", actorId: app.member.id }),
    ]);
  });
});

describe("bulk actions", () => {
  it("records categorise, tag and untag as updates and delete as deletes, by the caller", async () => {
    const account = await anAccount(member);
    const food = await aCategory(member, "Bulk audit food");
    const a = await aTransaction(member, account.id, { payee: "Bulk A" });
    const b = await aTransaction(member, account.id, { payee: "Bulk B" });
    const ids = [a.id, b.id];
    ok(await owner.post("/transactions/bulk", { ids, action: "categorise", categoryId: food.id }));
    ok(await member.post("/transactions/bulk", { ids, action: "tag", tag: "trip" }));
    ok(await owner.post("/transactions/bulk", { ids, action: "untag", tag: "trip" }));
    ok(await member.post("/transactions/bulk", { ids, action: "delete" }));

    for (const tx of [a, b]) {
      expect(await audit("transaction", tx.id)).toEqual([
        expect.objectContaining({
          action: "delete",
          actorId: app.member.id,
          before: expect.objectContaining({
            payee: tx.payee,
            categoryId: food.id,
            tags: [],
          }) as unknown,
          after: null,
        }),
        expect.objectContaining({
          action: "update",
          actorId: app.owner.id,
          before: expect.objectContaining({ tags: ["trip"] }) as unknown,
          after: expect.objectContaining({ tags: [] }) as unknown,
        }),
        expect.objectContaining({
          action: "update",
          actorId: app.member.id,
          before: expect.objectContaining({ tags: [] }) as unknown,
          after: expect.objectContaining({ tags: ["trip"] }) as unknown,
        }),
        expect.objectContaining({
          action: "update",
          actorId: app.owner.id,
          before: expect.objectContaining({ categoryId: null }) as unknown,
          after: expect.objectContaining({ categoryId: food.id }) as unknown,
        }),
        expect.objectContaining({ action: "create", actorId: app.member.id }),
      ]);
    }
  });
});

describe("undoing an import", () => {
  it("records each removed transaction as import_undo by who undid it, with its state before", async () => {
    const account = await anAccount(member);
    const csv = "Date;Payee;Amount\n2026-01-02;Undo bakery;-3,50\n2026-01-03;Undo shop;-10,00\n";
    const body = multipart({ accountId: account.id }, "undo.csv", Buffer.from(csv));
    const upload = ok(await member.send("POST", "/imports", body.bytes, body.headers), 201) as {
      id: string;
    };
    ok(await member.post(`/imports/${upload.id}/commit`, {}));
    const booked = await transactionsOf(account.id);
    expect(booked).toHaveLength(2);

    const undone = ok(await owner.delete(`/imports/${upload.id}`)) as { removed: number };
    expect(undone.removed).toBe(2);
    expect(await transactionsOf(account.id)).toEqual([]);
    for (const tx of booked) {
      expect(await audit("transaction", tx.id)).toEqual([
        expect.objectContaining({
          action: "import_undo",
          actorId: app.owner.id,
          before: expect.objectContaining({
            payee: tx.payee,
            amount: tx.amount,
            importId: upload.id,
          }) as unknown,
          after: null,
        }),
        expect.objectContaining({ action: "import", actorId: app.member.id, before: null }),
      ]);
    }
  });
});

describe("the order of the log", () => {
  it("lists newest first and pages on when entry ids differ in length (9999, 10000)", async () => {
    const account = await anAccount(member);
    const tx = await aTransaction(member, account.id, { payee: "Order 0" });
    // The next entries take ids 9999, 10000 and 10001: as text, "9999" sorts after "10001".
    await app.pool.query("select setval(pg_get_serial_sequence('audit_log', 'id'), 9998)");
    for (const payee of ["Order 1", "Order 2", "Order 3"]) {
      ok(await member.patch(`/transactions/${tx.id}`, { payee }));
    }
    const history = await audit("transaction", tx.id);
    expect(history.map((e) => [e.id, e.after?.payee])).toEqual([
      ["10001", "Order 3"],
      ["10000", "Order 2"],
      ["9999", "Order 1"],
      [expect.any(String) as unknown, "Order 0"],
    ]);
    const pages: string[] = [];
    let cursor = "";
    for (let i = 0; i < 4; i++) {
      const page = ok(
        await member.get(`/audit?entity=transaction&id=${tx.id}&limit=1${cursor}`),
      ) as { data: AuditEntry[]; nextCursor: string | null };
      pages.push(...page.data.map((e) => e.id));
      if (page.nextCursor === null) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
    expect(pages).toEqual(history.map((e) => e.id));
  });
});
