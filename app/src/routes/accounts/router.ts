import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  AccountListSchema,
  AccountSchema,
  CreateAccountSchema,
  ListAccountsQuerySchema,
  UpdateAccountSchema,
} from "./schema.ts";
import {
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
} from "./service.ts";

const tag = "accounts";
const notFound = { 404: problemResponse("No such account") };
const precondition = problemResponse(
  "If-Match names another version: the account changed since it was read",
);

/** The account routes: list with balances, create, read, change and delete. */
export function accountRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/accounts",
      operationId: "listAccounts",
      summary: "List accounts with their balances",
      tag,
      access: "read",
      query: ListAccountsQuerySchema,
      responses: { 200: { description: "The accounts, by name", schema: AccountListSchema } },
      handler: async ({ query }) => ({ data: await listAccounts(db, query.archived) }),
    }),
    route({
      method: "post",
      path: "/accounts",
      operationId: "createAccount",
      summary: "Open an account",
      tag,
      access: "write",
      versioned: true,
      body: CreateAccountSchema,
      status: 201,
      responses: {
        201: { description: "The new account", schema: AccountSchema },
        409: problemResponse("An account with this name exists"),
        422: problemResponse("Invalid fields"),
      },
      handler: ({ body, principal }) => createAccount(db, body, principal.userId),
    }),
    route({
      method: "get",
      path: "/accounts/:id",
      operationId: "getAccount",
      summary: "Read an account",
      tag,
      access: "read",
      versioned: true,
      params: IdParamsSchema,
      responses: { 200: { description: "The account", schema: AccountSchema }, ...notFound },
      handler: ({ params }) => getAccount(db, pathId(params.id, "the account")),
    }),
    route({
      method: "patch",
      path: "/accounts/:id",
      operationId: "updateAccount",
      summary: "Change an account",
      description: "The currency cannot change once the account has transactions (409).",
      tag,
      access: "write",
      versioned: true,
      params: IdParamsSchema,
      body: UpdateAccountSchema,
      responses: {
        200: { description: "The changed account", schema: AccountSchema },
        ...notFound,
        409: problemResponse("Name taken, or a currency change on an account in use"),
        412: precondition,
        422: problemResponse("Invalid fields"),
      },
      handler: ({ params, body, principal, ifMatch }) =>
        updateAccount(db, pathId(params.id, "the account"), body, principal.userId, ifMatch),
    }),
    route({
      method: "delete",
      path: "/accounts/:id",
      operationId: "deleteAccount",
      summary: "Delete an account without transactions",
      description: "An account with transactions cannot be deleted (409): archive it instead.",
      tag,
      access: "write",
      versioned: true,
      params: IdParamsSchema,
      status: 204,
      responses: {
        204: { description: "Deleted" },
        ...notFound,
        409: problemResponse("The account has transactions"),
        412: precondition,
      },
      handler: async ({ params, principal, ifMatch }) => {
        await deleteAccount(db, pathId(params.id, "the account"), principal.userId, ifMatch);
        return undefined;
      },
    }),
  ];
}
