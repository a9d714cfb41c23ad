import { z } from "zod";

/** The kinds of account a household keeps. */
export const AccountTypeSchema = z.enum([
  "checking",
  "savings",
  "credit_card",
  "cash",
  "loan",
  "asset",
]);
export type AccountType = z.infer<typeof AccountTypeSchema>;
