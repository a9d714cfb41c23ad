import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { PayeeQuerySchema, PayeeSuggestionListSchema } from "./schema.ts";
import { listPayeeSuggestions } from "./service.ts";

const tag = "payees";

/** Payees: suggestions for the payee field, taken from the transactions booked so far. */
export function payeeRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/payees",
      operationId: "listPayees",
      summary: "Suggest payees, each with the category it was last booked to",
      description:
        "Distinct payees of the household's transactions (transfers apart), ranked by use and " +
        "recency. Near-duplicate spellings (case, accents, punctuation, a trailing store word " +
        "or branch number: 'REWE Markt', 'REWE', 'Rewe') are one suggestion shown as the most " +
        "used spelling. `q` keeps the payees whose name contains it, those starting with it " +
        "first.",
      tag,
      access: "read",
      query: PayeeQuerySchema,
      responses: {
        200: { description: "The suggestions, best first", schema: PayeeSuggestionListSchema },
      },
      handler: async ({ query }) => ({ data: await listPayeeSuggestions(db, query) }),
    }),
  ];
}
