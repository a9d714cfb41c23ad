import type { Response } from "express";
import type pg from "pg";
import { z } from "zod";
import { allowLongWork } from "../../db/pool.ts";
import { formatRate, parseRate } from "../../domain/fx.ts";
import { route, type Route } from "../../http/route.ts";
import { formatMinor } from "../../http/amounts.ts";
import { trimRate } from "../../read-model/conversion.ts";
import { ClientGone, drained } from "../../http/drained.ts";
import {
  type AccountEntry,
  type AttachmentEntry,
  type BudgetEntry,
  type CategoryEntry,
  type CategoryPath,
  type ExchangeRateEntry,
  FORMAT_VERSION,
  HouseholdDocumentSchema,
  type ImportProfileEntry,
  type ReconciliationEntry,
  type RecurringEntry,
  type RuleActionEntry,
  type RuleConditionEntry,
  type RuleEntry,
  type TransactionEntry,
} from "./format.ts";

/** Rows fetched per round trip of a cursor. */
const PAGE_ROWS = 1000;
/** Characters gathered before they are handed to the socket. */
const FLUSH_CHARS = 256 * 1024;

/**
 * Writes the document as it is produced: one top-level key, then one array element per line, so
 * the export never holds more than a page of rows and waits whenever the socket is full.
 */
class DocumentWriter {
  private parts: string[] = [];
  private size = 0;
  private keys = 0;
  private items = 0;
  private readonly res: Response;

  constructor(res: Response) {
    this.res = res;
  }

  private async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (this.res.destroyed) throw new ClientGone();
    if (!this.res.write(chunk)) await drained(this.res);
  }

  private keyText(key: string): string {
    this.keys += 1;
    return `${this.keys === 1 ? "{" : ",\n"}${JSON.stringify(key)}:`;
  }

  async value(key: string, value: unknown): Promise<void> {
    await this.write(`${this.keyText(key)}${JSON.stringify(value)}`);
  }

  async open(key: string): Promise<void> {
    this.items = 0;
    await this.write(`${this.keyText(key)}[`);
  }

  async item(value: unknown): Promise<void> {
    this.items += 1;
    await this.write(`${this.items === 1 ? "\n" : ",\n"}${JSON.stringify(value)}`);
  }

  async close(): Promise<void> {
    await this.write("\n]");
  }

  async end(): Promise<void> {
    await this.write("\n}\n");
    await this.flush();
  }
}

let cursorSeq = 0;

/** The rows of `sql` page by page through a server-side cursor of the open SQL transaction. */
async function* pages<T extends pg.QueryResultRow>(
  client: pg.PoolClient,
  sql: string,
  params: unknown[] = [],
): AsyncGenerator<T[]> {
  cursorSeq += 1;
  const name = `full_export_${cursorSeq}`;
  await client.query(`declare ${name} no scroll cursor for ${sql}`, params);
  for (;;) {
    const { rows } = await client.query<T>(`fetch ${PAGE_ROWS} from ${name}`);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE_ROWS) break;
  }
  await client.query(`close ${name}`);
}

/** A timestamp column as the document spells it: UTC, microseconds, so it loads back exactly. */
const utc = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Each transaction's position in the export (its `ref`), computed as the export orders them. */
const REFS_CTE = `refs as (
  select id, row_number() over (order by booking_date, id) as ref from transactions)`;

/** Text order by UTF-16 code units: the same everywhere, unlike a database collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface AccountRow {
  id: string;
  name: string;
  type: AccountEntry["type"];
  currency: string;
  opening_balance: string;
  opening_date: string;
  archived: boolean;
  closed_on: string | null;
  iban: string | null;
}

interface CategoryRow {
  id: string;
  name: string;
  kind: CategoryEntry["kind"];
  parent_id: string | null;
}

/** The names every section refers to accounts and categories by, and their order. */
interface Names {
  accounts: AccountRow[];
  accountById: Map<string, AccountRow>;
  categories: { id: string; path: CategoryPath; kind: CategoryEntry["kind"] }[];
  pathById: Map<string, CategoryPath>;
}

