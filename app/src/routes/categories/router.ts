import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  CategoryListSchema,
  CategorySchema,
  CreateCategorySchema,
  StarterSetSchema,
  UpdateCategorySchema,
} from "./schema.ts";
import {
  addStarterSet,
  createCategory,
  deleteCategory,
  getCategory,
  listCategories,
  updateCategory,
} from "./service.ts";

const tag = "categories";
const notFound = { 404: problemResponse("No such category") };

/** The category tree's routes: list, create, read, rename or move, delete. */
export function categoryRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/categories",
      operationId: "listCategories",
      summary: "List every category",
      tag,
      access: "read",
      responses: { 200: { description: "The categories, by name", schema: CategoryListSchema } },
      handler: async () => ({ data: await listCategories(db) }),
    }),
    route({
      method: "post",
      path: "/categories",
      operationId: "createCategory",
      summary: "Create a category",
      tag,
      access: "write",
      body: CreateCategorySchema,
      status: 201,
      responses: {
        201: { description: "The new category", schema: CategorySchema },
        409: problemResponse("A sibling has this name"),
        422: problemResponse("Invalid fields, unknown parent or a kind other than the parent's"),
      },
      handler: ({ body }) => createCategory(db, body),
    }),
    route({
      method: "post",
      path: "/categories/starter-set",
      operationId: "addStarterCategories",
      summary: "Add the starter category tree",
      description:
        "Adds a two-level tree of the categories most households track (income, housing, food, " +
        "transport, ...) in the language `locale` names, to a household that has no category " +
        "yet; every one can be renamed, moved or deleted afterwards. The empty categories " +
        "screen offers it.",
      tag,
      access: "write",
      body: StarterSetSchema,
      status: 201,
      responses: {
        201: { description: "Every category, the starter tree added", schema: CategoryListSchema },
        409: problemResponse("The household already has categories"),
      },
      handler: async ({ body }) => ({ data: await addStarterSet(db, body.locale) }),
    }),
    route({
      method: "get",
      path: "/categories/:id",
      operationId: "getCategory",
      summary: "Read a category",
      tag,
      access: "read",
      params: IdParamsSchema,
      responses: { 200: { description: "The category", schema: CategorySchema }, ...notFound },
      handler: ({ params }) => getCategory(db, pathId(params.id, "the category")),
    }),
    route({
      method: "patch",
      path: "/categories/:id",
      operationId: "updateCategory",
      summary: "Rename, re-kind or move a category",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: UpdateCategorySchema,
      responses: {
        200: { description: "The changed category", schema: CategorySchema },
        ...notFound,
        409: problemResponse("A sibling has this name"),
        422: problemResponse("Invalid fields, a cycle, or a kind other than the parent's"),
      },
      handler: ({ params, body }) => updateCategory(db, pathId(params.id, "the category"), body),
    }),
    route({
      method: "delete",
      path: "/categories/:id",
      operationId: "deleteCategory",
      summary: "Delete a category without subcategories",
      description: "Its transactions become uncategorised.",
      tag,
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: {
        204: { description: "Deleted" },
        ...notFound,
        409: problemResponse("The category has subcategories"),
      },
      handler: async ({ params, principal }) => {
        await deleteCategory(db, pathId(params.id, "the category"), principal.userId);
        return undefined;
      },
    }),
  ];
}
