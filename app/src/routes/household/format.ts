import { z } from "zod";
import { parseRate, RATE_DECIMALS } from "../../domain/fx.ts";
import { RULE_AMOUNT } from "../../domain/rules.ts";
import { MAX_SPLITS } from "../../domain/splits.ts";
import { MappingSchema } from "../../imports/csv-mapping.ts";
import { PlainDateSchema, PlainMonthSchema } from "../../domain/dates.ts";
import { AmountTextSchema, CurrencySchema } from "../../http/schema.ts";
import { AccountTypeSchema } from "../../domain/account-types.ts";
import { ATTACHMENT_TYPES } from "../../domain/attachment-types.ts";
import { parseIban } from "../../domain/iban.ts";

/**
 * The household document of `GET /exports/full.json` and `POST /imports/full`: one JSON object
 * holding everything a household keeps, in a format that names things instead of numbering them.
 * Accounts are referred to by name, categories by their path of names from the top
 * (["Food", "Groceries"]), transactions by their `ref` (their position in the export, 1-based).
 * No database id appears, so exporting, loading into an empty instance and exporting again gives
 * the same bytes except `exportedAt`. Each element's schema is strict: an unknown key is a typo
 * that would otherwise lose data silently.
 *
 * Limits follow the database's checks rather than the create routes' input cleaning (no
 * trimming), so whatever the ledger holds can be loaded back as it is.
 */

/** The version this build writes and reads; a document of another version is refused. */
export const FORMAT_VERSION = 1;

/** The top-level values that come before the sections. */
export const HEADER_KEYS = ["formatVersion", "exportedAt", "baseCurrency"] as const;

/**
 * The sections, in the order they must appear: each refers only to sections before it, so a
 * streaming reader can resolve every reference when it meets it. A missing section is empty.
 */
export const SECTIONS = [
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
] as const;
export type Section = (typeof SECTIONS)[number];

/** The one section that is an object; every other section is an array. */
export const OBJECT_SECTIONS: ReadonlySet<Section> = new Set(["budgetSettings"]);

const AccountName = z.string().min(1).max(100);
const CategoryName = z.string().min(1).max(100);

/** A category named by the names from the top down: ["Food", "Groceries"]. */
export const CategoryPathSchema = z.array(CategoryName).min(1).max(50);
export type CategoryPath = z.infer<typeof CategoryPathSchema>;

const Tags = z
  .array(z.string().min(1).max(50))
  .max(20)
  .refine((tags) => new Set(tags).size === tags.length, { message: "repeats a tag" });

/** A transaction's `ref`: unique in the document, what later sections point at. */
export const RefSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** A timestamp as the export writes it: UTC with the database's microseconds. */
const Timestamp = z.iso.datetime();

const RateText = z
  .string()
  .max(40)
  .refine((text) => parseRate(text) !== undefined, {
    message: `is not a positive decimal with at most ${RATE_DECIMALS} decimals`,
  });

// An IBAN as the export writes it: normalised, and valid.
function isStoredIban(text: string): boolean {
  const read = parseIban(text);
  return "iban" in read && read.iban === text;
}

export const AccountEntrySchema = z.strictObject({
  name: AccountName,
  type: AccountTypeSchema,
  currency: CurrencySchema,
  openingBalance: AmountTextSchema,
  openingDate: PlainDateSchema,
  archived: z.boolean(),
  /** The day a closed (and so archived) account closed; absent while it is open. */
  closedOn: PlainDateSchema.optional(),
  /**
   * The account's IBAN, normalised; absent for none. Optional, so documents written before
   * accounts kept IBANs still load under the same format version.
   */
  iban: z
    .string()
    .max(34)
    .refine(isStoredIban, { message: "is not a valid IBAN in upper case without spaces" })
    .optional(),
});
export type AccountEntry = z.infer<typeof AccountEntrySchema>;

/** A category; its parent (the path without its last name) comes earlier in the document. */
export const CategoryEntrySchema = z.strictObject({
  path: CategoryPathSchema,
  kind: z.enum(["income", "expense"]),
});
export type CategoryEntry = z.infer<typeof CategoryEntrySchema>;

export const BudgetSettingsSchema = z.strictObject({
  monthStartDay: z.number().int().min(1).max(28),
  /** The categories whose leftover carries into the next budget month. */
  rolloverCategories: z.array(CategoryPathSchema).max(10_000),
});
export type BudgetSettingsEntry = z.infer<typeof BudgetSettingsSchema>;