/** Categories depth first, siblings by name: every parent comes before its children. */
function categoryTree(rows: readonly CategoryRow[]): Names["categories"] {
  const children = new Map<string | null, CategoryRow[]>();
  for (const row of rows) {
    const list = children.get(row.parent_id) ?? [];
    list.push(row);
    children.set(row.parent_id, list);
  }
  const out: Names["categories"] = [];
  const visit = (parentId: string | null, prefix: readonly string[]) => {
    const list = [...(children.get(parentId) ?? [])].sort((a, b) => compareText(a.name, b.name));
    for (const row of list) {
      const path = [...prefix, row.name];
      out.push({ id: row.id, path, kind: row.kind });
      visit(row.id, path);
    }
  };
  visit(null, []);
  return out;
}

async function loadNames(client: pg.PoolClient): Promise<Names> {
  const accounts = (
    await client.query<AccountRow>(
      `select id::text, name, type, currency, opening_balance::text,
         to_char(opening_date, 'YYYY-MM-DD') as opening_date, archived,
         to_char(closed_on, 'YYYY-MM-DD') as closed_on, iban from accounts`,
    )
  ).rows.sort((a, b) => compareText(a.name, b.name));
  const categories = categoryTree(
    (
      await client.query<CategoryRow>(
        "select id::text, name, kind, parent_id::text from categories",
      )
    ).rows,
  );
  return {
    accounts,
    accountById: new Map(accounts.map((a) => [a.id, a])),
    categories,
    pathById: new Map(categories.map((c) => [c.id, c.path])),
  };
}

function accountName(names: Names, id: string): string {
  const account = names.accountById.get(id);
  if (account === undefined) throw new Error(`account ${id} vanished during the export`);
  return account.name;
}

function categoryPath(names: Names, id: string | null): CategoryPath | null {
  return id === null ? null : (names.pathById.get(id) ?? null);
}

async function writeAccounts(doc: DocumentWriter, names: Names): Promise<void> {
  await doc.open("accounts");
  for (const a of names.accounts) {
    const entry: AccountEntry = {
      name: a.name,
      type: a.type,
      currency: a.currency,
      openingBalance: formatMinor(a.opening_balance, a.currency),
      openingDate: a.opening_date,
      archived: a.archived,
      ...(a.closed_on === null ? {} : { closedOn: a.closed_on }),
      ...(a.iban === null ? {} : { iban: a.iban }),
    };
    await doc.item(entry);
  }
  await doc.close();
}

async function writeCategories(doc: DocumentWriter, names: Names): Promise<void> {
  await doc.open("categories");
  for (const c of names.categories) {
    const entry: CategoryEntry = { path: c.path, kind: c.kind };
    await doc.item(entry);
  }
  await doc.close();
}

async function writeBudgets(
  client: pg.PoolClient,
  doc: DocumentWriter,
  names: Names,
  base: string,
): Promise<void> {
  const order = new Map(names.categories.map((c, index) => [c.id, index]));
  const settings = await client.query<{ day: number }>(
    "select month_start_day as day from budget_settings",
  );
  const rollovers = await client.query<{ id: string }>(
    "select category_id::text as id from budget_rollovers",
  );
  await doc.value("budgetSettings", {
    monthStartDay: settings.rows[0]?.day ?? 1,
    rolloverCategories: rollovers.rows
      .map((r) => r.id)
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
      .map((id) => categoryPath(names, id))
      .filter((path) => path !== null),
  });
  await doc.open("budgets");
  for await (const rows of pages<{ category_id: string; month: string; amount: string }>(
    client,
    `select b.category_id::text, to_char(b.month, 'YYYY-MM') as month, b.amount::text
     from budgets b join unnest($1::bigint[]) with ordinality as o (id, n) on o.id = b.category_id
     order by o.n, b.month`,
    [names.categories.map((c) => c.id)],
  )) {
    for (const row of rows) {
      const entry: BudgetEntry = {
        category: categoryPath(names, row.category_id) ?? [],
        month: row.month,
        amount: formatMinor(row.amount, base),
      };
      await doc.item(entry);
    }
  }
  await doc.close();
}

async function writeExchangeRates(client: pg.PoolClient, doc: DocumentWriter): Promise<void> {
  await doc.open("exchangeRates");
  for await (const rows of pages<{ currency: string; quote: string; date: string; rate: string }>(
    client,
    `select currency, quote, to_char(day, 'YYYY-MM-DD') as date, rate::text
     from exchange_rates order by currency, quote, day`,
  )) {
    for (const row of rows) {
      const rate = parseRate(trimRate(row.rate));
      const entry: ExchangeRateEntry = {
        currency: row.currency,
        quote: row.quote,
        date: row.date,
        rate: rate === undefined ? row.rate : formatRate(rate),
      };
      await doc.item(entry);
    }
  }
  await doc.close();
}

