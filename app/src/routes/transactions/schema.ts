import { z } from "zod";
import { MAX_SPLITS } from "../../domain/splits.ts";
import { MAX_TAG_LENGTH, MAX_TAGS } from "../../domain/tags.ts";
import { PlainDateSchema } from "../../domain/dates.ts";
import { IdSchema } from "../../http/ids.ts";
import { AmountTextSchema } from "../../http/schema.ts";

/** Where a transaction stands with the bank. */
export const StatusSchema = z.enum(["pending", "cleared", "reconciled"]);

/** Tags: trimmed, duplicates dropped (first spelling kept), at most MAX_TAGS of MAX_TAG_LENGTH. */
export const TagsSchema = z
  .array(z.string().trim().min(1).max(MAX_TAG_LENGTH))
  .max(MAX_TAGS * 5)
  .transform((tags) => [...new Set(tags)])
  .refine((tags) => tags.length <= MAX_TAGS, { message: `at most ${MAX_TAGS} tags are allowed` });

/** One category line of a split transaction. */
export const SplitInputSchema = z.object({
  amount: AmountTextSchema,
  categoryId: IdSchema.nullable().optional(),
  memo: z.string().trim().max(200).default(""),
});
export type SplitInput = z.infer<typeof SplitInputSchema>;

const PayeeSchema = z.string().trim().max(200);
const DescriptionSchema = z.string().trim().max(1000);
const NotesSchema = z.string().max(5000);

/**
 * `POST /transactions`: only accountId, date and amount are required; the currency is the
 * account's. `transfer` makes a linked pair with another account; `transfer.amount` is what
 * that account receives or pays, required only when the two currencies differ.
 */
export const CreateTransactionSchema = z.object({
  accountId: IdSchema,
  date: PlainDateSchema,
  amount: AmountTextSchema,
  currency: z.string().optional(),
  payee: PayeeSchema.default(""),
  description: DescriptionSchema.default(""),
  notes: NotesSchema.default(""),
  categoryId: IdSchema.nullable().optional(),
  tags: TagsSchema.default([]),
  splits: z
    .array(SplitInputSchema)
    .max(MAX_SPLITS * 2)
    .default([]),
  transfer: z
    .object({ accountId: IdSchema, amount: AmountTextSchema.optional() })
    .nullable()
    .optional(),
  status: StatusSchema.default("cleared"),
});
export type CreateTransaction = z.infer<typeof CreateTransactionSchema>;

/**
 * `PATCH /transactions/:id`: any subset. `splits` replaces the lines (`[]` removes them); on a
 * transfer, `transfer.amount` restates the other side (needed when a cross-currency transfer
 * changes direction), and date and amount changes carry over to the other side.
 */
export const UpdateTransactionSchema = z.object({
  accountId: IdSchema.optional(),
  date: PlainDateSchema.optional(),
  amount: AmountTextSchema.optional(),
  currency: z.string().optional(),
  payee: PayeeSchema.optional(),
  description: DescriptionSchema.optional(),
  notes: NotesSchema.optional(),
  categoryId: IdSchema.nullable().optional(),
  tags: TagsSchema.optional(),
  splits: z
    .array(SplitInputSchema)
    .max(MAX_SPLITS * 2)
    .optional(),
  transfer: z
    .object({ accountId: IdSchema.optional(), amount: AmountTextSchema.optional() })
    .optional(),
  status: StatusSchema.optional(),
});
export type UpdateTransaction = z.infer<typeof UpdateTransactionSchema>;

/** The most transactions one page holds. */
export const MAX_PAGE_SIZE = 500;

/** `GET /transactions`: filters, and keyset pagination through the opaque `cursor`. */
export const ListTransactionsQuerySchema = z.object({
  accountId: IdSchema.optional(),
  /** Includes the category's subcategories and matching split lines. */
  categoryId: IdSchema.optional(),
  tag: z.string().trim().min(1).max(MAX_TAG_LENGTH).optional(),
  from: PlainDateSchema.optional(),
  to: PlainDateSchema.optional(),
  /**
   * Plain text: a case-insensitive substring of payee, description or notes. With field terms
   * (`payee:amazon amount:<-50 after:2026-01-01`), quotes, OR or `-term`: the search language.
   */
  q: z.string().min(1).max(200).optional(),
  status: StatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  cursor: z.string().max(200).optional(),
});
export type ListTransactionsQuery = z.infer<typeof ListTransactionsQuerySchema>;

