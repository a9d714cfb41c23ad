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
 * Formats a decimal string with its currency for `locale`, always signed ("+12.34 €",
 * "-12.34 €") so colour is never the only cue. Intl formats the string itself, so no float
 * rounding happens even for huge amounts.
 */
export function formatMoney(amount: string, currency: string, locale?: string): string {
  const key = `${locale ?? ""}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      signDisplay: "exceptZero",
    });
    formatters.set(key, formatter);
  }
  return formatter.format(amount as Intl.StringNumericLiteral);
}
