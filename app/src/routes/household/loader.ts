import { createHash } from "node:crypto";
import type pg from "pg";
import type { z } from "zod";
import { type Condition, conditionProblems } from "../../domain/rules.ts";
import { type Split, validateSplits } from "../../domain/splits.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { findNul, NUL_REFUSED, showStep } from "../../http/nul.ts";
import { amountAt } from "../../http/amounts.ts";
import { detectAttachmentType } from "../../domain/attachment-types.ts";
import { cleanFilename } from "../../domain/attachment-names.ts";
import {
  type AccountEntry,
  type BudgetEntry,
  BudgetSettingsSchema,
  type CategoryEntry,
  type CategoryPath,
  type ExchangeRateEntry,
  FORMAT_VERSION,
  type FullImportResult,
  HEADER_KEYS,
  type ImportProfileEntry,
  OBJECT_SECTIONS,
  type ReconciliationEntry,
  type RecurringEntry,
  type RuleEntry,
  SECTION_ITEM_SCHEMAS,
  SECTIONS,
  type Section,
  type TransactionEntry,
} from "./format.ts";
import type { SectionEvent } from "./json-sections.ts";

/** Problems gathered before the load gives up and answers them all. */
const MAX_PROBLEMS = 50;
/** Elements validated and written together (fewer when attachments make a batch heavy). */
const BATCH_ROWS = 1000;
const BATCH_ATTACHMENT_CHARS = 32 * 1024 * 1024;
/** A receipt's largest size, as the attachments table allows. */
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

type ArraySection = Exclude<Section, "budgetSettings">;
type Entry<S extends ArraySection> = z.infer<(typeof SECTION_ITEM_SCHEMAS)[S]>;

interface Pending<T> {
  index: number;
  entry: T;
}

/** A field path of the document: `body.transactions[12].splits[0].amount`. */
function pathOf(section: string, index: number | string, rest: readonly PropertyKey[] = []) {
  let out = typeof index === "number" ? `body.${section}[${index}]` : `body.${section}.${index}`;
  for (const part of rest) out += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return out;
}

/** Case-insensitive, as the database's unique indexes compare names. */
const nameKey = (name: string) => name.toLowerCase();
const pathKey = (path: CategoryPath) => JSON.stringify(path.map(nameKey));

/** Whether `error` is PostgreSQL's unique (23505) or check (23514) violation. */
function constraintViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return error.code === "23505" || error.code === "23514";
}

