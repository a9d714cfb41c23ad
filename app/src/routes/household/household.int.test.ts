import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { pngBytes } from "../../../test/fixtures/attachments.ts";
import {
  anAccount,
  aCategory,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
} from "../../../test/harness/ledger.ts";
import { withTransaction } from "../../db/transaction.ts";
import type { ProblemDetails } from "../../errors.ts";
import { addStarterCategories } from "../../write-model/starter-categories.ts";
import type { Account } from "../accounts/schema.ts";
import type { TransactionJson } from "../transactions/schema.ts";

// Two instances of the app on two databases: the source household and the one it is loaded into.
const sourceDb = useTestDatabase();
const targetDb = useTestDatabase();
let source: LedgerTestApp;
let target: LedgerTestApp;
let owner: TestClient;
let notOwners: TestClient[];
let into: TestClient;

beforeAll(async () => {
  // The harness keeps test tokens by user id, which both instances share: each instance's
  // clients are taken before the next instance is started.
  source = await startLedgerApp(sourceDb.url);
  owner = source.as(source.owner);
  notOwners = [
    source.as(source.member, "write"),
    source.as(source.viewer, "read"),
    source.as(source.owner, "read"),
  ];
  target = await startLedgerApp(targetDb.url);
  into = target.as(target.owner);
});
afterAll(async () => {
  await source.close();
  await target.close();
});

/** A multipart/form-data body with the document as the field `file`, as a browser sends it. */
function upload(as: TestClient, document: string | Buffer): Promise<TestResponse> {
  const boundary = "----fintrack-household-boundary";
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="household.json"\r\n` +
        "Content-Type: application/json\r\n\r\n",
    ),
    Buffer.isBuffer(document) ? document : Buffer.from(document),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return as.send("POST", "/imports/full", body, {
    "Content-Type": `multipart/form-data; boundary=${boundary}`,
  });
}

function ok(res: TestResponse, what: string): unknown {
  if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${res.bytes.toString()}`);
  return res.body;
}

function put(as: TestClient, path: string, json: unknown): Promise<TestResponse> {
  return as.send("PUT", path, Buffer.from(JSON.stringify(json)), {
    "Content-Type": "application/json",
  });
}

