import type pg from "pg";
import { errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  CsvResultSchema,
  ExchangeRateListSchema,
  ExchangeRateSchema,
  FetchResultSchema,
  ListExchangeRatesQuerySchema,
  PutExchangeRateSchema,
  RateParamsSchema,
  RateSourceSchema,
  type RateSource,
} from "./schema.ts";
import { shownUrl } from "./feed.ts";
import { deleteRate, fetchReferenceRates, listRates, putRate, uploadCsv } from "./service.ts";

const tag = "exchange-rates";
const CSV_TYPES = ["text/csv", "text/plain"] as const;

/** Where reference rates come from: an ECB-format XML feed, or none when fetching is off. */
export interface RateFeed {
  url: URL | undefined;
  /** Whether the app also fetches it by itself, a few times a day. */
  daily: boolean;
}

/** What GET /exchange-rates/source tells the UI, so it offers a fetch only where one can work. */
export function describeRateFeed(feed: RateFeed): RateSource {
  if (feed.url === undefined) return { fetching: "off" };
  return { fetching: feed.daily ? "daily" : "on-request", source: shownUrl(feed.url) };
}

/**
 * Exchange rates to the base currency: list, enter by hand, upload a CSV, fetch the reference
 * rates from the feed (none when FINTRACK_FX_SOURCE_URL is off), say where they come from, delete.
 */
export function exchangeRateRoutes(db: pg.Pool, base: string, feed: RateFeed): Route[] {
  const source = feed.url;
  return [
    route({
      method: "get",
      path: "/exchange-rates",
      operationId: "listExchangeRates",
      summary: "List exchange rates to the base currency, newest first",
      tag,
      access: "read",
      query: ListExchangeRatesQuerySchema,
      responses: {
        200: { description: "The rates", schema: ExchangeRateListSchema },
        422: problemResponse("Invalid filters"),
      },
      handler: ({ query }) => listRates(db, base, query),
    }),
    route({
      method: "post",
      path: "/exchange-rates",
      operationId: "putExchangeRate",
      summary: "Enter the rate of a currency on a day (replacing that day's rate)",
      description: "One unit of `currency` is worth `rate` units of the base currency.",
      tag,
      access: "write",
      body: PutExchangeRateSchema,
      status: 201,
      responses: {
        201: { description: "The stored rate", schema: ExchangeRateSchema },
        422: problemResponse("Invalid fields, or the base currency itself"),
      },
      handler: ({ body }) =>
        putRate(db, base, { line: 0, currency: body.currency, day: body.date, rate: body.rate }),
    }),
    route({
      method: "post",
      path: "/exchange-rates/csv",
      operationId: "uploadExchangeRates",
      summary: "Upload rates as CSV: date,currency,rate per line",
      description:
        "An optional header line; `,` or `;` separated. Every line is stored, or none: a 422 " +
        "names each bad line as `body.line[n]` (1-based).",
      tag,
      access: "write",
      rawBody: { contentTypes: CSV_TYPES, limit: "5mb" },
      status: 201,
      responses: {
        201: { description: "How many rates were stored", schema: CsvResultSchema },
        415: problemResponse("Not text/csv"),
        422: problemResponse("Bad lines"),
      },
      handler: ({ body, req }) => {
        if (!req.is([...CSV_TYPES])) throw errors.unsupportedMediaType("send text/csv");
        // rawBody routes get the bytes as `body`, which the zod-typed signature cannot say.
        const raw: unknown = body;
        const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : "";
        return uploadCsv(db, base, text);
      },
    }),
    route({
      method: "get",
      path: "/exchange-rates/source",
      operationId: "getExchangeRateSource",
      summary: "Whether and where the app fetches reference rates",
      tag,
      access: "read",
      responses: { 200: { description: "The rate source", schema: RateSourceSchema } },
      handler: () => Promise.resolve(describeRateFeed(feed)),
    }),
    route({
      method: "post",
      path: "/exchange-rates/fetch",
      operationId: "fetchExchangeRates",
      summary: "Fetch and store the daily reference rates from the configured source",
      description:
        "Reads the ECB-format feed FINTRACK_FX_SOURCE_URL names (by default the ECB's daily " +
        "euro reference rates; the 90-day history fills three months), converts its per-euro " +
        "rates to the base currency by cross rates, rounded to 12 decimals, and stores them, " +
        "replacing those days' rates. Answers what was stored and what reports still leave out. " +
        "502 when the source cannot be reached or read (nothing is stored), 409 when fetching " +
        "is off.",
      tag,
      access: "write",
      responses: {
        200: {
          description: "What was stored and what is still missing",
          schema: FetchResultSchema,
        },
        409: problemResponse("No rate source is configured (FINTRACK_FX_SOURCE_URL=off)"),
        502: problemResponse("The rate source failed: unreachable, too slow, or not ECB XML"),
      },
      handler: () => {
        if (source === undefined) {
          throw errors.conflict(
            "fetching reference rates is off for this household (FINTRACK_FX_SOURCE_URL=off; " +
              "under the operator, spec.app.exchangeRates.fetch: Never): enter or upload rates instead",
          );
        }
        return fetchReferenceRates(db, base, source);
      },
    }),
    route({
      method: "delete",
      path: "/exchange-rates/:currency/:date",
      operationId: "deleteExchangeRate",
      summary: "Delete the rate of a currency on a day",
      tag,
      access: "write",
      params: RateParamsSchema,
      status: 204,
      responses: { 204: { description: "Deleted" }, 404: problemResponse("No such rate") },
      handler: async ({ params }) => {
        await deleteRate(db, base, params.currency, params.date);
        return undefined;
      },
    }),
  ];
}