/** Inserts `rows` (objects keyed by column) in one statement through jsonb_to_recordset. */
async function insertRows(
  client: pg.PoolClient,
  table: string,
  columns: Readonly<Record<string, string>>,
  rows: readonly object[],
  options: { explicitIds?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const definitions = names.map((name) => `${name} ${columns[name] ?? "text"}`).join(", ");
  await client.query(
    `insert into ${table} (${names.join(", ")})
     ${options.explicitIds ? "overriding system value" : ""}
     select ${names.join(", ")} from jsonb_to_recordset($1::jsonb) as r (${definitions})`,
    [JSON.stringify(rows)],
  );
}

/**
 * Loads a household document, event by event as json-sections reads it, into an empty instance
 * inside the caller's SQL transaction. Each section is validated a batch at a time: element
 * shapes by the format's zod schemas, references against what earlier sections loaded, money by
 * the currency it is in. The first batch with problems ends the load with a 422 listing them
 * (the caller rolls everything back). Ids are new: every row gets the next id of its table in
 * document order, so ordering by id keeps the document's order.
 */
export class HouseholdLoader {
  private readonly accounts = new Map<string, { id: string; currency: string }>();
  private readonly ibans = new Set<string>();
  private readonly categories = new Map<string, { id: string; kind: CategoryEntry["kind"] }>();
  private readonly problems: FieldProblem[] = [];
  private readonly header = new Map<string, unknown>();
  private readonly seenKeys = new Set<string>();
  private stage = -1;
  private section: Section | undefined;
  private pending: Pending<unknown>[] = [];
  private writing: Promise<void> = Promise.resolve();
  private pendingChars = 0;
  private settings: Record<string, unknown> = {};
  private readonly budgetKeys = new Set<string>();
  private readonly rateKeys = new Set<string>();
  private readonly profileNames = new Set<string>();
  private readonly profileAccounts = new Set<string>();
  private readonly openReconciliations = new Set<string>();
  private readonly postedTransactions = new Set<number>();
  private readonly counts: FullImportResult = {
    accounts: 0,
    categories: 0,
    budgets: 0,
    exchangeRates: 0,
    rules: 0,
    importProfiles: 0,
    transactions: 0,
    attachments: 0,
    recurring: 0,
    reconciliations: 0,
  };

  private readonly client: pg.PoolClient;
  private readonly base: string;

  constructor(client: pg.PoolClient, base: string) {
    this.client = client;
    this.base = base;
  }

  /** Prepares the table that maps transaction refs to their new ids for later sections. */
  async start(): Promise<void> {
    await this.client.query(
      `create temp table full_import_refs (ref bigint primary key, id bigint not null,
         idx int not null) on commit drop`,
    );
  }

  private problem(path: string, message: string): void {
    this.problems.push({ path, message });
    if (this.problems.length >= MAX_PROBLEMS) this.fail();
  }

  private fail(): never {
    throw errors.validation(this.problems.slice(0, MAX_PROBLEMS));
  }

  private failIfAny(): void {
    if (this.problems.length > 0) this.fail();
  }

  /** Takes the next event of the document. */
  async handle(event: SectionEvent): Promise<void> {
    if (this.refusedNul(event)) return;
    switch (event.type) {
      case "scalar":
        this.scalar(event.key, event.value);
        return;
      case "open":
        this.open(event.key, event.shape);
        return;
      case "item":
        await this.item(event.index, event.value);
        return;
      case "close":
        await this.close();
        return;
    }
  }

  // The document is read from a file, not through mountRoutes: its texts are checked here.
  private refusedNul(event: SectionEvent): boolean {
    if (event.type !== "scalar" && event.type !== "item") return false;
    const at = findNul(event.value);
    if (at === undefined) return false;
    const path =
      event.type === "scalar"
        ? `body.${showStep(event.key)}`
        : pathOf(
            showStep(event.key),
            typeof event.index === "number" ? event.index : showStep(event.index),
            at.map((step) => (typeof step === "number" ? step : showStep(step))),
          );
    this.problem(path, NUL_REFUSED);
    return true;
  }

  private scalar(key: string, value: unknown): void {
    const path = `body.${key}`;
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      this.problem(path, "is not part of the household format");
    } else if (this.stage >= 0) {
      this.problem(path, "must come before the sections");
    } else if (this.header.has(key)) {
      this.problem(path, "appears twice");
    }
    this.header.set(key, value);
    if (key === "formatVersion" && value !== FORMAT_VERSION) {
      this.problem(
        path,
        `is ${JSON.stringify(value)}; this fintrack reads version ${FORMAT_VERSION}`,
      );
    }
    if (key === "baseCurrency" && value !== this.base) {
      this.problem(
        path,
        `is ${JSON.stringify(value)} but this instance's base currency ` +
          `(FINTRACK_BASE_CURRENCY) is ${this.base}: budgets would change meaning`,
      );
    }
    if (key === "exportedAt" && typeof value !== "string") this.problem(path, "is not a timestamp");
    this.failIfAny();
  }

  private open(key: string, shape: "array" | "object"): void {
    const index = (SECTIONS as readonly string[]).indexOf(key);
    const path = `body.${key}`;
    if (!this.header.has("formatVersion")) {
      this.problem("body.formatVersion", "is required, before the sections");
    }
    if (!this.header.has("baseCurrency")) {
      this.problem("body.baseCurrency", "is required, before the sections");
    }
    if (index < 0) {
      this.problem(path, "is not part of the household format");
    } else if (this.seenKeys.has(key)) {
      this.problem(path, "appears twice");
    } else if (index < this.stage) {
      const previous = SECTIONS[this.stage] ?? "";
      this.problem(path, `must come before ${previous}: sections refer only to earlier ones`);
    }
    const section = SECTIONS[index];
    if (section !== undefined && (shape === "object") !== OBJECT_SECTIONS.has(section)) {
      this.problem(path, `must be an ${shape === "object" ? "array" : "object"}`);
    }
    this.failIfAny();
    this.seenKeys.add(key);
    this.stage = index;
    this.section = section;
    this.settings = {};
  }

  private async item(index: number | string, value: unknown): Promise<void> {
    const section = this.section;
    if (section === undefined) return;
    if (section === "budgetSettings") {
      this.settings[String(index)] = value;
      return;
    }
    const position = typeof index === "number" ? index : Number(index);
    const parsed = SECTION_ITEM_SCHEMAS[section].safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        this.problem(pathOf(section, position, issue.path), issue.message);
      }
      return;
    }
    this.pending.push({ index: position, entry: parsed.data });
    if (section === "transactions") {
      const attachments = (parsed.data as TransactionEntry).attachments ?? [];
      this.pendingChars += attachments.reduce((sum, a) => sum + a.content.length, 0);
    }
    if (this.pending.length >= BATCH_ROWS || this.pendingChars >= BATCH_ATTACHMENT_CHARS) {
      await this.flush();
    }
  }

  private async close(): Promise<void> {
    if (this.section === "budgetSettings") await this.loadSettings();
    else await this.flush();
    await this.writing;
    if (this.section === "transactions") await this.checkTransfers();
    this.section = undefined;
  }

  /**
   * Starts writing the pending batch of the current section once the previous batch is written
   * (or fails with the problems found so far). It does not wait for this batch: the next one is
   * parsed and validated while PostgreSQL works, and the following flush or the section's end
   * waits for it.
   */
  private async flush(): Promise<void> {
    await this.writing;
    const section = this.section;
    const batch = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.failIfAny();
    if (section === undefined || section === "budgetSettings" || batch.length === 0) return;
    this.writing = this.loadBatch(section, batch).catch((error: unknown) => {
      // A name the database compares differently than this check (Unicode case folding).
      if (constraintViolation(error)) {
        throw errors.validation([
          { path: `body.${section}`, message: "holds two entries the database counts as one" },
        ]);
      }
      throw error;
    });
    // Observed by the next flush or close; this only keeps it from counting as unhandled.
    this.writing.catch(() => undefined);
  }

  private async loadBatch(section: ArraySection, batch: Pending<unknown>[]): Promise<void> {
    const as = <S extends ArraySection>() => batch as Pending<Entry<S>>[];
    switch (section) {
      case "accounts":
        return this.loadAccounts(as<"accounts">());
      case "categories":
        return this.loadCategories(as<"categories">());
      case "budgets":
        return this.loadBudgets(as<"budgets">());
      case "exchangeRates":
        return this.loadRates(as<"exchangeRates">());
      case "rules":
        return this.loadRules(as<"rules">());
      case "importProfiles":
        return this.loadProfiles(as<"importProfiles">());
      case "transactions":
        return this.loadTransactions(as<"transactions">());
      case "recurring":
        return this.loadRecurring(as<"recurring">());
      case "reconciliations":
        return this.loadReconciliations(as<"reconciliations">());
    }
  }

  /** The document is over: everything it said is written, or the problems are answered. */
  async finish(): Promise<FullImportResult> {
    await this.writing;
    if (!this.header.has("formatVersion")) {
      this.problem("body.formatVersion", "is required");
    }
    this.failIfAny();
    return { ...this.counts };
  }

  private async allocateIds(table: string, count: number): Promise<string[]> {
    if (count === 0) return [];
    const { rows } = await this.client.query<{ id: string }>(
      `select nextval(pg_get_serial_sequence($1, 'id'))::text as id from generate_series(1, $2)`,
      [table, count],
    );
    return rows
      .map((r) => BigInt(r.id))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(String);
  }

  private account(name: string, path: string): { id: string; currency: string } | undefined {
    const found = this.accounts.get(nameKey(name));
    if (found === undefined) this.problem(path, "is not the name of an account in the document");
    return found;
  }

  private category(path: CategoryPath | null, at: string): string | null | undefined {
    if (path === null) return null;
    const found = this.categories.get(pathKey(path));
    if (found === undefined) this.problem(at, "is not the path of a category in the document");
    return found?.id;
  }

  private minor(text: string, currency: string, path: string): string | undefined {
    return amountAt(text, currency, path, this.problems)?.minor.toString();
  }

  private async loadAccounts(batch: Pending<AccountEntry>[]): Promise<void> {
    const rows: object[] = [];
    const ids = await this.allocateIds("accounts", batch.length);
    batch.forEach(({ index, entry }, n) => {
      const at = (field: string) => pathOf("accounts", index, [field]);
      if (this.accounts.has(nameKey(entry.name))) {
        this.problem(at("name"), "is the name of an earlier account (names ignore case)");
      }
      if (entry.iban !== undefined) {
        if (this.ibans.has(entry.iban)) this.problem(at("iban"), "is an earlier account's IBAN");
        this.ibans.add(entry.iban);
      }
      if (entry.closedOn !== undefined && !entry.archived) {
        this.problem(at("closedOn"), "needs archived: true (a closed account is archived)");
      }
      const opening = this.minor(entry.openingBalance, entry.currency, at("openingBalance"));
      const id = ids[n] ?? "";
      this.accounts.set(nameKey(entry.name), { id, currency: entry.currency });
      rows.push({
        ...entry,
        id,
        opening_balance: opening,
        opening_date: entry.openingDate,
        closed_on: entry.closedOn ?? null,
        iban: entry.iban ?? null,
      });
    });
    this.failIfAny();
    await insertRows(
      this.client,
      "accounts",
      {
        id: "bigint",
        name: "text",
        type: "text",
        currency: "text",
        opening_balance: "bigint",
        opening_date: "date",
        archived: "boolean",
        closed_on: "date",
        iban: "text",
      },
      rows,
      { explicitIds: true },
    );
    this.counts.accounts += rows.length;
  }

  private async loadCategories(batch: Pending<CategoryEntry>[]): Promise<void> {
    const rows: object[] = [];
    const ids = await this.allocateIds("categories", batch.length);
    batch.forEach(({ index, entry }, n) => {
      const at = pathOf("categories", index, ["path"]);
      const key = pathKey(entry.path);
      if (this.categories.has(key))
        this.problem(at, "names an earlier category (names ignore case)");
      let parentId: string | null = null;
      if (entry.path.length > 1) {
        const parent = this.categories.get(pathKey(entry.path.slice(0, -1)));
        if (parent === undefined) {
          this.problem(at, "has no parent earlier in the document");
        } else if (parent.kind !== entry.kind) {
          this.problem(
            pathOf("categories", index, ["kind"]),
            `is ${entry.kind} but its parent is ${parent.kind}`,
          );
        }
        parentId = parent?.id ?? null;
      }
      const id = ids[n] ?? "";
      this.categories.set(key, { id, kind: entry.kind });
      rows.push({ id, name: entry.path.at(-1), kind: entry.kind, parent_id: parentId });
    });
    this.failIfAny();
    await insertRows(
      this.client,
      "categories",
      { id: "bigint", name: "text", kind: "text", parent_id: "bigint" },
      rows,
      { explicitIds: true },
    );
    this.counts.categories += rows.length;
  }

  private async loadSettings(): Promise<void> {
    const parsed = BudgetSettingsSchema.safeParse(this.settings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, ...rest] = issue.path;
        const at =
          first === undefined
            ? "body.budgetSettings"
            : pathOf("budgetSettings", String(first), rest);
        this.problem(at, issue.message);
      }
      this.fail();
    }
    const ids = new Set<string>();
    parsed.data.rolloverCategories.forEach((path, index) => {
      const id = this.category(path, pathOf("budgetSettings", "rolloverCategories", [index]));
      if (id) ids.add(id);
    });
    this.failIfAny();
    await this.client.query("update budget_settings set month_start_day = $1", [
      parsed.data.monthStartDay,
    ]);
    await this.client.query("insert into budget_rollovers select unnest($1::bigint[])", [[...ids]]);
  }

  private async loadBudgets(batch: Pending<BudgetEntry>[]): Promise<void> {
    const rows: object[] = [];
    for (const { index, entry } of batch) {
      const at = (field: string) => pathOf("budgets", index, [field]);
      const categoryId = this.category(entry.category, at("category"));
      const amount = this.minor(entry.amount, this.base, at("amount"));
      if (amount !== undefined && BigInt(amount) < 0n) this.problem(at("amount"), "is negative");
      const key = `${categoryId ?? ""} ${entry.month}`;
      if (this.budgetKeys.has(key))
        this.problem(at("month"), "has a budget earlier in the document");
      this.budgetKeys.add(key);
      rows.push({ category_id: categoryId, month: `${entry.month}-01`, amount });
    }
    this.failIfAny();
    await insertRows(
      this.client,
      "budgets",
      { category_id: "bigint", month: "date", amount: "bigint" },
      rows,
    );
    this.counts.budgets += rows.length;
  }

  private async loadRates(batch: Pending<ExchangeRateEntry>[]): Promise<void> {
    for (const { index, entry } of batch) {
      const key = `${entry.currency} ${entry.quote} ${entry.date}`;
      if (this.rateKeys.has(key)) {
        this.problem(
          pathOf("exchangeRates", index, ["date"]),
          "has a rate earlier in the document",
        );
      }
      this.rateKeys.add(key);
    }
    this.failIfAny();
    await insertRows(
      this.client,
      "exchange_rates",
      { currency: "text", quote: "text", day: "date", rate: "numeric" },
      batch.map(({ entry }) => ({ ...entry, day: entry.date })),
    );
    this.counts.exchangeRates += batch.length;
  }

  private async loadRules(batch: Pending<RuleEntry>[]): Promise<void> {
    const ids = await this.allocateIds("rules", batch.length);
    const rows = batch.map(({ index, entry }, n) => {
      const conditions = entry.conditions.map((condition, c): Condition => {
        const at = (field: string) => pathOf("rules", index, ["conditions", c, field]);
        if (condition.field !== "account") {
          for (const [field, message] of conditionProblems(condition))
            this.problem(at(field), message);
          return condition;
        }
        if (condition.account === null) {
          this.problem(at("account"), "names no account (it was deleted): remove the condition");
          return { field: "account", accountId: "" };
        }
        return {
          field: "account",
          accountId: this.account(condition.account, at("account"))?.id ?? "",
        };
      });
      const actions = entry.actions.map((action, a) => {
        if (action.type !== "setCategory") return action;
        const at = pathOf("rules", index, ["actions", a, "category"]);
        if (action.category === null) {
          this.problem(at, "names no category (it was deleted): remove the action");
          return action;
        }
        return { type: "setCategory", categoryId: this.category(action.category, at) ?? "" };
      });
      return {
        id: ids[n],
        name: entry.name,
        position: entry.position,
        enabled: entry.enabled,
        match: entry.match,
        stop_processing: entry.stopProcessing,
        conditions,
        actions,
      };
    });
    this.failIfAny();
    await insertRows(
      this.client,
      "rules",
      {
        id: "bigint",
        name: "text",
        position: "int",
        enabled: "boolean",
        match: "text",
        stop_processing: "boolean",
        conditions: "jsonb",
        actions: "jsonb",
      },
      rows,
      { explicitIds: true },
    );
    this.counts.rules += rows.length;
  }

  private async loadProfiles(batch: Pending<ImportProfileEntry>[]): Promise<void> {
    const ids = await this.allocateIds("import_profiles", batch.length);
    const rows = batch.map(({ index, entry }, n) => {
      const at = (field: string) => pathOf("importProfiles", index, [field]);
      const accountId =
        entry.account === null ? null : (this.account(entry.account, at("account"))?.id ?? null);
      if (entry.name !== null) {
        if (this.profileNames.has(nameKey(entry.name))) {
          this.problem(at("name"), "is the name of an earlier profile (names ignore case)");
        }
        this.profileNames.add(nameKey(entry.name));
      } else if (accountId !== null) {
        if (this.profileAccounts.has(accountId)) {
          this.problem(at("account"), "already has its mapping earlier in the document");
        }
        this.profileAccounts.add(accountId);
      }
      return { id: ids[n], name: entry.name, account_id: accountId, mapping: entry.mapping };
    });
    this.failIfAny();
    await insertRows(
      this.client,
      "import_profiles",
      { id: "bigint", name: "text", account_id: "bigint", mapping: "jsonb" },
      rows,
      { explicitIds: true },
    );
    this.counts.importProfiles += rows.length;
  }

  /** The transaction's own checks: money in its account's currency, splits, transfer shape. */
  private checkTransaction(index: number, entry: TransactionEntry) {
    const at = (...rest: PropertyKey[]) => pathOf("transactions", index, rest);
    const account = this.account(entry.account, at("account"));
    if (account === undefined) return undefined;
    const amount = amountAt(entry.amount, account.currency, at("amount"), this.problems);
    const categoryId = this.category(entry.category, at("category"));
    const splits: Split[] = [];
    entry.splits.forEach((line, s) => {
      const money = amountAt(
        line.amount,
        account.currency,
        at("splits", s, "amount"),
        this.problems,
      );
      const lineCategory = this.category(line.category, at("splits", s, "category"));
      if (money !== undefined) {
        splits.push({ amount: money, categoryId: lineCategory ?? null, memo: line.memo });
      }
    });
    if (amount !== undefined && entry.splits.length > 0 && splits.length === entry.splits.length) {
      for (const p of validateSplits(amount, splits)) this.problem(at(p.path), p.message);
    }
    if (entry.category !== null && entry.splits.length > 0) {
      this.problem(at("category"), "must be null: the splits carry the categories");
    }
    if (entry.transferGroup !== null && entry.category !== null) {
      this.problem(at("category"), "must be null: a transfer has no category");
    }
    if (entry.transferGroup !== null && entry.splits.length > 0) {
      this.problem(at("splits"), "must be empty: a transfer cannot be split");
    }
    return { account, amount, categoryId, splits };
  }

  /** A receipt's bytes, checked against its declared hash, size and type. */
  private async attachmentBytes(at: (field: string) => string, entry: TransactionEntry) {
    const out: { filename: string; mediaType: string; sha256: string; bytes: Buffer }[] = [];
    for (const [a, attachment] of (entry.attachments ?? []).entries()) {
      const field = (name: string) => `${at("attachments")}[${a}].${name}`;
      const bytes = Buffer.from(attachment.content, "base64");
      if (bytes.length === 0 || bytes.length > MAX_ATTACHMENT_BYTES) {
        this.problem(field("content"), "must be 1 byte to 10 MiB once base64-decoded");
        continue;
      }
      if (createHash("sha256").update(bytes).digest("hex") !== attachment.sha256) {
        this.problem(field("sha256"), "does not match the content");
        continue;
      }
      const detected = await detectAttachmentType(bytes);
      if (detected !== attachment.mediaType) {
        this.problem(field("mediaType"), `does not match the content (${detected ?? "unknown"})`);
        continue;
      }
      // Cleaned as an upload's name is: a backup is a way in too, and may come from elsewhere.
      out.push({ ...attachment, filename: cleanFilename(attachment.filename, detected), bytes });
    }
    return out;
  }

  private async loadTransactions(batch: Pending<TransactionEntry>[]): Promise<void> {
    const ids = await this.allocateIds("transactions", batch.length);
    const rows: object[] = [];
    const splits: object[] = [];
    const refs: object[] = [];
    const receipts: {
      transactionId: string;
      filename: string;
      mediaType: string;
      sha256: string;
      bytes: Buffer;
    }[] = [];
    for (const [n, { index, entry }] of batch.entries()) {
      const checked = this.checkTransaction(index, entry);
      const id = ids[n] ?? "";
      const at = (field: string) => pathOf("transactions", index, [field]);
      for (const receipt of await this.attachmentBytes(at, entry)) {
        receipts.push({ transactionId: id, ...receipt });
      }
      if (checked?.amount === undefined) continue;
      rows.push({
        id,
        account_id: checked.account.id,
        booking_date: entry.date,
        amount: checked.amount.minor.toString(),
        currency: checked.account.currency,
        payee: entry.payee,
        description: entry.description,
        notes: entry.notes,
        category_id: checked.categoryId ?? null,
        tags: entry.tags,
        status: entry.status,
        transfer_group: entry.transferGroup,
        external_id: entry.externalId,
        import_fingerprint: entry.importFingerprint,
      });
      refs.push({ ref: entry.ref, id, idx: index });
      checked.splits.forEach((line, position) => {
        splits.push({
          transaction_id: id,
          position,
          amount: line.amount.minor.toString(),
          category_id: line.categoryId,
          memo: line.memo,
        });
      });
    }
    this.failIfAny();
    const { rows: taken } = await this.client.query<{ ref: string }>(
      `insert into full_import_refs (ref, id, idx)
       select ref, id, idx from jsonb_to_recordset($1::jsonb) as r (ref bigint, id bigint, idx int)
       on conflict (ref) do nothing returning ref::text`,
      [JSON.stringify(refs)],
    );
    if (taken.length < refs.length) {
      const kept = new Set(taken.map((r) => r.ref));
      for (const { index, entry } of batch) {
        if (!kept.has(String(entry.ref))) {
          this.problem(
            pathOf("transactions", index, ["ref"]),
            "is the ref of an earlier transaction",
          );
          kept.add(String(entry.ref));
        }
      }
      this.fail();
    }
    await insertRows(
      this.client,
      "transactions",
      {
        id: "bigint",
        account_id: "bigint",
        booking_date: "date",
        amount: "bigint",
        currency: "text",
        payee: "text",
        description: "text",
        notes: "text",
        category_id: "bigint",
        tags: "text[]",
        status: "text",
        transfer_group: "uuid",
        external_id: "text",
        import_fingerprint: "text",
      },
      rows,
      { explicitIds: true },
    );
    await insertRows(
      this.client,
      "transaction_splits",
      {
        transaction_id: "bigint",
        position: "int",
        amount: "bigint",
        category_id: "bigint",
        memo: "text",
      },
      splits,
    );
    for (const receipt of receipts) {
      await this.client.query(
        `insert into attachments (transaction_id, filename, media_type, size, sha256, content)
         values ($1, $2, $3, $4, $5, $6)`,
        [
          receipt.transactionId,
          receipt.filename,
          receipt.mediaType,
          receipt.bytes.length,
          receipt.sha256,
          receipt.bytes,
        ],
      );
    }
    this.counts.transactions += rows.length;
    this.counts.attachments += receipts.length;
  }

  /**
   * The invariants transfers keep through the API, checked once every transaction is in: a
   * group has two sides in two accounts on one date, money leaving one and entering the other,
   * mirrored exactly when both are in one currency.
   */
  private async checkTransfers(): Promise<void> {
    const { rows } = await this.client.query<{ idx: number; problem: string }>(
      `with groups as (
         select t.transfer_group, min(r.idx) as idx, count(*) as sides,
           count(distinct t.account_id) as accounts, count(distinct t.booking_date) as dates,
           count(distinct t.currency) as currencies, min(t.amount) as low, max(t.amount) as high,
           sum(t.amount) as total
         from transactions t join full_import_refs r on r.id = t.id
         where t.transfer_group is not null group by t.transfer_group)
       select idx, case
           when sides <> 2 then 'is shared by ' || sides || ' transactions; a transfer has two sides'
           when accounts <> 2 then 'joins two sides in one account'
           when dates <> 1 then 'joins two sides on different dates'
           when not (low < 0 and high > 0) then 'joins two sides that do not move money from one to the other'
           when currencies = 1 and total <> 0 then 'joins two sides in one currency that do not mirror each other'
         end as problem
       from groups
       where sides <> 2 or accounts <> 2 or dates <> 1 or not (low < 0 and high > 0)
         or (currencies = 1 and total <> 0)
       order by idx limit ${MAX_PROBLEMS}`,
    );
    for (const row of rows)
      this.problems.push({
        path: pathOf("transactions", row.idx, ["transferGroup"]),
        message: row.problem,
      });
    this.failIfAny();
  }

  /** The new ids of transaction refs; refs not in the document are left out. */
  private async resolveRefs(refs: readonly number[]): Promise<Map<number, string>> {
    if (refs.length === 0) return new Map();
    const { rows } = await this.client.query<{ ref: string; id: string }>(
      `select ref::text, id::text from full_import_refs where ref = any($1::bigint[])`,
      [[...new Set(refs)]],
    );
    return new Map(rows.map((r) => [Number(r.ref), r.id]));
  }

  private async loadRecurring(batch: Pending<RecurringEntry>[]): Promise<void> {
    const ids = await this.allocateIds("recurring", batch.length);
    const known = await this.resolveRefs(
      batch.flatMap(({ entry }) =>
        entry.history.flatMap((h) => (h.transaction === null ? [] : [h.transaction])),
      ),
    );
    const rows: object[] = [];
    const history: object[] = [];
    for (const [n, { index, entry }] of batch.entries()) {
      const at = (...rest: PropertyKey[]) => pathOf("recurring", index, rest);
      const id = ids[n] ?? "";
      const account = this.account(entry.account, at("account"));
      const amount =
        account === undefined
          ? undefined
          : this.minor(entry.amount, account.currency, at("amount"));
      const categoryId = this.category(entry.category, at("category"));
      const dueDates = new Set<string>();
      entry.history.forEach((h, j) => {
        if (dueDates.has(h.dueDate)) this.problem(at("history", j, "dueDate"), "appears twice");
        dueDates.add(h.dueDate);
        let transactionId: string | null = null;
        if (h.transaction !== null) {
          transactionId = known.get(h.transaction) ?? null;
          if (transactionId === null) {
            this.problem(
              at("history", j, "transaction"),
              "is not the ref of a transaction in the document",
            );
          } else if (this.postedTransactions.has(h.transaction)) {
            this.problem(
              at("history", j, "transaction"),
              "is the transaction of another occurrence",
            );
          }
          this.postedTransactions.add(h.transaction);
        }
        history.push({
          recurring_id: id,
          due_date: h.dueDate,
          status: h.status,
          transaction_id: transactionId,
          created: h.created,
          posted_at: h.postedAt,
        });
      });
      rows.push({
        id,
        name: entry.name,
        account_id: account?.id,
        amount,
        payee: entry.payee,
        description: entry.description,
        category_id: categoryId ?? null,
        tags: entry.tags,
        unit: entry.unit,
        every: entry.every,
        day_of_month: entry.dayOfMonth,
        start_date: entry.startDate,
        end_date: entry.endDate,
        occurrences: entry.occurrences,
        auto_post: entry.autoPost,
        match_days: entry.matchDays,
      });
    }
    this.failIfAny();
    await insertRows(
      this.client,
      "recurring",
      {
        id: "bigint",
        name: "text",
        account_id: "bigint",
        amount: "bigint",
        payee: "text",
        description: "text",
        category_id: "bigint",
        tags: "text[]",
        unit: "text",
        every: "int",
        day_of_month: "int",
        start_date: "date",
        end_date: "date",
        occurrences: "int",
        auto_post: "boolean",
        match_days: "int",
      },
      rows,
      { explicitIds: true },
    );
    await insertRows(
      this.client,
      "recurring_occurrences",
      {
        recurring_id: "bigint",
        due_date: "date",
        status: "text",
        transaction_id: "bigint",
        created: "boolean",
        posted_at: "timestamptz",
      },
      history,
    );
    this.counts.recurring += rows.length;
  }

  private async loadReconciliations(batch: Pending<ReconciliationEntry>[]): Promise<void> {
    const ids = await this.allocateIds("reconciliations", batch.length);
    const known = await this.resolveRefs(
      batch.flatMap(({ entry }) => [
        ...entry.transactions,
        ...(entry.adjustment === null ? [] : [entry.adjustment]),
      ]),
    );
    const rows: object[] = [];
    const items: { reconciliation_id: string; transaction_id: string }[] = [];
    for (const [n, { index, entry }] of batch.entries()) {
      const at = (...rest: PropertyKey[]) => pathOf("reconciliations", index, rest);
      const id = ids[n] ?? "";
      const account = this.account(entry.account, at("account"));
      if (account === undefined) continue;
      const balance = this.minor(entry.statementBalance, account.currency, at("statementBalance"));
      if (entry.status === "open") {
        if (this.openReconciliations.has(account.id)) {
          this.problem(at("status"), "is open, but the account has an open reconciliation already");
        }
        this.openReconciliations.add(account.id);
      }
      const ticked = new Set<number>();
      entry.transactions.forEach((ref, j) => {
        const transactionId = known.get(ref);
        if (transactionId === undefined) {
          this.problem(at("transactions", j), "is not the ref of a transaction in the document");
        } else if (ticked.has(ref)) {
          this.problem(at("transactions", j), "appears twice");
        } else {
          items.push({ reconciliation_id: id, transaction_id: transactionId });
        }
        ticked.add(ref);
      });
      const adjustment = entry.adjustment === null ? null : (known.get(entry.adjustment) ?? null);
      if (entry.adjustment !== null && adjustment === null) {
        this.problem(at("adjustment"), "is not the ref of a transaction in the document");
      }
      rows.push({
        id,
        account_id: account.id,
        statement_date: entry.statementDate,
        statement_balance: balance,
        status: entry.status,
        created_at: entry.createdAt,
        finished_at: entry.finishedAt,
        adjustment_transaction_id: adjustment,
      });
    }
    this.failIfAny();
    await insertRows(
      this.client,
      "reconciliations",
      {
        id: "bigint",
        account_id: "bigint",
        statement_date: "date",
        statement_balance: "bigint",
        status: "text",
        created_at: "timestamptz",
        finished_at: "timestamptz",
        adjustment_transaction_id: "bigint",
      },
      rows,
      { explicitIds: true },
    );
    await this.client.query(
      `insert into reconciliation_items (reconciliation_id, transaction_id)
       select * from unnest($1::bigint[], $2::bigint[])`,
      [items.map((i) => i.reconciliation_id), items.map((i) => i.transaction_id)],
    );
    this.counts.reconciliations += rows.length;
  }
}
