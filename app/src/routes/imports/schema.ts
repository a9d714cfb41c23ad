import { z } from "zod";
import { MappingSchema } from "../../imports/csv-mapping.ts";

/** An import as the API shows it. */
export const ImportSchema = z.object({
  id: z.string(),
  accountId: z.string().nullable(),
  filename: z.string(),
  format: z.enum(["csv", "ofx", "qif", "camt053", "mt940"]),
  encoding: z.string(),
  size: z.number().int(),
  rowCount: z.number().int(),
  /**
   * `expired`: not committed within 7 days, its file deleted; upload the file again.
   * `discarded`: set aside by its user before any commit, its file deleted.
   */
  status: z.enum([
    "uploading",
    "uploaded",
    "committing",
    "committed",
    "undone",
    "expired",
    "discarded",
  ]),
  processed: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  /** Why the last commit did not finish (refused, or interrupted); null once one succeeds. */
  error: z.string().nullable(),
  createdAt: z.string(),
  committedAt: z.string().nullable(),
});
/** An import's JSON. */
export type ImportJson = z.infer<typeof ImportSchema>;

/** The upload answer: the import plus what the file looks like. */
export const UploadSchema = ImportSchema.extend({
  preview: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) }),
  suggestedMapping: MappingSchema.nullable(),
  /**
   * The account the file says it is a statement of (MT940 `:25:`, CAMT.053 `Acct/Id`, OFX
   * `ACCTID`) as the file has it, the IBAN it stands for, and the household's account with
   * that IBAN (or null); null when the file names none (CSV, QIF).
   */
  statementAccount: z
    .object({
      identifier: z.string(),
      /** The IBAN the identifier stands for, printed; null for another kind of number. */
      iban: z.string().nullable(),
      accountId: z.string().nullable(),
    })
    .nullable(),
});

/**
 * The commit request: for CSV a mapping, or the id of a named profile to reuse; without either the
 * suggested mapping is used.
 */
export const CommitSchema = z
  .object({
    mapping: MappingSchema.optional(),
    profileId: z.string().max(20).optional(),
    /**
     * Books the file although it names another account than the import's account's IBAN (the
     * user knows better: an old IBAN, say); without it that is refused with 409.
     */
    allowAccountMismatch: z.boolean().optional(),
  })
  .refine((body) => body.mapping === undefined || body.profileId === undefined, {
    message: "give a mapping or a profileId, not both",
    path: ["profileId"],
  });

/** A row skipped as a duplicate, and why. */
export const SkippedSchema = z.object({
  line: z.number().int(),
  reason: z.enum(["bank_id", "fingerprint", "matched"]),
  transactionId: z.string().nullable(),
});

/** The commit answer. */
export const CommitResultSchema = z.object({
  imported: z.number().int(),
  duplicates: z.number().int(),
  errors: z.array(
    z.object({ line: z.number().int(), column: z.string().optional(), message: z.string() }),
  ),
  skipped: z.array(SkippedSchema),
});
/** The commit answer's type. */
export type CommitResult = z.infer<typeof CommitResultSchema>;

/** How many rows a preview lists; its counts cover the whole file. */
export const PREVIEW_ROWS = 200;

const NamedCategorySchema = z.object({ id: z.string(), name: z.string() });

/** A rule that would match a row, and what its own actions set. */
export const PreviewRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  sets: z.object({
    category: NamedCategorySchema.optional(),
    payee: z.string().optional(),
    tags: z.array(z.string()).optional(),
    notes: z.string().optional(),
  }),
});

/** Why a row would be skipped, and what it duplicates: a transaction, or an earlier line. */
export const PreviewDuplicateSchema = z.object({
  reason: z.enum(["bank_id", "fingerprint", "matched"]),
  /** The transaction already in the account it duplicates; null when it is an earlier line. */
  transaction: z
    .object({ id: z.string(), date: z.string(), payee: z.string(), amount: z.string() })
    .nullable(),
  /** The earlier line of the same file with the same bank id, when that is what it repeats. */
  line: z.number().int().nullable(),
});

/** One row of the file as the commit would book it (or skip it). */
export const PreviewRowSchema = z.object({
  line: z.number().int(),
  date: z.string(),
  amount: z.string(),
  /** The payee as the bank file has it. */
  bankPayee: z.string(),
  /** The description (purpose, memo) as the bank file has it. */
  bankText: z.string(),
  bankId: z.string().nullable(),
  /** What would be booked: the bank's texts after the rules. */
  payee: z.string(),
  description: z.string(),
  category: NamedCategorySchema.nullable(),
  tags: z.array(z.string()),
  notes: z.string(),
  /** Set when the row would be skipped as a duplicate. */
  duplicate: PreviewDuplicateSchema.nullable(),
  /** The rules that would match the row (a new one), in the order they run. */
  rules: z.array(PreviewRuleSchema),
});

/** The preview answer: counts over the whole file, the first PREVIEW_ROWS rows. */
export const ImportPreviewSchema = z.object({
  importId: z.string(),
  account: z.object({ id: z.string(), name: z.string(), currency: z.string() }),
  counts: z.object({
    rows: z.number().int(),
    new: z.number().int(),
    duplicates: z.number().int(),
    /** New rows at least one rule would change. */
    ruleMatched: z.number().int(),
    /** New rows rules would give a category. */
    categorised: z.number().int(),
  }),
  rows: z.array(PreviewRowSchema),
  /** Whether the file has more rows than `rows` lists. */
  truncated: z.boolean(),
});
/** The preview answer's type. */
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;
