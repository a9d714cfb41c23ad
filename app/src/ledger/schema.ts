import { z } from "zod";
import { isCurrency } from "../domain/currencies.ts";

/** An ISO 4217 code fintrack knows ("EUR"); anything else fails naming the field. */
const notACurrency = (issue: { input: unknown }) =>
  `${JSON.stringify(issue.input)} is not a supported ISO 4217 currency code (upper case, like "EUR")`;
export const CurrencySchema = z
  .string()
  // The shape for the OpenAPI document; which codes are known is checked after it.
  .regex(/^[A-Z]{3}$/, { error: notACurrency, abort: true })
  .refine(isCurrency, { error: notACurrency });

/** An amount as the API spells it ("-12.34"); its precision is checked against the currency. */
export const AmountTextSchema = z.string().max(40);

/** What error answers document in the OpenAPI document. */
export const problemResponse = (description: string) => ({
  description,
  contentType: "application/problem+json",
});
