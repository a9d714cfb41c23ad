import { z } from "zod";
import { IdSchema } from "../../http/ids.ts";

/** Whether a category classifies money coming in or going out. */
export const CategoryKindSchema = z.enum(["income", "expense"]);

const NameSchema = z.string().trim().min(1).max(100);

/** `POST /categories`: a child may leave out `kind` and takes its parent's. */
export const CreateCategorySchema = z.object({
  name: NameSchema,
  kind: CategoryKindSchema.optional(),
  parentId: IdSchema.nullable().optional(),
});
export type CreateCategory = z.infer<typeof CreateCategorySchema>;

/** `PATCH /categories/:id`: rename, change kind, or move (`parentId` null moves to the top). */
export const UpdateCategorySchema = z.object({
  name: NameSchema.optional(),
  kind: CategoryKindSchema.optional(),
  parentId: IdSchema.nullable().optional(),
});
export type UpdateCategory = z.infer<typeof UpdateCategorySchema>;

/** A category as the API shows it; `parentId` is null at the top level. */
export const CategorySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: CategoryKindSchema,
  parentId: z.string().nullable(),
});
export type CategoryJson = z.infer<typeof CategorySchema>;

/** `GET /categories`: the whole tree as a flat list. */
export const CategoryListSchema = z.object({ data: z.array(CategorySchema) });

/** `POST /categories/starter-set`: the language of the starter tree (a BCP 47 tag; English else). */
export const StarterSetSchema = z.object({
  locale: z
    .string()
    .trim()
    .max(100)
    .optional()
    .describe(
      "A language tag such as de-AT or an Accept-Language list; en, de, nl, fr, es are written",
    ),
});
