import { z } from "zod";
import { IdSchema } from "../../http/ids.ts";
import { AmountTextSchema } from "../../http/schema.ts";

/** `PUT /budgets?month=`: the month's budgets, replacing what was set for it. */
export const PutBudgetsSchema = z.object({
  lines: z
    .array(
      z.object({
        categoryId: IdSchema,
        amount: AmountTextSchema,
        /** Whether the category's leftover carries into the next month (for every month). */
        rollover: z.boolean().optional(),
      }),
    )
    .max(1000),
});
export type PutBudgets = z.infer<typeof PutBudgetsSchema>;

export const BudgetsSchema = z.object({
  month: z.string(),
  from: z.string(),
  to: z.string(),
  monthStartDay: z.number().int(),
  currency: z.string(),
  lines: z.array(z.object({ categoryId: z.string(), amount: z.string(), rollover: z.boolean() })),
  version: z.string().meta({
    description:
      'A digest of the lines (`"<version>"` is the ETag): send it as If-Match to replace exactly what was read.',
  }),
});
export type BudgetsJson = z.infer<typeof BudgetsSchema>;

export const BudgetSettingsSchema = z.object({ monthStartDay: z.number().int().min(1).max(28) });
