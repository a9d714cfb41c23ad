import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  CreateReconciliationSchema,
  FinishReconciliationSchema,
  ReconciliationListSchema,
  ReconciliationParamsSchema,
  ReconciliationSchema,
  UpdateReconciliationSchema,
} from "./schema.ts";
import {
  cancelReconciliation,
  createReconciliation,
  finishReconciliation,
  getReconciliation,
  listReconciliations,
  unlockTransaction,
  updateReconciliation,
} from "./service.ts";

const tag = "reconciliations";
const notFound = { 404: problemResponse("No such account or reconciliation") };
const finished = { 409: problemResponse("The reconciliation is finished") };

function ids(params: { id: string; rid: string }): [string, string] {
  return [pathId(params.id, "the account"), pathId(params.rid, "the reconciliation")];
}

/**
 * Reconciling an account against a bank statement: open one with the statement's closing date
 * and balance, tick the transactions it shows, watch the difference, finish at zero. Finished
 * transactions are locked until unlocked one by one.
 */
export function reconciliationRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/accounts/:id/reconciliations",
      operationId: "listReconciliations",
      summary: "List an account's reconciliations, newest first",
      tag,
      access: "read",
      params: IdParamsSchema,
      responses: {
        200: { description: "The reconciliations", schema: ReconciliationListSchema },
        ...notFound,
      },
      handler: async ({ params }) => ({
        data: await listReconciliations(db, pathId(params.id, "the account")),
      }),
    }),
    route({
      method: "post",
      path: "/accounts/:id/reconciliations",
      operationId: "createReconciliation",
      summary: "Start reconciling an account against a statement",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: CreateReconciliationSchema,
      status: 201,
      responses: {
        201: { description: "The open reconciliation", schema: ReconciliationSchema },
        ...notFound,
        409: problemResponse("Another reconciliation of the account is open"),
        422: problemResponse("Invalid fields"),
      },
      handler: ({ params, body, principal }) =>
        createReconciliation(db, pathId(params.id, "the account"), body, principal.userId),
    }),
    route({
      method: "get",
      path: "/accounts/:id/reconciliations/:rid",
      operationId: "getReconciliation",
      summary: "Read a reconciliation with its balances and difference",
      tag,
      access: "read",
      params: ReconciliationParamsSchema,
      responses: {
        200: { description: "The reconciliation", schema: ReconciliationSchema },
        ...notFound,
      },
      handler: ({ params }) => getReconciliation(db, ...ids(params)),
    }),
    route({
      method: "patch",
      path: "/accounts/:id/reconciliations/:rid",
      operationId: "updateReconciliation",
      summary: "Restate the statement, tick or untick transactions",
      description:
        "Ticked transactions must belong to the account, be booked on or before the " +
        "statement date and not be reconciled yet.",
      tag,
      access: "write",
      params: ReconciliationParamsSchema,
      body: UpdateReconciliationSchema,
      responses: {
        200: { description: "The reconciliation", schema: ReconciliationSchema },
        ...notFound,
        ...finished,
        422: problemResponse("Invalid fields or transactions that cannot be ticked"),
      },
      handler: ({ params, body, principal }) =>
        updateReconciliation(db, ...ids(params), body, principal.userId),
    }),
    route({
      method: "post",
      path: "/accounts/:id/reconciliations/:rid/finish",
      operationId: "finishReconciliation",
      summary: "Finish a reconciliation: the ticked transactions become reconciled",
      tag,
      access: "write",
      description:
        "With `{adjust: true}` a difference left is booked as one balancing transaction on the " +
        "statement date and reconciled with the rest; without it, a difference is refused.",
      params: ReconciliationParamsSchema,
      body: FinishReconciliationSchema,
      responses: {
        200: { description: "The finished reconciliation", schema: ReconciliationSchema },
        ...notFound,
        409: problemResponse("A difference remains, or it is finished already"),
      },
      handler: ({ params, body, principal }) =>
        finishReconciliation(db, ...ids(params), principal.userId, body),
    }),
    route({
      method: "delete",
      path: "/accounts/:id/reconciliations/:rid",
      operationId: "cancelReconciliation",
      summary: "Cancel an open reconciliation",
      tag,
      access: "write",
      params: ReconciliationParamsSchema,
      status: 204,
      responses: { 204: { description: "Cancelled" }, ...notFound, ...finished },
      handler: async ({ params, principal }) => {
        await cancelReconciliation(db, ...ids(params), principal.userId);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/transactions/:id/unlock",
      operationId: "unlockTransaction",
      summary: "Unlock a reconciled transaction for editing",
      description:
        "Reconciled transactions refuse edits and deletes (409). Unlocking returns the " +
        "transaction (both sides of a transfer) to `cleared`; the audit log records it.",
      tag: "transactions",
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: { 204: { description: "Unlocked" }, 404: problemResponse("No such transaction") },
      handler: async ({ params, principal }) => {
        await unlockTransaction(db, pathId(params.id, "the transaction"), principal.userId);
        return undefined;
      },
    }),
  ];
}
