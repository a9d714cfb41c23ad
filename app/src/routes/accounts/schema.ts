import { z } from "zod";
import { AccountTypeSchema } from "../../domain/account-types.ts";
import { PlainDateSchema } from "../../domain/dates.ts";
import { MAX_IBAN_TEXT, parseIban } from "../../domain/iban.ts";
import { AmountTextSchema, CurrencySchema } from "../../http/schema.ts";

const NameSchema = z.string().trim().min(1).max(100);

/**
 * An IBAN as people type it (spaces and lower case are fine): its country, its length for that
 * country and its checksum are checked, and the message says which failed.
 */
const IbanTextSchema = z
  .string()
  .max(MAX_IBAN_TEXT)
  .superRefine((text, context) => {
    const read = parseIban(text);
    if ("problem" in read) context.addIssue({ code: "custom", message: read.message });
  });

/** `POST /accounts`: name, type and currency are required; the opening balance defaults to 0. */
export const CreateAccountSchema = z.object({
  name: NameSchema,
  type: AccountTypeSchema,
  currency: CurrencySchema,
  openingBalance: AmountTextSchema.default("0"),
  /** Defaults to today. */
  openingDate: PlainDateSchema.optional(),
  archived: z.boolean().default(false),
  /** The account's IBAN, so bank files that name it are imported into it; null for none. */
  iban: IbanTextSchema.nullable().optional(),
});
export type CreateAccount = z.infer<typeof CreateAccountSchema>;

/** `PATCH /accounts/:id`: any subset of the fields. */
export const UpdateAccountSchema = z.object({
  name: NameSchema.optional(),
  type: AccountTypeSchema.optional(),
  currency: CurrencySchema.optional(),
  openingBalance: AmountTextSchema.optional(),
  openingDate: PlainDateSchema.optional(),
  archived: z.boolean().optional(),
  /**
   * Closes the account on that day (it must have a zero balance and no later transaction) and
   * archives it; `null` reopens it.
   */
  closedOn: PlainDateSchema.nullable().optional(),
  /** The account's IBAN; `null` forgets it. */
  iban: IbanTextSchema.nullable().optional(),
});
export type UpdateAccount = z.infer<typeof UpdateAccountSchema>;

/** `GET /accounts?archived=true|false`: without it, every account. */
export const ListAccountsQuerySchema = z.object({
  archived: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
});

/** An account as the API shows it; `balance` is the opening balance plus every transaction. */
export const AccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: AccountTypeSchema,
  currency: z.string(),
  openingBalance: z.string(),
  openingDate: z.string(),
  archived: z.boolean(),
  /** The day the account closed; no transaction may be dated after it. */
  closedOn: z.string().nullable(),
  /** The account's IBAN in its printed form ("DE89 3704 0044 0532 0130 00"), or null. */
  iban: z.string().nullable(),
  balance: z.string(),
  /**
   * Bumped by every edit of the account (not by its balance moving); `"<version>"` is the ETag
   * that If-Match edits name.
   */
  version: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

/** `GET /accounts`. */
export const AccountListSchema = z.object({ data: z.array(AccountSchema) });
