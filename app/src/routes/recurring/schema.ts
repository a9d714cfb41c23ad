import { z } from "zod";
import { PathDateSchema, PlainDateSchema } from "../../domain/dates.ts";
import { IdSchema, PathIdSchema } from "../../http/ids.ts";
import { AmountTextSchema } from "../../http/schema.ts";

const fields = {
  name: z.string().trim().min(1).max(100),
  accountId: IdSchema,
  amount: AmountTextSchema,
  payee: z.string().max(200).default(""),
  description: z.string().max(1000).default(""),
  categoryId: IdSchema.nullable().default(null),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  unit: z.enum(["day", "week", "month", "year"]),
  every: z.number().int().min(1).max(1000).default(1),
  /** Monthly schedules: 1-31, or -1 for the last day of the month. */
  dayOfMonth: z
    .number()
    .int()
    .refine((d) => d === -1 || (d >= 1 && d <= 31), { message: "is not 1 to 31 or -1 (last day)" })
    .nullable()
    .default(null),
  startDate: PlainDateSchema,
  endDate: PlainDateSchema.nullable().default(null),
  occurrences: z.number().int().min(1).max(10000).nullable().default(null),
  autoPost: z.boolean().default(false),
  matchDays: z.number().int().min(0).max(31).default(3),
};

export const CreateRecurringSchema = z.object(fields);
export type CreateRecurring = z.infer<typeof CreateRecurringSchema>;

/** A PATCH changes only the fields it names. */
export const UpdateRecurringSchema = z.object(
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
  },
);
export type UpdateRecurring = z.infer<typeof UpdateRecurringSchema>;

export const RecurringSchema = z.object({
  id: z.string(),
  name: z.string(),
  accountId: z.string(),
  amount: z.string(),
  currency: z.string(),
  payee: z.string(),
  description: z.string(),
  categoryId: z.string().nullable(),
  tags: z.array(z.string()),
  unit: z.enum(["day", "week", "month", "year"]),
  every: z.number(),
  dayOfMonth: z.number().nullable(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  occurrences: z.number().nullable(),
  autoPost: z.boolean(),
  matchDays: z.number(),
});
export type RecurringJson = z.infer<typeof RecurringSchema>;

export const RecurringListSchema = z.object({ data: z.array(RecurringSchema) });

export const UpcomingQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
});

export const OccurrenceSchema = z.object({
  recurringId: z.string(),
  name: z.string(),
  date: z.string(),
  accountId: z.string(),
  amount: z.string(),
  currency: z.string(),
  payee: z.string(),
  autoPost: z.boolean(),
  /** On or before today and not yet posted or skipped. */
  due: z.boolean(),
});
export const UpcomingSchema = z.object({ data: z.array(OccurrenceSchema) });

export const OccurrenceParamsSchema = z.object({ id: PathIdSchema, date: PathDateSchema });

/** Confirming an occurrence may book another amount or date (a bill that came out different). */
export const PostOccurrenceSchema = z.object({
  amount: AmountTextSchema.optional(),
  date: PlainDateSchema.optional(),
});

export const PostedSchema = z.object({
  recurringId: z.string(),
  dueDate: z.string(),
  transactionId: z.string(),
  /** True when an existing transaction was matched instead of booking a new one. */
  matched: z.boolean(),
});
export type Posted = z.infer<typeof PostedSchema>;

export const PostDueSchema = z.object({ posted: z.array(PostedSchema) });