type StoredCondition = { field: string; accountId?: unknown } & Record<string, unknown>;
type StoredAction = { type: string; categoryId?: unknown } & Record<string, unknown>;

/** A stored condition with its account named; an account deleted since becomes null. */
function ruleCondition(names: Names, stored: StoredCondition): RuleConditionEntry {
  if (stored.field !== "account") return stored as RuleConditionEntry;
  const account = names.accountById.get(String(stored.accountId));
  return { field: "account", account: account?.name ?? null };
}

function ruleAction(names: Names, stored: StoredAction): RuleActionEntry {
  if (stored.type !== "setCategory") return stored as RuleActionEntry;
  return { type: "setCategory", category: categoryPath(names, String(stored.categoryId)) };
}

async function writeRules(client: pg.PoolClient, doc: DocumentWriter, names: Names) {
  const { rows } = await client.query<{
    name: string;
    position: number;
    enabled: boolean;
    match: RuleEntry["match"];
    stop_processing: boolean;
    conditions: StoredCondition[];
    actions: StoredAction[];
  }>(
    `select name, position, enabled, match, stop_processing, conditions, actions
     from rules order by position, id`,
  );
  await doc.open("rules");
  for (const row of rows) {
    const entry: RuleEntry = {
      name: row.name,
      position: row.position,
      enabled: row.enabled,
      match: row.match,
      stopProcessing: row.stop_processing,
      conditions: row.conditions.map((c) => ruleCondition(names, c)),
      actions: row.actions.map((a) => ruleAction(names, a)),
    };
    await doc.item(entry);
  }
  await doc.close();
}

async function writeImportProfiles(client: pg.PoolClient, doc: DocumentWriter, names: Names) {
  const order = new Map(names.accounts.map((a, index) => [a.id, index]));
  const { rows } = await client.query<{
    name: string | null;
    account_id: string | null;
    mapping: ImportProfileEntry["mapping"];
  }>("select name, account_id::text, mapping from import_profiles");
  // Named profiles by name, then each account's last mapping in the accounts' order.
  const key = (r: (typeof rows)[number]) =>
    [r.name === null ? 1 : 0, r.name ?? "", order.get(r.account_id ?? "") ?? -1] as const;
  rows.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || compareText(ka[1], kb[1]) || ka[2] - kb[2];
  });
  await doc.open("importProfiles");
  for (const row of rows) {
    const entry: ImportProfileEntry = {
      name: row.name,
      account: row.account_id === null ? null : accountName(names, row.account_id),
      mapping: row.mapping,
    };
    await doc.item(entry);
  }
  await doc.close();
}

interface TransactionRow {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  category_id: string | null;
  tags: string[];
  status: TransactionEntry["status"];
  transfer_group: string | null;
  external_id: string | null;
  import_fingerprint: string | null;
  /** [amount, category id, memo] per line, in position order. */
  splits: [string, string | null, string][];
  attachment_ids: string[] | null;
}

async function attachment(client: pg.PoolClient, id: string): Promise<AttachmentEntry> {
  const { rows } = await client.query<{
    filename: string;
    media_type: AttachmentEntry["mediaType"];
    sha256: string;
    content: Buffer;
  }>("select filename, media_type, sha256, content from attachments where id = $1", [id]);
  const row = rows[0];
  if (row === undefined) throw new Error(`attachment ${id} vanished during the export`);
  return {
    filename: row.filename,
    mediaType: row.media_type,
    sha256: row.sha256,
    content: row.content.toString("base64"),
  };
}

