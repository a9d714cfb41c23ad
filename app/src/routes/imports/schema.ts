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
  /** `expired`: not committed within 7 days, its file deleted; upload the file again. */
  status: z.enum(["uploading", "uploaded", "committing", "committed", "undone", "expired"]),
  processed: z.number().int(),
  imported: z.number().int(),
  duplicates: z.number().int(),
  /** Why the last commit did not finish (refused, or interrupted); null once one succeeds. */
  error: z.string().nullable(),
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

/**
 * The commit request: for CSV a mapping, or the id of a named profile to reuse; without either the
 * suggested mapping is used.
 */
export const CommitSchema = z
  .object({ mapping: MappingSchema.optional(), profileId: z.string().max(20).optional() })
  .refine((body) => body.mapping === undefined || body.profileId === undefined, {
    message: "give a mapping or a profileId, not both",
    path: ["profileId"],
  });

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