/** A category's budget for a month "YYYY-MM", in the base currency. */
export const BudgetEntrySchema = z.strictObject({
  category: CategoryPathSchema,
  month: PlainMonthSchema,
  amount: AmountTextSchema,
});
export type BudgetEntry = z.infer<typeof BudgetEntrySchema>;

/** One unit of `currency` is worth `rate` units of `quote` from `date` on. */
export const ExchangeRateEntrySchema = z
  .strictObject({
    currency: CurrencySchema,
    quote: CurrencySchema,
    date: PlainDateSchema,
    rate: RateText,
  })
  .refine((r) => r.currency !== r.quote, { message: "is the currency itself", path: ["quote"] });
export type ExchangeRateEntry = z.infer<typeof ExchangeRateEntrySchema>;

const RuleAmount = z.string().regex(RULE_AMOUNT, { message: "is not an amount like -12.34" });

/** A rule condition; `account` names the account (null: it was deleted since). */
export const RuleConditionSchema = z.discriminatedUnion("field", [
  z.strictObject({
    field: z.enum(["payee", "description"]),
    op: z.enum(["contains", "equals", "matches"]),
    value: z.string().min(1).max(200),
  }),
  z.strictObject({
    field: z.literal("amount"),
    min: RuleAmount.optional(),
    max: RuleAmount.optional(),
  }),
  z.strictObject({ field: z.literal("account"), account: AccountName.nullable() }),
  z.strictObject({
    field: z.literal("date"),
    from: PlainDateSchema.optional(),
    to: PlainDateSchema.optional(),
  }),
]);
export type RuleConditionEntry = z.infer<typeof RuleConditionSchema>;

/** A rule action; `category` is a path (null: the category was deleted since). */
export const RuleActionSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("setCategory"), category: CategoryPathSchema.nullable() }),
  z.strictObject({ type: z.literal("addTag"), tag: z.string().min(1).max(50) }),
  z.strictObject({ type: z.literal("setPayee"), payee: z.string().max(200) }),
  z.strictObject({ type: z.literal("setNotes"), notes: z.string().max(5000) }),
]);
export type RuleActionEntry = z.infer<typeof RuleActionSchema>;

export const RuleEntrySchema = z.strictObject({
  name: z.string().min(1).max(100),
  position: z.number().int().min(0).max(1_000_000),
  enabled: z.boolean(),
  match: z.enum(["all", "any"]),
  stopProcessing: z.boolean(),
  conditions: z.array(RuleConditionSchema).min(1).max(20),
  actions: z.array(RuleActionSchema).min(1).max(20),
});
export type RuleEntry = z.infer<typeof RuleEntrySchema>;

/** A CSV mapping: a named profile (`account` null) or an account's last mapping (`name` null). */
export const ImportProfileEntrySchema = z
  .strictObject({
    name: z.string().min(1).max(100).nullable(),
    account: AccountName.nullable(),
    mapping: MappingSchema,
  })
  .refine((p) => p.name !== null || p.account !== null, {
    message: "give a name, an account or both",
    path: ["name"],
  });
export type ImportProfileEntry = z.infer<typeof ImportProfileEntrySchema>;

export const SplitEntrySchema = z.strictObject({
  amount: AmountTextSchema,
  category: CategoryPathSchema.nullable(),
  memo: z.string().max(200),
});

/** A receipt; `content` is its bytes in base64, checked against `sha256` when loaded. */
export const AttachmentEntrySchema = z.strictObject({
  filename: z.string().min(1).max(255),
  mediaType: z.enum(ATTACHMENT_TYPES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: "is not a lowercase hex SHA-256" }),
  content: z.string().max(14_000_000),
});
export type AttachmentEntry = z.infer<typeof AttachmentEntrySchema>;

/**
 * A transaction in its account's currency. The two sides of a transfer share `transferGroup`
 * (each side is its own element: its own payee, notes and status); `attachments` is present
 * only in exports asked for with `?attachments=true`.
 */
