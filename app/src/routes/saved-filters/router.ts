import type pg from "pg";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { route, type Route } from "../../http/route.ts";
import { problemResponse } from "../../http/schema.ts";
import { CreateSavedFilterSchema, SavedFilterListSchema, SavedFilterSchema } from "./schema.ts";
import { createSavedFilter, deleteSavedFilter, listSavedFilters } from "./service.ts";

const tag = "saved-filters";

/**
 * Saved filters: named searches of the register (`q` in the search language and the list's
 * other filters), the household's to share, picked again from the register.
 */
export function savedFilterRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/saved-filters",
      operationId: "listSavedFilters",
      summary: "List the household's saved filters, by name",
      tag,
      access: "read",
      responses: { 200: { description: "The saved filters", schema: SavedFilterListSchema } },
      handler: async () => ({ data: await listSavedFilters(db) }),
    }),
    route({
      method: "post",
      path: "/saved-filters",
      operationId: "createSavedFilter",
      summary: "Save a filter of the transaction list under a name",
      description:
        "`filter` takes what GET /transactions takes (`limit` and `cursor` apart); it is " +
        "stored as given and read again when the filter is used, so a search that no longer " +
        "matches anything (a renamed account) finds nothing rather than failing.",
      tag,
      access: "write",
      body: CreateSavedFilterSchema,
      status: 201,
      responses: {
        201: { description: "The saved filter", schema: SavedFilterSchema },
        409: problemResponse("The name is taken, or the household keeps the most it may"),
        422: problemResponse("Invalid name or filters"),
      },
      handler: ({ body, principal }) => createSavedFilter(db, body, principal.userId),
    }),
    route({
      method: "delete",
      path: "/saved-filters/:id",
      operationId: "deleteSavedFilter",
      summary: "Delete a saved filter",
      tag,
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: {
        204: { description: "Deleted" },
        404: problemResponse("No such saved filter"),
      },
      handler: async ({ params }) => {
        await deleteSavedFilter(db, pathId(params.id, "the saved filter"));
        return undefined;
      },
    }),
  ];
}
