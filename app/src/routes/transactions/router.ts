import type pg from "pg";
import { Counter, type Registry } from "prom-client";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import { getTransaction, listTransactions, summarizeTransactions } from "./read.ts";
import {
  BulkActionSchema,
  BulkResultSchema,
  CreateTransactionSchema,
  ListTransactionsQuerySchema,
  MAX_BULK_IDS,
  TransactionFiltersSchema,
  TransactionPageSchema,
  TransactionSchema,
  TransactionSummarySchema,
  UpdateTransactionSchema,
} from "./schema.ts";
import {
  bulkTransactions,
  createTransaction,
  deleteTransaction,
  type TransactionWriter,
  updateTransaction,
} from "./service.ts";

const tag = "transactions";
const notFound = { 404: problemResponse("No such transaction") };
const precondition = problemResponse(
  "If-Match names another version: the transaction changed since it was read",
);

/**
 * The transaction routes: the keyset-paginated list and its summary, create, read, change,
 * delete, and bulk actions.
 */
export function transactionRoutes(deps: { db: pg.Pool; registry: Registry }): Route[] {
  const { db } = deps;
  const writer: TransactionWriter = {
    db,
    created: new Counter({
      name: "fintrack_transactions_created_total",
      help: "Transactions booked through the API (a transfer books two)",
      registers: [deps.registry],
    }),
  };
  return [
    route({
      method: "get",
      path: "/transactions",
      operationId: "listTransactions",
      summary: "List transactions, newest first",
      description:
        "Keyset pagination: pass `nextCursor` as `cursor` for the next page. `categoryId` " +
        "includes subcategories and split lines; `q` searches payee, description and notes.",
      tag,
      access: "read",
      query: ListTransactionsQuerySchema,
      responses: {
        200: { description: "One page", schema: TransactionPageSchema },
        422: problemResponse("Invalid filters or cursor"),
      },
      handler: ({ query }) => listTransactions(db, query),
    }),
    route({
      method: "post",
      path: "/transactions",
      operationId: "createTransaction",
      summary: "Book a transaction or a transfer",
      tag,
      access: "write",
      versioned: true,
      body: CreateTransactionSchema,
      status: 201,
      responses: {
        201: { description: "The new transaction", schema: TransactionSchema },
        422: problemResponse("Invalid fields, unknown account or category, splits not adding up"),
      },
      handler: ({ body, principal }) => createTransaction(writer, body, principal.userId),
    }),
    // Before /transactions/:id, which would take "summary" for an id.
    route({
      method: "get",
      path: "/transactions/summary",
      operationId: "summarizeTransactions",
      summary: "Count and total the transactions matching the list's filters",
      description:
        "Takes the list's filters (`limit` and `cursor` are ignored) and answers the exact " +
        "count and, per currency, the sums of money in (`income`), money out (`expense`, " +
        "negative) and both (`net`), transfers included. One aggregate under a 2 s " +
        "statement timeout: when a broad query over many rows takes longer, `count` and " +
        "`totals` are null and `reason` says why (still 200: the list itself is unaffected).",
      tag,
      access: "read",
      query: TransactionFiltersSchema,
      responses: {
        200: { description: "The count and totals", schema: TransactionSummarySchema },
        422: problemResponse("Invalid filters, or a query the search language cannot parse"),
      },
      handler: ({ query }) => summarizeTransactions(db, query),
    }),
    route({
      method: "post",
      path: "/transactions/bulk",
      operationId: "bulkTransactions",
      summary: "Categorise, tag, untag or delete many transactions at once",
      description:
        `Names the transactions by \`ids\` (up to ${String(MAX_BULK_IDS)}) or by \`filter\` ` +
        "(the list's filters and search language: every transaction they select, however " +
        "many). All or nothing in one SQL transaction, each changed row audited as a single " +
        "edit would be. With `ids`, categorising a split transaction or a transfer is refused " +
        "(422 at `body.ids[i]`), never skipped: a split's lines carry the categories; " +
        "reconciled rows are refused with 409. With `filter`, such rows are left alone and " +
        "counted in `skipped`. Deleting one side of a transfer deletes both.",
      tag,
      access: "write",
      body: BulkActionSchema,
      responses: {
        200: { description: "What changed", schema: BulkResultSchema },
        409: problemResponse(
          "Some transactions are reconciled and locked: each is named at body.ids[i]",
        ),
        422: problemResponse(
          "Unknown ids or category, rows the action cannot apply to, or a filter's search " +
            "the language cannot parse",
        ),
      },
      handler: ({ body, principal }) => bulkTransactions(db, body, principal.userId),
    }),
    route({
      method: "get",
      path: "/transactions/:id",
      operationId: "getTransaction",
      summary: "Read a transaction",
      tag,
      access: "read",
      versioned: true,
      params: IdParamsSchema,
      responses: {
        200: { description: "The transaction", schema: TransactionSchema },
        ...notFound,
      },
      handler: ({ params }) => getTransaction(db, pathId(params.id, "the transaction")),
    }),
    route({
      method: "patch",
      path: "/transactions/:id",
      operationId: "updateTransaction",
      summary: "Change a transaction",
      description: "On a transfer, date and amount changes carry over to the other side.",
      tag,
      access: "write",
      versioned: true,
      params: IdParamsSchema,
      body: UpdateTransactionSchema,
      responses: {
        200: { description: "The changed transaction", schema: TransactionSchema },
        ...notFound,
        409: problemResponse("The transaction is reconciled: unlock it first"),
        412: precondition,
        422: problemResponse("Invalid fields"),
      },
      handler: ({ params, body, principal, ifMatch }) =>
        updateTransaction(
          db,
          pathId(params.id, "the transaction"),
          body,
          principal.userId,
          ifMatch,
        ),
    }),
    route({
      method: "delete",
      path: "/transactions/:id",
      operationId: "deleteTransaction",
      summary: "Delete a transaction (both sides of a transfer)",
      tag,
      access: "write",
      versioned: true,
      params: IdParamsSchema,
      status: 204,
      responses: {
        204: { description: "Deleted" },
        ...notFound,
        409: problemResponse("The transaction is reconciled: unlock it first"),
        412: precondition,
      },
      handler: async ({ params, principal, ifMatch }) => {
        await deleteTransaction(
          db,
          pathId(params.id, "the transaction"),
          principal.userId,
          ifMatch,
        );
        return undefined;
      },
    }),
  ];
}