/** `GET /transactions/summary`: the list's filters; `limit` and `cursor` mean nothing here. */
export const TransactionFiltersSchema = ListTransactionsQuerySchema.omit({
  limit: true,
  cursor: true,
});
export type TransactionFilters = z.infer<typeof TransactionFiltersSchema>;

/** The count and totals of the transactions matching the filters, per currency. */
export const TransactionSummarySchema = z.object({
  /** null when the aggregate ran out of time (see `reason`). */
  count: z.number().int().nullable(),
  totals: z
    .array(
      z.object({
        currency: z.string(),
        /** The sum of the positive amounts (money in). */
        income: z.string(),
        /** The sum of the negative amounts (money out), negative. */
        expense: z.string(),
        /** income + expense. */
        net: z.string(),
      }),
    )
    .nullable(),
  reason: z.string().optional(),
});
export type TransactionSummaryJson = z.infer<typeof TransactionSummarySchema>;

/** The most transactions one bulk action takes. */
export const MAX_BULK_IDS = 1000;

/**
 * `POST /transactions/bulk`: one action on many transactions, named either by `ids` or by
 * `filter` (the list's filters: every transaction they select), exactly one of the two.
 * `categorise` needs `categoryId` (null removes the category); `tag` and `untag` need `tag`.
 */
export const BulkActionSchema = z
  .object({
    ids: z.array(IdSchema).min(1).max(MAX_BULK_IDS).optional(),
    filter: TransactionFiltersSchema.optional(),
    action: z.enum(["categorise", "tag", "untag", "delete"]),
    categoryId: IdSchema.nullable().optional(),
    tag: z.string().trim().min(1).max(MAX_TAG_LENGTH).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.ids === undefined) === (body.filter === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [body.ids === undefined ? "ids" : "filter"],
        message:
          body.ids === undefined ? "ids or filter is required" : "give ids or filter, not both",
      });
    }
    if (body.action === "categorise" && body.categoryId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["categoryId"],
        message: "is required to categorise (null removes the category)",
      });
    }
    if ((body.action === "tag" || body.action === "untag") && body.tag === undefined) {
      ctx.addIssue({ code: "custom", path: ["tag"], message: `is required to ${body.action}` });
    }
  });
export type BulkAction = z.infer<typeof BulkActionSchema>;

/** A split line as the API shows it. */
export const SplitSchema = z.object({
  amount: z.string(),
  categoryId: z.string().nullable(),
  memo: z.string(),
});

/** A transaction as the API shows it; `transfer` names the other side of a transfer. */
export const TransactionSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  date: z.string(),
  amount: z.string(),
  currency: z.string(),
  payee: z.string(),
  description: z.string(),
  notes: z.string(),
  categoryId: z.string().nullable(),
  tags: z.array(z.string()),
  splits: z.array(SplitSchema),
  transfer: z.object({ accountId: z.string(), amount: z.string() }).nullable(),
  status: StatusSchema,
  /** Bumped by every change; `"<version>"` is the ETag that If-Match edits name. */
  version: z.string(),
});
export type TransactionJson = z.infer<typeof TransactionSchema>;

/** A page of transactions, newest first; `nextCursor` is null on the last page. */
export const TransactionPageSchema = z.object({
  data: z.array(TransactionSchema),
  nextCursor: z.string().nullable(),
});

/**
 * What a bulk action did: with `ids`, the transactions as they are now (none after a delete);
 * with `filter`, no transactions (there may be any number: read the list again).
 */
export const BulkResultSchema = z.object({
  action: z.enum(["categorise", "tag", "untag", "delete"]),
  /** Rows actually changed; rows that already were as asked are left alone (and unaudited). */
  changed: z.number().int(),
  data: z.array(TransactionSchema),
  /** Deleted ids, the other sides of deleted transfers included. */
  deleted: z.array(z.string()),
  /** With `filter`: how many transactions the filter selected. */
  matched: z.number().int().optional(),
  /**
   * With `filter`: the selected transactions left alone because the action cannot apply to
   * them (reconciled ones and transfers whose other side is; transfers and split transactions
   * when categorising; those already carrying the most tags when tagging).
   */
  skipped: z.number().int().optional(),
});
export type BulkResultJson = z.infer<typeof BulkResultSchema>;