/** Builds, through the API, a household with every kind of object the export carries. */
async function aFullHousehold(as: TestClient) {
  const checking = await anAccount(as, {
    name: "Girokonto",
    openingBalance: "1000.00",
    iban: "de89 3704 0044 0532 0130 00",
  });
  const savings = await anAccount(as, { name: "Dollar savings", currency: "USD" });
  const cash = await anAccount(as, { name: "Yen cash", currency: "JPY", type: "cash" });
  const old = await anAccount(as, { name: "Old card", type: "credit_card", archived: true });
  ok(await as.patch(`/accounts/${old.id}`, { closedOn: "2025-12-31" }), "closing Old card");
  const food = await aCategory(as, "Food");
  const groceries = await aCategory(as, "Groceries", { parentId: food.id });
  const salary = await aCategory(as, "Salary", { kind: "income" });

  ok(await put(as, "/budgets/settings", { monthStartDay: 25 }), "budget settings");
  ok(
    await put(as, "/budgets?month=2026-01", {
      lines: [
        { categoryId: food.id, amount: "300.00", rollover: true },
        { categoryId: groceries.id, amount: "120.50" },
      ],
    }),
    "budgets",
  );
  ok(
    await as.post("/exchange-rates", { currency: "USD", date: "2026-01-01", rate: "0.9213" }),
    "rate",
  );
  ok(
    await as.post("/exchange-rates", { currency: "JPY", date: "2026-01-01", rate: "0.0061" }),
    "rate",
  );
  ok(
    await as.post("/rules", {
      name: "Market is groceries",
      conditions: [
        { field: "account", accountId: checking.id },
        { field: "payee", op: "matches", value: "^market" },
      ],
      actions: [
        { type: "setCategory", categoryId: groceries.id },
        { type: "addTag", tag: "food" },
      ],
      stopProcessing: true,
    }),
    "rule",
  );
  ok(
    await as.post("/import-profiles", {
      name: "Sparkasse CSV",
      mapping: {
        hasHeader: true,
        skipRows: 0,
        delimiter: ";",
        dateColumn: 0,
        dateFormat: "DD.MM.YYYY",
        amountColumn: 3,
        decimalSeparator: ",",
        thousandsSeparator: ".",
        payeeColumn: 1,
      },
    }),
    "import profile",
  );

  await aTransaction(as, checking.id, {
    date: "2026-01-02",
    amount: "2500.00",
    payee: "Employer",
    categoryId: salary.id,
    tags: ["work", "monthly"],
  });
  const split = await aTransaction(as, checking.id, {
    date: "2026-01-05",
    amount: "-80.00",
    payee: "Market \u00c4pfel",
    notes: "line one\nline two",
    tags: ["food"],
    splits: [
      { amount: "-50.00", categoryId: groceries.id, memo: "weekly" },
      { amount: "-30.00", categoryId: food.id },
    ],
  });
  const transfer = await aTransaction(as, checking.id, {
    date: "2026-01-06",
    amount: "-100.00",
    payee: "To savings",
    transfer: { accountId: savings.id, amount: "108.50" },
  });
  await aTransaction(as, cash.id, { date: "2026-01-07", amount: "-1500", payee: "Ramen" });
  ok(
    await as.send(
      "POST",
      `/transactions/${split.id}/attachments?filename=receipt.png`,
      pngBytes(),
      {
        "Content-Type": "image/png",
      },
    ),
    "attachment",
  );

  const rent = ok(
    await as.post("/recurring", {
      name: "Rent",
      accountId: checking.id,
      amount: "-700.00",
      payee: "Landlord",
      unit: "month",
      startDate: "2026-01-01",
      dayOfMonth: 1,
    }),
    "recurring",
  ) as { id: string };
  ok(await as.post(`/recurring/${rent.id}/occurrences/2026-01-01/post`, {}), "post occurrence");
  ok(await as.post(`/recurring/${rent.id}/occurrences/2026-02-01/skip`, {}), "skip occurrence");

  const reconciliation = ok(
    await as.post(`/accounts/${checking.id}/reconciliations`, {
      statementDate: "2026-01-06",
      statementBalance: "2600.00",
    }),
    "reconciliation",
  ) as { id: string };
  const ticked = (
    (await as.get(`/transactions?accountId=${checking.id}&limit=100`)).body as {
      data: TransactionJson[];
    }
  ).data
    .filter((t) => t.date <= "2026-01-06")
    .map((t) => t.id);
  ok(
    await as.patch(`/accounts/${checking.id}/reconciliations/${reconciliation.id}`, {
      tick: ticked,
    }),
    "tick",
  );
  ok(
    await as.post(`/accounts/${checking.id}/reconciliations/${reconciliation.id}/finish`, {
      adjust: true,
    }),
    "finish",
  );
  ok(
    await as.post(`/accounts/${cash.id}/reconciliations`, {
      statementDate: "2026-01-31",
      statementBalance: "-1500",
    }),
    "open reconciliation",
  );
  return { checking, savings, cash, transfer };
}

