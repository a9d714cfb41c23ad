// Money in the browser: amounts stay decimal strings ("-12.34") or bigint minor units, never
// floats, so sums and split remainders are exact. Formatting goes through Intl.

const exponents = new Map<string, number>();

/** The number of decimals a currency uses (JPY 0, EUR 2, BHD 3), as Intl knows it. */
export function exponentOf(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    try {
      exponent =
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      exponent = 2;
    }
    exponents.set(currency, exponent);
  }
  return exponent;
}

/**
 * Parses what a person typed ("12.3", "-1,50", "+7") into minor units; undefined when it is not
 * a number or has more decimals than the currency allows.
 */
export function toMinor(text: string, exponent: number): bigint | undefined {
  const match = /^([+-]?)(\d*)(?:[.,](\d*))?$/.exec(text.trim().replace(/[\s_']/g, ""));
  if (!match) return undefined;
  const [, sign = "", whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return undefined;
  if (fraction.length > exponent) return undefined;
  const digits = `${whole || "0"}${fraction.padEnd(exponent, "0")}`;
  const minor = BigInt(digits);
  return sign === "-" ? -minor : minor;
}

/** Why typed text is not an amount. */
export type AmountProblem = "empty" | "not-a-number" | "too-many-decimals";

const decimalSeparators = new Map<string, string>();

/** The decimal separator `locale` writes ("," for de, "." for en). */
function decimalSeparatorOf(locale: string | undefined): string {
  const key = locale ?? "";
  let separator = decimalSeparators.get(key);
  if (separator === undefined) {
    const parts = new Intl.NumberFormat(locale).formatToParts(1.5);
    separator = parts.find((p) => p.type === "decimal")?.value ?? ".";
    decimalSeparators.set(key, separator);
  }
  return separator;
}

/** Whether `whole` is digits grouped by `group` in threes ("1.234.567"). */
function isGrouped(whole: string, group: string): boolean {
  const groups = whole.split(group);
  const [first = "", ...rest] = groups;
  return /^\d{1,3}$/.test(first) && rest.length > 0 && rest.every((g) => /^\d{3}$/.test(g));
}

/**
 * The decimal separator of `body` (digits, "." and ","), or undefined when it has none: with
 * both kinds the last one; one kind repeated is grouping; a lone one is the decimal separator,
 * unless exactly three digits follow and `locale` writes its decimals with the other kind.
 */
function decimalSeparatorIn(body: string, locale: string | undefined): string | undefined {
  const dot = body.lastIndexOf(".");
  const comma = body.lastIndexOf(",");
  if (dot >= 0 && comma >= 0) return dot > comma ? "." : ",";
  if (dot < 0 && comma < 0) return undefined;
  const only = dot >= 0 ? "." : ",";
  if (body.split(only).length > 2) return undefined;
  // "1.234" reads as a thousand and more, or as one and a bit: the locale decides.
  const ambiguous = /^[1-9]\d{0,2}[.,]\d{3}$/.test(body);
  return ambiguous && decimalSeparatorOf(locale) !== only ? undefined : only;
}

/** The digits of a whole part, grouping removed; undefined when it is grouped wrongly. */
function wholeDigits(whole: string, decimal: string | undefined): string | undefined {
  if (!/[.,]/.test(whole)) return whole;
  const group = decimal === "." ? "," : decimal === "," ? "." : whole.includes(".") ? "." : ",";
  return isGrouped(whole, group) ? whole.split(group).join("") : undefined;
}

/**
 * Reads an amount as a person types it in any common locale ("1.234,56", "1,234.56",
 * "1 234,56", "-12,5", "€12"); see decimalSeparatorIn for how "." and "," are told apart.
 */
export function readTypedAmount(
  text: string,
  exponent: number,
  locale: string | undefined,
): { minor: bigint } | { problem: AmountProblem } {
  const compact = text.replace(/\u2212/g, "-").replace(/[\s'\u2019_]|\p{Sc}/gu, "");
  if (compact === "") return { problem: "empty" };
  const match = /^([+-]?)([\d.,]*\d[\d.,]*)$/.exec(compact);
  if (!match) return { problem: "not-a-number" };
  const [, sign = "", body = ""] = match;
  const decimal = decimalSeparatorIn(body, locale);
  const at = decimal === undefined ? body.length : body.lastIndexOf(decimal);
  const whole = wholeDigits(body.slice(0, at), decimal);
  const fraction = body.slice(at + 1);
  if (whole === undefined || !/^\d*$/.test(fraction)) return { problem: "not-a-number" };
  if (fraction.length > exponent) return { problem: "too-many-decimals" };
  const minor = BigInt(`${whole || "0"}${fraction.padEnd(exponent, "0")}`);
  return { minor: sign === "-" ? -minor : minor };
}

/** What to tell a person whose typed amount could not be read, with an example in `locale`. */
export function amountProblemMessage(
  problem: AmountProblem,
  currency: string,
  locale: string | undefined,
): string {
  const exponent = exponentOf(currency);
  if (problem === "empty") return "Enter an amount.";
  if (problem === "too-many-decimals") {
    return exponent === 0
      ? `${currency} amounts have no decimals.`
      : `${currency} amounts have at most ${String(exponent)} decimals.`;
  }
  const example = new Intl.NumberFormat(locale, {
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  const big = example.format(fromMinor(123456n, exponent) as Intl.StringNumericLiteral);
  const small = example.format(fromMinor(-1250n, exponent) as Intl.StringNumericLiteral);
  return `Not an amount: type digits, such as ${big} or ${small}.`;
}

/** Minor units as the API's decimal string: 1234n, 2 -> "12.34"; -5n, 2 -> "-0.05". */
export function fromMinor(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

/** Normalizes typed input to the API's form ("12.3" -> "12.30"), or undefined when invalid. */
export function normalizeAmount(text: string, currency: string): string | undefined {
  const exponent = exponentOf(currency);
  const minor = toMinor(text, exponent);
  return minor === undefined ? undefined : fromMinor(minor, exponent);
}

/** The exact sum of decimal strings in one currency; invalid entries count as zero. */
export function sumAmounts(amounts: readonly string[], currency: string): string {
  const exponent = exponentOf(currency);
  const total = amounts.reduce((sum, a) => sum + (toMinor(a, exponent) ?? 0n), 0n);
  return fromMinor(total, exponent);
}

/** The sign of a decimal string: -1, 0 or 1. */
export function signOf(amount: string): -1 | 0 | 1 {
  const trimmed = amount.trim();
  if (trimmed.startsWith("-") && /[1-9]/.test(trimmed)) return -1;
  return /[1-9]/.test(trimmed) ? 1 : 0;
}

/** Negates a decimal string exactly. */
export function negate(amount: string): string {
  const trimmed = amount.trim().replace(/^\+/, "");
  if (signOf(trimmed) === 0) return trimmed.replace(/^-/, "");
  return trimmed.startsWith("-") ? trimmed.slice(1) : `-${trimmed}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Formats a decimal string with its currency for `locale`, signed ("+12.34 €", "-12.34 €") so
 * colour is never the only cue; `signed` false leaves a positive amount bare ("12.34 €") where
 * the words around it give the direction ("12.34 € a day"). Intl formats the string itself, so no float
 * rounding happens even for huge amounts.
 */
export function formatMoney(
  amount: string,
  currency: string,
  locale?: string,
  signed = true,
): string {
  const key = `${locale ?? ""}|${currency}|${String(signed)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      signDisplay: signed ? "exceptZero" : "auto",
    });
    formatters.set(key, formatter);
  }
  return formatter.format(amount as Intl.StringNumericLiteral);
}
