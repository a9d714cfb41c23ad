import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import { today } from "../../read-model/conversion.ts";
import {
  CreateRecurringSchema,
  OccurrenceParamsSchema,
  PostDueSchema,
  PostedSchema,
  PostOccurrenceSchema,
  RecurringListSchema,
  RecurringSchema,
  UpcomingQuerySchema,
  UpcomingSchema,
  UpdateRecurringSchema,
} from "./schema.ts";
import {
  createRecurring,
  deleteRecurring,
  getRecurring,
  listRecurring,
  updateRecurring,
  upcoming,
} from "./service.ts";
import {
  postDueOccurrences,
  postOccurrence,
  skipOccurrence,
} from "../../write-model/recurring-occurrences.ts";

const tag = "recurring";
const notFound = { 404: problemResponse("No such recurring transaction") };
const what = "the recurring transaction";

/** Recurring transactions and bills: CRUD, upcoming occurrences, posting and skipping them. */
export function recurringRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/recurring",
      operationId: "listRecurring",
      summary: "List recurring transactions",
      tag,
      access: "read",
      responses: { 200: { description: "All of them", schema: RecurringListSchema } },
      handler: async () => ({ data: await listRecurring(db) }),
    }),
    route({
      method: "post",
      path: "/recurring",
      operationId: "createRecurring",
      summary: "Create a recurring transaction or bill",
      tag,
      access: "write",
      body: CreateRecurringSchema,
      status: 201,
      responses: {
        201: { description: "Created", schema: RecurringSchema },
        422: problemResponse("Invalid fields"),
      },
      handler: ({ body }) => createRecurring(db, body),
    }),
    route({
      method: "get",
      path: "/recurring/upcoming",
      operationId: "upcomingRecurring",
      summary: "Occurrences of the next days, and those of the last month awaiting confirmation",
      tag,
      access: "read",
      query: UpcomingQuerySchema,
      responses: {
        200: { description: "In date order", schema: UpcomingSchema },
        422: problemResponse("Invalid days"),
      },
      handler: ({ query }) => upcoming(db, query.days, today()),
    }),
    route({
      method: "post",
      path: "/recurring/post-due",
      operationId: "postDueRecurring",
      summary: "Post every due occurrence of the schedules that post automatically",
      tag,
      access: "write",
      responses: { 200: { description: "What was posted", schema: PostDueSchema } },
      handler: async () => ({ posted: await postDueOccurrences(db, today()) }),
    }),
    route({
      method: "get",
      path: "/recurring/:id",
      operationId: "getRecurring",
      summary: "Read a recurring transaction",
      tag,
      access: "read",
      params: IdParamsSchema,
      responses: { 200: { description: "It", schema: RecurringSchema }, ...notFound },
      handler: ({ params }) => getRecurring(db, pathId(params.id, what)),
    }),
    route({
      method: "patch",
      path: "/recurring/:id",
      operationId: "updateRecurring",
      summary: "Change a recurring transaction",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: UpdateRecurringSchema,
      responses: {
        200: { description: "Changed", schema: RecurringSchema },
        ...notFound,
        422: problemResponse("Invalid fields"),
      },
      handler: ({ params, body }) => updateRecurring(db, pathId(params.id, what), body),
    }),
    route({
      method: "delete",
      path: "/recurring/:id",
      operationId: "deleteRecurring",
      summary: "Delete a recurring transaction (its posted transactions stay)",
      tag,
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: { 204: { description: "Deleted" }, ...notFound },
      handler: async ({ params }) => {
        await deleteRecurring(db, pathId(params.id, what));
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/recurring/:id/occurrences/:date/post",
      operationId: "postRecurringOccurrence",
      summary: "Confirm an occurrence: match it to a booked transaction, or book it",
      tag,
      access: "write",
      params: OccurrenceParamsSchema,
      body: PostOccurrenceSchema,
      status: 201,
      responses: {
        201: { description: "Posted", schema: PostedSchema },
        404: problemResponse("No such recurring transaction or occurrence"),
        409: problemResponse("Already posted or skipped"),
        422: problemResponse("Invalid amount or date"),
      },
      handler: ({ params, body, principal }) =>
        postOccurrence(db, pathId(params.id, what), params.date, body, principal.userId),
    }),
    route({
      method: "post",
      path: "/recurring/:id/occurrences/:date/skip",
      operationId: "skipRecurringOccurrence",
      summary: "Skip an occurrence",
      tag,
      access: "write",
      params: OccurrenceParamsSchema,
      status: 204,
      responses: {
        204: { description: "Skipped" },
        404: problemResponse("No such recurring transaction or occurrence"),
        409: problemResponse("Already posted or skipped"),
      },
      handler: async ({ params }) => {
        await skipOccurrence(db, pathId(params.id, what), params.date);
        return undefined;
      },
    }),
  ];
}