/** The export with its one moment-dependent value blanked: what a round trip must keep. */
function normalised(bytes: Buffer): string {
  return bytes
    .toString("utf8")
    .replace(/^\{"formatVersion":1,\n"exportedAt":"[^"]+"/, '{"formatVersion":1,\n"exportedAt":""');
}

async function balances(as: TestClient): Promise<Record<string, string>> {
  const res = await as.get("/accounts");
  return Object.fromEntries((res.body as { data: Account[] }).data.map((a) => [a.name, a.balance]));
}

interface HouseholdDocument {
  formatVersion: number;
  exportedAt: string;
  baseCurrency: string;
  accounts: Record<string, unknown>[];
  categories: unknown[];
  transactions: {
    ref: number;
    account: string;
    amount: string;
    splits: unknown[];
    transferGroup: string | null;
    status: string;
    attachments?: { sha256: string; content: string }[];
  }[];
  reconciliations: { transactions: number[]; adjustment: number | null; status: string }[];
  recurring: { history: { transaction: number | null; status: string }[] }[];
  [section: string]: unknown;
}

describe("the household export and load", () => {
  let first: Buffer;

  beforeAll(async () => {
    await aFullHousehold(owner);
    // Enough more rows to cross the export's cursor pages and the load's batches.
    await source.pool.query(
      `insert into transactions (account_id, booking_date, amount, currency, payee, tags)
       select a.id, date '2025-06-01' + (n % 200), -n, 'JPY', 'Bulk ' || n, array['bulk']
       from generate_series(1, 2500) n, accounts a where a.name = 'Yen cash'`,
    );
    const res = await owner.get("/exports/full.json?attachments=true");
    expect(res.status).toBe(200);
    first = res.bytes;
  });

  it("exports every kind of object under stable names, in a fixed order", () => {
    const doc = JSON.parse(first.toString("utf8")) as HouseholdDocument;
    expect(Object.keys(doc)).toEqual([
      "formatVersion",
      "exportedAt",
      "baseCurrency",
      "accounts",
      "categories",
      "budgetSettings",
      "budgets",
      "exchangeRates",
      "rules",
      "importProfiles",
      "transactions",
      "recurring",
      "reconciliations",
    ]);
    expect(doc.formatVersion).toBe(1);
    // A closed account carries its closing day; open ones leave the key out.
    expect(doc.accounts.find((a) => a.name === "Old card")).toMatchObject({
      archived: true,
      closedOn: "2025-12-31",
    });
    expect(doc.accounts.filter((a) => "closedOn" in a)).toHaveLength(1);
    // An account's IBAN travels normalised; accounts without one leave the key out.
    expect(doc.accounts.find((a) => a.name === "Girokonto")?.iban).toBe("DE89370400440532013000");
    expect(doc.accounts.filter((a) => "iban" in a)).toHaveLength(1);
    expect(doc.categories).toEqual([
      { path: ["Food"], kind: "expense" },
      { path: ["Food", "Groceries"], kind: "expense" },
      { path: ["Salary"], kind: "income" },
    ]);
    expect(doc.budgetSettings).toEqual({ monthStartDay: 25, rolloverCategories: [["Food"]] });
    expect(doc.rules).toEqual([
      expect.objectContaining({
        conditions: [
          { field: "account", account: "Girokonto" },
          { field: "payee", op: "matches", value: "^market" },
        ],
        actions: [
          { type: "setCategory", category: ["Food", "Groceries"] },
          { type: "addTag", tag: "food" },
        ],
      }),
    ]);
    const txs = doc.transactions;
    expect(txs).toHaveLength(2500 + 7);
    expect(txs.map((t) => t.ref)).toEqual(txs.map((_t, i) => i + 1));
    const sides = txs.filter((t) => t.transferGroup !== null);
    expect(sides.map((t) => [t.account, t.amount])).toEqual([
      ["Girokonto", "-100.00"],
      ["Dollar savings", "108.50"],
    ]);
    expect(sides[0]?.transferGroup).toBe(sides[1]?.transferGroup);
    const split = txs.find((t) => t.splits.length > 0);
    expect(split?.attachments).toHaveLength(1);
    expect(Buffer.from(split?.attachments?.[0]?.content ?? "", "base64")).toEqual(pngBytes());
    const [finished, open] = doc.reconciliations;
    expect(finished?.status).toBe("finished");
    expect(finished?.adjustment).not.toBeNull();
    expect(finished?.transactions.length).toBeGreaterThanOrEqual(4);
    expect(open?.status).toBe("open");
    expect(doc.recurring[0]?.history.map((h) => h.status)).toEqual(["posted", "skipped"]);
    expect(first.toString("utf8")).not.toMatch(/"id"\s*:/);
  });

  it("leaves the receipts out unless asked for", async () => {
    const res = await owner.get("/exports/full.json");
    const doc = JSON.parse(res.bytes.toString("utf8")) as HouseholdDocument;
    expect(doc.transactions.some((t) => "attachments" in t)).toBe(false);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="fintrack-/);
  });

  it("is the owner's alone", async () => {
    for (const client of notOwners) {
      expect((await client.get("/exports/full.json")).status).toBe(403);
      expect((await upload(client, "{}")).status).toBe(403);
    }
  });

  it("loads into an empty instance and exports the same bytes again, but for exportedAt", async () => {
    const res = await upload(into, first);
    expect(res.status, res.bytes.toString()).toBe(200);
    expect(res.body).toEqual({
      accounts: 4,
      categories: 3,
      budgets: 2,
      exchangeRates: 2,
      rules: 1,
      importProfiles: 1,
      transactions: 2507,
      attachments: 1,
      recurring: 1,
      reconciliations: 2,
    });
    const again = await into.get("/exports/full.json?attachments=true");
    expect(normalised(again.bytes)).toBe(normalised(first));
    const loaded = ((await into.get("/accounts")).body as { data: Account[] }).data;
    expect(loaded.find((a) => a.name === "Girokonto")?.iban).toBe("DE89 3704 0044 0532 0130 00");
    expect(again.bytes.toString()).not.toBe(first.toString());
  });

  it("keeps the trigger-kept balances and report aggregates of the source", async () => {
    expect(await balances(into)).toEqual(await balances(owner));
    const aggregates = `select (select json_agg(c order by c.currency, c.day, c.inflow)
        from (select currency, day, inflow, outflow from category_days) c) as days,
      (select json_agg(w order by w.currency, w.week, w.inflow)
        from (select currency, week, inflow, outflow from category_weeks) w) as weeks,
      (select json_agg(m order by m.month, m.amount)
        from (select month, amount from account_months) m) as months,
      (select json_agg(t order by t.tag, t.day) from (select tag, day, inflow from tag_days) t) as tags`;
    const [before, after] = await Promise.all([
      source.pool.query(aggregates),
      target.pool.query(aggregates),
    ]);
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it("records the load in the audit log as an import by the caller", async () => {
    const { rows } = await target.pool.query<{ entity: string; n: number }>(
      `select entity, count(*)::int as n from audit_log
       where action = 'import' and actor_id = $1 group by entity order by entity`,
      [target.owner.id],
    );
    expect(rows).toEqual([
      { entity: "account", n: 4 },
      { entity: "reconciliation", n: 2 },
      { entity: "rule", n: 1 },
      { entity: "transaction", n: 2507 },
      { entity: "transaction_split", n: 1 },
    ]);
  });

  it("refuses a second load: the instance is no longer empty", async () => {
    const res = await upload(into, first);
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((res.body as ProblemDetails).detail).toMatch(/accounts, categories, transactions/);
  });
});

describe("loading a document with problems", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let as: TestClient;
  let base: HouseholdDocument;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    as = app.as(app.owner);
    // A small household of the first instance's, exported as the starting point of each case.
    base = JSON.parse(
      (await owner.get("/exports/full.json")).bytes.toString("utf8"),
    ) as HouseholdDocument;
    base.transactions = base.transactions.filter((t) => !t.account.startsWith("Yen"));
    base.reconciliations = [];
    base.recurring = [];
  });
  afterAll(async () => {
    await app.close();
  });

  async function expectEmpty(): Promise<void> {
    const { rows } = await app.pool.query<{ n: number }>(
      "select (select count(*) from accounts) + (select count(*) from categories) as n",
    );
    expect(Number(rows[0]?.n)).toBe(0);
  }

  it("names the field of a bad element by its path, and writes nothing", async () => {
    const doc = structuredClone(base);
    const tx = doc.transactions[1];
    if (tx === undefined) throw new Error("no transaction");
    tx.amount = "-12.345";
    const res = await upload(as, JSON.stringify(doc));
    expect(res.status).toBe(422);
    expect((res.body as ProblemDetails).errors).toEqual([
      { path: "body.transactions[1].amount", message: expect.any(String) as string },
    ]);
    await expectEmpty();
  });

  it("refuses references to objects the document does not hold", async () => {
    const doc = structuredClone(base);
    const tx = doc.transactions[0];
    if (tx === undefined) throw new Error("no transaction");
    tx.account = "Nowhere";
    const res = await upload(as, JSON.stringify(doc));
    expect(res.status).toBe(422);
    expect((res.body as ProblemDetails).errors?.[0]?.path).toBe("body.transactions[0].account");
    await expectEmpty();
  });

  it("refuses half a transfer, naming its group", async () => {
    const doc = structuredClone(base);
    const index = doc.transactions.findIndex((t) => t.transferGroup !== null);
    doc.transactions = doc.transactions.filter((t, i) => i <= index || t.transferGroup === null);
    const res = await upload(as, JSON.stringify(doc));
    expect(res.status).toBe(422);
    expect((res.body as ProblemDetails).errors).toEqual([
      {
        path: `body.transactions[${index}].transferGroup`,
        message: "is shared by 1 transactions; a transfer has two sides",
      },
    ]);
    await expectEmpty();
  });

  it("refuses sections out of order, other versions and unknown keys", async () => {
    const { formatVersion, exportedAt, baseCurrency, accounts, categories, ...rest } = base;
    const swapped = { formatVersion, exportedAt, baseCurrency, categories, accounts, ...rest };
    const cases: [string, string][] = [
      [JSON.stringify(swapped), "body.accounts"],
      [JSON.stringify({ ...base, formatVersion: 2 }), "body.formatVersion"],
      [JSON.stringify({ ...base, baseCurrency: "USD" }), "body.baseCurrency"],
      [JSON.stringify({ ...base, extra: [] }), "body.extra"],
      [
        JSON.stringify({ ...base, accounts: [{ ...accounts[0], colour: "red" }] }),
        "body.accounts[0]",
      ],
      [
        JSON.stringify({
          ...base,
          accounts: [{ ...accounts[0], archived: false, closedOn: "2026-01-31" }],
        }),
        "body.accounts[0].closedOn",
      ],
      [
        JSON.stringify({ ...base, accounts: [{ ...accounts[0], iban: "DE88370400440532013000" }] }),
        "body.accounts[0].iban",
      ],
      [
        JSON.stringify({
          ...base,
          accounts: [
            { ...accounts[0], name: "A", iban: "DE89370400440532013000" },
            { ...accounts[0], name: "B", iban: "DE89370400440532013000" },
          ],
        }),
        "body.accounts[1].iban",
      ],
    ];
    for (const [doc, path] of cases) {
      const res = await upload(as, doc);
      expect(res.status, doc.slice(0, 80)).toBe(422);
      expect((res.body as ProblemDetails).errors?.[0]?.path).toBe(path);
    }
    await expectEmpty();
  });

  it("refuses a body that is not one whole JSON document", async () => {
    const whole = JSON.stringify(base);
    for (const doc of [whole.slice(0, whole.length / 2), "[]", "not json"]) {
      const res = await upload(as, doc);
      expect(res.status).toBe(422);
      expect((res.body as ProblemDetails).code).toBe("import_unreadable");
    }
    const missing = await as.send("POST", "/imports/full", Buffer.from("{}"), {
      "Content-Type": "application/json",
    });
    expect(missing.status).toBe(415);
    await expectEmpty();
  });

  it("counts an instance holding only a category as not empty", async () => {
    await app.pool.query("insert into categories (name, kind) values ('Stray', 'expense')");
    const res = await upload(as, JSON.stringify(base));
    expect(res.status).toBe(409);
    expect((res.body as ProblemDetails).detail).toMatch(/\(it has categories\)/);
    await app.pool.query("delete from categories");
  });

  it("counts a starter tree someone changed as not empty", async () => {
    await withTransaction(app.pool, (client) => addStarterCategories(client, "nl"));
    await app.pool.query("update categories set name = 'Benzine' where name = 'Brandstof'");
    const res = await upload(as, JSON.stringify(base));
    expect(res.status).toBe(409);
    expect((res.body as ProblemDetails).detail).toMatch(/\(it has categories\)/);
    // Back as registration left it, for the next case.
    await app.pool.query("update categories set name = 'Brandstof' where name = 'Benzine'");
  });

  it("loads the corrected document after all those refusals, replacing the untouched starter tree", async () => {
    const res = await upload(as, JSON.stringify(base));
    expect(res.status, res.bytes.toString()).toBe(200);
    expect((res.body as { transactions: number }).transactions).toBe(base.transactions.length);
    const { rows } = await app.pool.query<{ name: string }>(
      "select name from categories order by name",
    );
    expect(rows.map((r) => r.name)).toEqual(["Food", "Groceries", "Salary"]);
  });
});
