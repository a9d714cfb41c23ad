import { SaxesParser } from "saxes";
import { isCurrency } from "./currencies.ts";
import { isPlainDate } from "./dates.ts";
import { divideRounded, formatRate, parseRate, RATE_DECIMALS, type Rate } from "./fx.ts";

/**
 * The European Central Bank's euro foreign exchange reference rates, as its XML feeds publish
 * them (eurofxref-daily.xml: one day; eurofxref-hist-90d.xml: one `<Cube time=...>` per working
 * day of the last 90 days):
 *
 *   <Cube><Cube time="2026-03-05"><Cube currency="USD" rate="1.0834"/>...</Cube></Cube>
 *
 * A rate there is per euro ("1 EUR = 1.0834 USD"), while fintrack stores what one unit of a
 * currency is worth in the household's base currency; crossRates turns the one into the other.
 */

/** One day of the feed: the units of each currency one euro buys. */
export interface EcbDay {
  date: string;
  /** Currency code -> rate per euro, as exact decimal text. */
  perEuro: Map<string, string>;
}

/** Why a feed cannot be read: it is not the ECB's XML, or it is damaged. */
export class EcbFormatError extends Error {
  override readonly name = "EcbFormatError";
}

/** The most elements a feed may hold: the 90-day history has about 2,000, the full one 200,000. */
const MAX_ELEMENTS = 500_000;

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * Reads an ECB reference-rate feed, oldest day first. Currencies fintrack does not know and
 * rates that are not positive decimals are skipped (the feed is not ours to refuse line by line);
 * a document that is not XML, declares a DOCTYPE (entities are how XML bombs work) or holds no
 * dated Cube at all is refused with an EcbFormatError.
 */
export function parseEcbXml(text: string): EcbDay[] {
  const parser = new SaxesParser();
  const days = new Map<string, EcbDay>();
  let current: EcbDay | undefined;
  // Per open element: whether it is a dated Cube, whose end ends its day.
  const dated: boolean[] = [];
  let elements = 0;
  parser.on("doctype", () => {
    throw new EcbFormatError("the feed declares a DOCTYPE, which the ECB's never does");
  });
  parser.on("opentag", (tag) => {
    elements += 1;
    if (dated.length >= 20 || elements > MAX_ELEMENTS) {
      throw new EcbFormatError("the feed is larger or deeper than any ECB feed");
    }
    dated.push(false);
    if (localName(tag.name) !== "Cube") return;
    const attributes: Record<string, unknown> = tag.attributes;
    const { time, currency, rate } = attributes;
    if (typeof time === "string") {
      if (!isPlainDate(time))
        throw new EcbFormatError(`the day ${JSON.stringify(time)} is no date`);
      current = days.get(time) ?? { date: time, perEuro: new Map() };
      days.set(time, current);
      dated[dated.length - 1] = true;
    } else if (typeof currency === "string" && typeof rate === "string" && current) {
      const code = currency.trim();
      const value = rate.trim();
      if (code !== "EUR" && isCurrency(code) && parseRate(value) !== undefined) {
        current.perEuro.set(code, value);
      }
    }
  });
  parser.on("closetag", () => {
    // A currency Cube outside any dated Cube belongs to no day.
    if (dated.pop() === true) current = undefined;
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof EcbFormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new EcbFormatError(`the feed is not well-formed XML: ${message.slice(0, 200)}`);
  }
  if (days.size === 0) {
    throw new EcbFormatError("the feed holds no dated <Cube time=...>: it is not the ECB's XML");
  }
  return [...days.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** One rate to store: one unit of `currency` is worth `rate` units of the base currency. */
export interface CrossRate {
  currency: string;
  rate: string;
}

/** q / p as a rate rounded to RATE_DECIMALS, half away from zero; undefined when it rounds to 0. */
function divide(q: Rate, p: Rate): string | undefined {
  // (q.units / 10^q.scale) / (p.units / 10^p.scale) * 10^RATE_DECIMALS, in integers.
  const numerator = q.units * 10n ** BigInt(p.scale + RATE_DECIMALS);
  const denominator = p.units * 10n ** BigInt(q.scale);
  const units = divideRounded(numerator, denominator);
  return units === 0n ? undefined : formatRate({ units, scale: RATE_DECIMALS });
}

/**
 * A day's rates to `base`, by cross rates over the euro: one unit of X is worth
 * perEuro[base] / perEuro[X] of the base (perEuro[EUR] being 1), rounded once to 12 decimals,
 * half away from zero. The euro's own rate to a non-euro base is perEuro[base], exactly. The
 * base itself is left out, and so is everything when the day has no rate for the base.
 */
export function crossRates(day: EcbDay, base: string): CrossRate[] {
  const baseText = base === "EUR" ? "1" : day.perEuro.get(base);
  const basePerEuro = baseText === undefined ? undefined : parseRate(baseText);
  if (basePerEuro === undefined) return [];
  const rates: CrossRate[] = [];
  if (base !== "EUR") rates.push({ currency: "EUR", rate: formatRate(basePerEuro) });
  for (const [currency, text] of day.perEuro) {
    const perEuro = parseRate(text);
    if (currency === base || perEuro === undefined) continue;
    const rate = divide(basePerEuro, perEuro);
    if (rate !== undefined) rates.push({ currency, rate });
  }
  return rates.sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
