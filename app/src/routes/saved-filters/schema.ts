import { z } from "zod";
import { PlainDateSchema } from "../../domain/dates.ts";
import { MAX_TAG_LENGTH } from "../../domain/tags.ts";
import { IdSchema } from "../../http/ids.ts";

/** The most saved filters a household keeps. */
export const MAX_SAVED_FILTERS = 100;

/**
 * What a saved filter selects: the filters GET /transactions takes (`limit` and `cursor`
 * apart), `q` in the search language. Kept here rather than taken from the transactions
 * folder, as route folders do not import each other; the register passes it to the list as is.
 */
export const SavedFilterCriteriaSchema = z.object({
  q: z.string().min(1).max(200).optional(),
  accountId: IdSchema.optional(),
  categoryId: IdSchema.optional(),
  tag: z.string().trim().min(1).max(MAX_TAG_LENGTH).optional(),
  from: PlainDateSchema.optional(),
  to: PlainDateSchema.optional(),
  status: z.enum(["pending", "cleared", "reconciled"]).optional(),
});
export type SavedFilterCriteria = z.infer<typeof SavedFilterCriteriaSchema>;

/** `POST /saved-filters`: a name, unique regardless of case, and what it selects. */
export const CreateSavedFilterSchema = z.object({
  name: z.string().trim().min(1).max(100),
  filter: SavedFilterCriteriaSchema,
});
export type CreateSavedFilter = z.infer<typeof CreateSavedFilterSchema>;

/** A saved filter as the API shows it. */
export const SavedFilterSchema = z.object({
  id: z.string(),
  name: z.string(),
  filter: SavedFilterCriteriaSchema,
  createdAt: z.string(),
});
export type SavedFilterJson = z.infer<typeof SavedFilterSchema>;

/** The household's saved filters, by name. */
export const SavedFilterListSchema = z.object({ data: z.array(SavedFilterSchema) });
