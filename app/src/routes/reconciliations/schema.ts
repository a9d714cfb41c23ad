import { z } from "zod";
import { PlainDateSchema } from "../../domain/dates.ts";
import { IdSchema, PathIdSchema } from "../../http/ids.ts";
import { AmountTextSchema } from "../../http/schema.ts";

/** `POST /accounts/:id/reconciliations`: the statement's closing date and balance. */
export const CreateReconciliationSchema = z.object({
  statementDate: PlainDateSchema,
  statementBalance: AmountTextSchema,
});
export type CreateReconciliation = z.infer<typeof CreateReconciliationSchema>;

/** `PATCH .../reconciliations/:rid`: restate the statement, tick and untick transactions. */
export const UpdateReconciliationSchema = z.object({
  statementDate: PlainDateSchema.optional(),
  statementBalance: AmountTextSchema.optional(),
  tick: z.array(IdSchema).max(5000).default([]),
  untick: z.array(IdSchema).max(5000).default([]),
});
export type UpdateReconciliation = z.infer<typeof UpdateReconciliationSchema>;

/**
 * `POST .../reconciliations/:rid/finish`: with `adjust`, a difference left is booked as one
 * balancing transaction on the statement date (payee "Reconciliation adjustment") and reconciled
 * with the rest, so the account agrees with the statement.
 */
export const FinishReconciliationSchema = z.object({ adjust: z.boolean().default(false) });
export type FinishReconciliation = z.infer<typeof FinishReconciliationSchema>;

/** Path parameters of one reconciliation of one account. */
export const ReconciliationParamsSchema = z.object({ id: PathIdSchema, rid: PathIdSchema });

/**
 * A reconciliation: `previousBalance` is the opening balance plus what earlier reconciliations
 * reconciled, `clearedBalance` adds the ticked transactions, `difference` is what the statement
 * says minus that. Finishing needs a difference of zero, or `adjust` to book it.
 */
export const ReconciliationSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  statementDate: z.string(),
  statementBalance: z.string(),
  status: z.enum(["open", "finished"]),
  tickedTransactionIds: z.array(z.string()),
  previousBalance: z.string(),
  tickedTotal: z.string(),
  clearedBalance: z.string(),
  difference: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** The balancing transaction booked on finishing with `adjust`; null when none was needed. */
  adjustmentTransactionId: z.string().nullable(),
});
export type ReconciliationJson = z.infer<typeof ReconciliationSchema>;

export const ReconciliationListSchema = z.object({ data: z.array(ReconciliationSchema) });
