import { z } from "zod";
import { PathDateSchema, PlainDateSchema } from "../../domain/dates.ts";
import { CURRENCY_PATTERN, CurrencySchema } from "../../http/schema.ts";
import { parseRate, RATE_DECIMALS } from "../../domain/fx.ts";
import { MissingRateSchema } from "../../read-model/conversion.ts";

/** A rate as the API spells it: a positive exact decimal ("0.9213"). */
export const RateTextSchema = z
  .string()
  .max(40)
  .refine((text) => parseRate(text) !== undefined, {
    message: `is not a positive decimal with at most ${RATE_DECIMALS} decimals`,
  });

/** One exchange rate: one unit of `currency` is worth `rate` of the base currency from `date`. */
export const ExchangeRateSchema = z.object({
  currency: z.string(),
  date: z.string(),
  rate: z.string(),
});
export type ExchangeRateJson = z.infer<typeof ExchangeRateSchema>;

/** `POST /exchange-rates`: one rate entered by hand (replacing the pair's rate of that day). */
export const PutExchangeRateSchema = z.object({
  currency: CurrencySchema,
  date: PlainDateSchema,
  rate: RateTextSchema,
});
export type PutExchangeRate = z.infer<typeof PutExchangeRateSchema>;

/** `GET /exchange-rates`: newest first, optionally one currency and a date range. */
export const ListExchangeRatesQuerySchema = z.object({
  currency: CurrencySchema.optional(),
  from: PlainDateSchema.optional(),
  to: PlainDateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ExchangeRateListSchema = z.object({
  base: z.string(),
  data: z.array(ExchangeRateSchema),
});

export const CsvResultSchema = z.object({ stored: z.number().int() });

export const RateParamsSchema = z.object({
  currency: z.string().meta({ pattern: CURRENCY_PATTERN.source }),
  date: PathDateSchema,
});

/** `GET /exchange-rates/source`: whether and where the app fetches reference rates. */
export const RateSourceSchema = z.object({
  fetching: z.enum(["off", "on-request", "daily"]).meta({
    description:
      "off: rates are entered or uploaded by hand (POST /exchange-rates/fetch answers 409); " +
      "on-request: a member fetches them with POST /exchange-rates/fetch; daily: the app also " +
      "fetches them by itself a few times a day",
  }),
  source: z
    .string()
    .optional()
    .meta({ description: "The feed fetched from (its address without a query), unless off" }),
});
export type RateSource = z.infer<typeof RateSourceSchema>;

/** `POST /exchange-rates/fetch`: what the reference rates stored, and what is still missing. */
export const FetchResultSchema = z.object({
  source: z.string().meta({ description: "The feed read (its address without a query)" }),
  dates: z
    .array(z.string())
    .meta({ description: "The days whose rates were stored, oldest first" }),
  currencies: z.array(z.string()).meta({ description: "The currencies rates were stored for" }),
  stored: z.number().int().meta({ description: "How many rates were stored (days x currencies)" }),
  missingRates: z.array(MissingRateSchema).meta({
    description:
      "Currencies held with no rate in force over these dates (before their first rate): " +
      "reports still leave them out until rates are entered or imported",
  }),
});
export type FetchResult = z.infer<typeof FetchResultSchema>;
