import { z } from "zod";

/** The most suggestions one answer holds. */
export const MAX_PAYEE_SUGGESTIONS = 50;

/** `GET /payees`: what was typed (a part of the name, any case or accents), and how many. */
export const PayeeQuerySchema = z.object({
  q: z.string().max(200).default(""),
  limit: z.coerce.number().int().min(1).max(MAX_PAYEE_SUGGESTIONS).default(10),
});
export type PayeeQuery = z.infer<typeof PayeeQuerySchema>;

/** A payee to suggest: the group's most used spelling, its use and its last category. */
export const PayeeSuggestionSchema = z.object({
  payee: z.string(),
  /** The category of the payee's most recent transaction that had one. */
  categoryId: z.string().nullable(),
  /** Transactions booked to any spelling of the payee. */
  uses: z.number().int(),
  /** The day of the most recent of them, YYYY-MM-DD. */
  lastUsed: z.string(),
});
export type PayeeSuggestionJson = z.infer<typeof PayeeSuggestionSchema>;

/** The suggestions, best first. */
export const PayeeSuggestionListSchema = z.object({ data: z.array(PayeeSuggestionSchema) });
