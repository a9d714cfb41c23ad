import { z } from "zod";
import { isCurrency } from "../domain/currencies.ts";
import { AMOUNT_PATTERN } from "../domain/money.ts";

/** The shape of a currency code: three upper-case letters. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const notACurrency = (issue: { input: unknown }) =>
  `${JSON.stringify(issue.input)} is not a supported ISO 4217 currency code (upper case, like "EUR")`;
/** An ISO 4217 code fintrack knows ("EUR"); anything else fails naming the field. */
export const CurrencySchema = z
  .string()
  // The shape for the OpenAPI document; which codes are known is checked after it.
  .regex(CURRENCY_PATTERN, { error: notACurrency, abort: true })
  .refine(isCurrency, { error: notACurrency });

/**
 * An amount as the API spells it ("-12.34"); its precision is checked against the currency. The
 * pattern is for the OpenAPI document only: parseAmount checks it, explaining a miss ("use a
 * point") better than a pattern could.
 */
export const AmountTextSchema = z.string().max(40).meta({ pattern: AMOUNT_PATTERN });

/** What error answers document in the OpenAPI document. */
export const problemResponse = (description: string) => ({
  description,
  contentType: "application/problem+json",
});