async function writeTransactions(
  client: pg.PoolClient,
  doc: DocumentWriter,
  names: Names,
  withAttachments: boolean,
): Promise<void> {
  await doc.open("transactions");
  let ref = 0;
  for await (const rows of pages<TransactionRow>(
    client,
    `select t.id::text, t.account_id::text, to_char(t.booking_date, 'YYYY-MM-DD') as date,
       t.amount::text, t.currency, t.payee, t.description, t.notes, t.category_id::text, t.tags,
       t.status, t.transfer_group::text, t.external_id, t.import_fingerprint,
       (select coalesce(json_agg(json_build_array(s.amount::text, s.category_id::text, s.memo)
          order by s.position), '[]') from transaction_splits s where s.transaction_id = t.id)
         as splits,
       case when $1 then (select array_agg(a.id::text order by a.id) from attachments a
         where a.transaction_id = t.id) end as attachment_ids
     from transactions t order by t.booking_date, t.id`,
    [withAttachments],
  )) {
    for (const row of rows) {
      ref += 1;
      const entry: TransactionEntry = {
        ref,
        account: accountName(names, row.account_id),
        date: row.date,
        amount: formatMinor(row.amount, row.currency),
        payee: row.payee,
        description: row.description,
        notes: row.notes,
        category: categoryPath(names, row.category_id),
        tags: row.tags,
        status: row.status,
        splits: row.splits.map(([amount, categoryId, memo]) => ({
          amount: formatMinor(amount, row.currency),
          category: categoryPath(names, categoryId),
          memo,
        })),
        transferGroup: row.transfer_group,
        externalId: row.external_id,
        importFingerprint: row.import_fingerprint,
      };
      if (withAttachments) {
        entry.attachments = [];
        for (const id of row.attachment_ids ?? []) {
          entry.attachments.push(await attachment(client, id));
        }
      }
      await doc.item(entry);
    }
  }
  await doc.close();
}

async function writeRecurring(client: pg.PoolClient, doc: DocumentWriter, names: Names) {
  await doc.open("recurring");
  for await (const rows of pages<{
    name: string;
    account_id: string;
    amount: string;
    payee: string;
    description: string;
    category_id: string | null;
    tags: string[];
    unit: RecurringEntry["unit"];
    every: number;
    day_of_month: number | null;
    start_date: string;
    end_date: string | null;
    occurrences: number | null;
    auto_post: boolean;
    match_days: number;
    history: [string, "posted" | "skipped", number | null, boolean, string][] | null;
  }>(
    client,
    `with ${REFS_CTE},
     history as (
       select o.recurring_id, json_agg(json_build_array(to_char(o.due_date, 'YYYY-MM-DD'),
           o.status, refs.ref, o.created, ${utc("o.posted_at")}) order by o.due_date) as history
       from recurring_occurrences o left join refs on refs.id = o.transaction_id
       group by o.recurring_id)
     select r.name, r.account_id::text, r.amount::text, r.payee, r.description,
       r.category_id::text, r.tags, r.unit, r.every, r.day_of_month,
       to_char(r.start_date, 'YYYY-MM-DD') as start_date,
       to_char(r.end_date, 'YYYY-MM-DD') as end_date, r.occurrences, r.auto_post, r.match_days,
       h.history
     from recurring r left join history h on h.recurring_id = r.id
     order by r.name collate "C", r.id`,
  )) {
    for (const row of rows) {
      const currency = names.accountById.get(row.account_id)?.currency ?? "EUR";
      const entry: RecurringEntry = {
        name: row.name,
        account: accountName(names, row.account_id),
        amount: formatMinor(row.amount, currency),
        payee: row.payee,
        description: row.description,
        category: categoryPath(names, row.category_id),
        tags: row.tags,
        unit: row.unit,
        every: row.every,
        dayOfMonth: row.day_of_month,
        startDate: row.start_date,
        endDate: row.end_date,
        occurrences: row.occurrences,
        autoPost: row.auto_post,
        matchDays: row.match_days,
        history: (row.history ?? []).map(([dueDate, status, transaction, created, postedAt]) => ({
          dueDate,
          status,
          transaction,
          created,
          postedAt,
        })),
      };
      await doc.item(entry);
    }
  }
  await doc.close();
}

async function writeReconciliations(client: pg.PoolClient, doc: DocumentWriter, names: Names) {
  await doc.open("reconciliations");
  for await (const rows of pages<{
    account_id: string;
    statement_date: string;
    statement_balance: string;
    status: ReconciliationEntry["status"];
    created_at: string;
    finished_at: string | null;
    adjustment: string | null;
    refs: string[];
  }>(
    client,
    `with ${REFS_CTE},
     items as (
       select i.reconciliation_id, array_agg(refs.ref order by refs.ref) as refs
       from reconciliation_items i join refs on refs.id = i.transaction_id
       group by i.reconciliation_id)
     select r.account_id::text, to_char(r.statement_date, 'YYYY-MM-DD') as statement_date,
       r.statement_balance::text, r.status, ${utc("r.created_at")} as created_at,
       ${utc("r.finished_at")} as finished_at, adjustment.ref::text as adjustment,
       coalesce(items.refs, '{}') as refs
     from reconciliations r
     join unnest($1::bigint[]) with ordinality as a (id, n) on a.id = r.account_id
     left join items on items.reconciliation_id = r.id
     left join refs adjustment on adjustment.id = r.adjustment_transaction_id
     order by a.n, r.statement_date, r.id`,
    [names.accounts.map((a) => a.id)],
  )) {
    for (const row of rows) {
      const currency = names.accountById.get(row.account_id)?.currency ?? "EUR";
      const entry: ReconciliationEntry = {
        account: accountName(names, row.account_id),
        statementDate: row.statement_date,
        statementBalance: formatMinor(row.statement_balance, currency),
        status: row.status,
        createdAt: row.created_at,
        finishedAt: row.finished_at,
        transactions: row.refs.map(Number),
        adjustment: row.adjustment === null ? null : Number(row.adjustment),
      };
      await doc.item(entry);
    }
  }
  await doc.close();
}

