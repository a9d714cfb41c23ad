import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { problemResponse } from "../../ledger/schema.ts";
import { netWorth, NetWorthQuerySchema, NetWorthSchema, reportRange } from "./net-worth.ts";

/** The report routes. */
export function reportRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/reports/net-worth",
      operationId: "netWorthReport",
      summary: "Net worth at each month end, per currency",
      description:
        "Every account counts, archived ones too; amounts are not converted between currencies.",
      tag: "reports",
      access: "read",
      query: NetWorthQuerySchema,
      responses: {
        200: { description: "One point per month end", schema: NetWorthSchema },
        422: problemResponse("Invalid months"),
      },
      handler: ({ query }) =>
        netWorth(db, reportRange(query, new Date().toISOString().slice(0, 10))),
    }),
  ];
}