export const TransactionEntrySchema = z.strictObject({
  ref: RefSchema,
  account: AccountName,
  date: PlainDateSchema,
  amount: AmountTextSchema,
  payee: z.string().max(200),
  description: z.string().max(1000),
  notes: z.string().max(5000),
  category: CategoryPathSchema.nullable(),
  tags: Tags,
  status: z.enum(["pending", "cleared", "reconciled"]),
  splits: z.array(SplitEntrySchema).max(MAX_SPLITS),
  transferGroup: z.uuid().nullable(),
  /** The bank's id and the duplicate fingerprint of an imported row: later imports skip it. */
  externalId: z.string().max(1000).nullable(),
  importFingerprint: z.string().max(100).nullable(),
  attachments: z.array(AttachmentEntrySchema).max(100).optional(),
});
export type TransactionEntry = z.infer<typeof TransactionEntrySchema>;

/** One due occurrence of a recurring transaction: posted (with its transaction) or skipped. */
export const OccurrenceEntrySchema = z.strictObject({
  dueDate: PlainDateSchema,
  status: z.enum(["posted", "skipped"]),
  transaction: RefSchema.nullable(),
  /** Whether fintrack booked the transaction itself (false: it matched one already booked). */
  created: z.boolean(),
  postedAt: Timestamp,
});

export const RecurringEntrySchema = z.strictObject({
  name: z.string().min(1).max(100),
  account: AccountName,
  amount: AmountTextSchema,
  payee: z.string().max(200),
  description: z.string().max(1000),
  category: CategoryPathSchema.nullable(),
  tags: Tags,
  unit: z.enum(["day", "week", "month", "year"]),
  every: z.number().int().min(1).max(1000),
  dayOfMonth: z
    .number()
    .int()
    .refine((d) => d === -1 || (d >= 1 && d <= 31), { message: "is not 1 to 31 or -1 (last day)" })
    .nullable(),
  startDate: PlainDateSchema,
  endDate: PlainDateSchema.nullable(),
  occurrences: z.number().int().min(1).max(10000).nullable(),
  autoPost: z.boolean(),
  matchDays: z.number().int().min(0).max(31),
  history: z.array(OccurrenceEntrySchema).max(100_000),
});
export type RecurringEntry = z.infer<typeof RecurringEntrySchema>;

/** A statement reconciliation with the transactions it ticked and its balancing transaction. */
export const ReconciliationEntrySchema = z.strictObject({
  account: AccountName,
  statementDate: PlainDateSchema,
  statementBalance: AmountTextSchema,
  status: z.enum(["open", "finished"]),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  transactions: z.array(RefSchema).max(10_000_000),
  adjustment: RefSchema.nullable(),
});
export type ReconciliationEntry = z.infer<typeof ReconciliationEntrySchema>;

/** The element schema of each array section. */
export const SECTION_ITEM_SCHEMAS = {
  accounts: AccountEntrySchema,
  categories: CategoryEntrySchema,
  budgets: BudgetEntrySchema,
  exchangeRates: ExchangeRateEntrySchema,
  rules: RuleEntrySchema,
  importProfiles: ImportProfileEntrySchema,
  transactions: TransactionEntrySchema,
  recurring: RecurringEntrySchema,
  reconciliations: ReconciliationEntrySchema,
} as const;

/** The whole document, for the OpenAPI description (the import reads it element by element). */
export const HouseholdDocumentSchema = z.strictObject({
  formatVersion: z.literal(FORMAT_VERSION),
  /** When the export was taken; the one value two exports of the same data differ in. */
  exportedAt: Timestamp,
  /** FINTRACK_BASE_CURRENCY of the exporting instance: budgets are in it. */
  baseCurrency: CurrencySchema,
  accounts: z.array(AccountEntrySchema),
  categories: z.array(CategoryEntrySchema),
  budgetSettings: BudgetSettingsSchema,
  budgets: z.array(BudgetEntrySchema),
  exchangeRates: z.array(ExchangeRateEntrySchema),
  rules: z.array(RuleEntrySchema),
  importProfiles: z.array(ImportProfileEntrySchema),
  transactions: z.array(TransactionEntrySchema),
  recurring: z.array(RecurringEntrySchema),
  reconciliations: z.array(ReconciliationEntrySchema),
});

/** What a load created, per kind. */
export const FullImportResultSchema = z.object({
  accounts: z.number().int(),
  categories: z.number().int(),
  budgets: z.number().int(),
  exchangeRates: z.number().int(),
  rules: z.number().int(),
  importProfiles: z.number().int(),
  transactions: z.number().int(),
  attachments: z.number().int(),
  recurring: z.number().int(),
  reconciliations: z.number().int(),
});
export type FullImportResult = z.infer<typeof FullImportResultSchema>;
