import { z } from "zod";
import { AccountTypeSchema } from "../../domain/account-types.ts";
import { PlainDateSchema } from "../../domain/dates.ts";
import { AmountTextSchema, CurrencySchema } from "../../http/schema.ts";

const NameSchema = z.string().trim().min(1).max(100);

/** `POST /accounts`: name, type and currency are required; the opening balance defaults to 0. */
export const CreateAccountSchema = z.object({
  name: NameSchema,
  type: AccountTypeSchema,
  currency: CurrencySchema,
  openingBalance: AmountTextSchema.default("0"),
  /** Defaults to today. */
  openingDate: PlainDateSchema.optional(),
  archived: z.boolean().default(false),
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