/** Writes every section in the order the format prescribes, from one consistent snapshot. */
async function writeDocument(
  client: pg.PoolClient,
  doc: DocumentWriter,
  names: Names,
  options: { base: string; attachments: boolean },
): Promise<void> {
  const { rows } = await client.query<{ now: string }>(`select ${utc("now()")} as now`);
  await doc.value("formatVersion", FORMAT_VERSION);
  await doc.value("exportedAt", rows[0]?.now ?? new Date().toISOString());
  await doc.value("baseCurrency", options.base);
  await writeAccounts(doc, names);
  await writeCategories(doc, names);
  await writeBudgets(client, doc, names, options.base);
  await writeExchangeRates(client, doc);
  await writeRules(client, doc, names);
  await writeImportProfiles(client, doc, names);
  await writeTransactions(client, doc, names, options.attachments);
  await writeRecurring(client, doc, names);
  await writeReconciliations(client, doc, names);
  await doc.end();
}

/** Streams the whole household as one JSON document from a repeatable-read snapshot. */
async function exportHousehold(
  db: pg.Pool,
  res: Response,
  options: { base: string; attachments: boolean },
): Promise<void> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin isolation level repeatable read read only");
    // The snapshot stays open while a slow download drains the socket between two fetches.
    await allowLongWork(client);
    const names = await loadNames(client);
    const day = new Date().toISOString().slice(0, 10);
    res
      .status(200)
      .type("application/json; charset=utf-8")
      .set("Content-Disposition", `attachment; filename="fintrack-household-${day}.json"`);
    await writeDocument(client, new DocumentWriter(res), names, options);
    await client.query("commit");
    res.end();
  } catch (error) {
    await client.query("rollback").catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    // Once bytes are out no problem document can follow: the error middleware then cuts the
    // connection, and the truncated JSON fails to parse rather than passing for a whole export.
    if (!res.headersSent) res.removeHeader("Content-Disposition");
    if (!(error instanceof ClientGone)) throw error;
  } finally {
    client.release(broken);
  }
}

/** `GET /exports/full.json`: the household export that `POST /imports/full` loads. */
export function fullExportRoute(db: pg.Pool, baseCurrency: string): Route {
  return route({
    method: "get",
    path: "/exports/full.json",
    operationId: "exportHousehold",
    summary:
      "Download the whole household as one JSON document (owner only); two exports of the " +
      "same data, also across an export and re-import, differ only in `exportedAt`",
    description:
      "Accounts, categories, budgets and budget settings, exchange rates, rules, CSV mapping " +
      "profiles, transactions (splits, transfers, tags, reconciliation status), recurring " +
      "transactions with their posting history and reconciliations, streamed from one " +
      "consistent snapshot. Things are named, never numbered: accounts by name, categories by " +
      "their path of names, transactions by `ref` (their 1-based position; transactions are " +
      "ordered by date, then as they were booked). Not included: users, tokens and sessions, " +
      "the audit log, bank-file import history, and the created/updated timestamps of rows. " +
      "Receipts are included as base64 with `?attachments=true`. Owner only: the file is " +
      "everything the household keeps, in one request.",
    tag: "exports",
    access: "owner",
    query: z.object({
      attachments: z
        .enum(["true", "false"])
        .default("false")
        .transform((value) => value === "true"),
    }),
    responses: {
      200: {
        description: "The household document (formatVersion 1)",
        schema: HouseholdDocumentSchema,
      },
    },
    handler: async ({ query, res }) => {
      await exportHousehold(db, res, { base: baseCurrency, attachments: query.attachments });
      return undefined;
    },
  });
}
