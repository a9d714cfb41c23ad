import { z } from "zod";
import { MappingSchema } from "../../imports/csv-mapping.ts";

/** An import as the API shows it. */
export const ImportSchema = z.object({
  id: z.string(),
  accountId: z.string().nullable(),
  filename: z.string(),
  format: z.enum(["csv", "ofx", "qif", "camt053", "mt940"]),
  encoding: z.string(),
  size: z.number().int(),
  rowCount: z.number().int(),
  status: z.enum(["uploading", "uploaded", "committing", "committed", "undone"]),
  processed: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  createdAt: z.string(),
  committedAt: z.string().nullable(),
});
/** An import's JSON. */
export type ImportJson = z.infer<typeof ImportSchema>;

/** The upload answer: the import plus what the file looks like. */
export const UploadSchema = ImportSchema.extend({
  preview: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) }),
  suggestedMapping: MappingSchema.nullable(),
});

/** The commit request: a mapping for CSV; without one the suggested mapping is used. */
export const CommitSchema = z.object({ mapping: MappingSchema.optional() });

/** A row skipped as a duplicate, and why. */
export const SkippedSchema = z.object({
  line: z.number().int(),
  reason: z.enum(["bank_id", "fingerprint", "matched"]),
  transactionId: z.string().nullable(),
});

/** The commit answer. */
export const CommitResultSchema = z.object({
  imported: z.number().int(),
  duplicates: z.number().int(),
  errors: z.array(
    z.object({ line: z.number().int(), column: z.string().optional(), message: z.string() }),
  ),
  skipped: z.array(SkippedSchema),
});
/** The commit answer's type. */
export type CommitResult = z.infer<typeof CommitResultSchema>;
