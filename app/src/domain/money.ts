import { currencyExponent } from "./currencies.ts";

/**
 * An amount of money: an integer number of minor units (cents, fils, yen) in an ISO 4217
 * currency. Never a floating-point number; `minor` is exact at any size.
 */
export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

/** Thrown by parseAmount when a text is not a canonical decimal amount for its currency. */
export class MoneyParseError extends Error {
  override readonly name = "MoneyParseError";
  readonly input: string;

  constructor(input: string, problem: string) {
    super(`invalid amount ${quote(input)}: ${problem}`);
    this.input = input;
  }
}

/** Thrown when two amounts in different currencies meet in one operation. */
export class CurrencyMismatchError extends Error {
  override readonly name = "CurrencyMismatchError";
  readonly expected: string;
  readonly actual: string;

  constructor(operation: string, expected: string, actual: string) {
    super(`cannot ${operation} amounts in different currencies: ${expected} and ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Builds a Money after checking the currency is known. */
export function money(minor: bigint, currency: string): Money {
  currencyExponent(currency);
  return Object.freeze({ minor, currency });
}

/** Zero in `currency`. */
export function zero(currency: string): Money {
  return money(0n, currency);
}

// The only accepted shape: optional sign, at least one digit, and optionally a point followed by
// at least one digit. ASCII digits only, spelled out so no other script's digits slip in.
const AMOUNT = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;

/** The shape parseAmount accepts, as a pattern for the OpenAPI document. */
export const AMOUNT_PATTERN = AMOUNT.source;

/**
 * Parses a decimal string such as "-12.34" into exact minor units, never through a JS number.
 * Strict: no spaces, separators, exponents or bare points; at most the currency's decimals.
 */
export function parseAmount(text: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  const match = AMOUNT.exec(text);
  if (match === null) throw new MoneyParseError(text, diagnose(text));
  const [, sign = "", whole = "", fraction = ""] = match;
  if (fraction.length > exponent) {
    const allowed = exponent === 0 ? "allows no decimals" : `allows at most ${exponent} decimals`;
    const found = `${fraction.length} decimal${fraction.length === 1 ? "" : "s"}`;
    throw new MoneyParseError(text, `has ${found} but ${currency} ${allowed}`);
  }
  const magnitude = BigInt(whole + fraction.padEnd(exponent, "0"));
  // bigint has no negative zero, so "-0.00" is plain 0n.
  return money(sign === "-" ? -magnitude : magnitude, currency);
}

// Explains why a text failed the AMOUNT pattern, checking the common mistakes first.
function diagnose(text: string): string {
  const checks: readonly (readonly [RegExp, string])[] = [
    [/^$/, "the amount is empty"],
    [/\s/, "whitespace is not allowed"],
    [/[,'’_]/, "separators are not allowed; use digits only and '.' as the decimal point"],
    [/^[+-]?[0-9.]+[eE][+-]?[0-9]*$/, "exponent notation is not allowed"],
    [/^[+-]?\./, "at least one digit is required before the decimal point"],
    [/\.$/, "at least one digit is required after the decimal point"],
    [/\..*\./, "only one decimal point is allowed"],
    [/^[+-]{2}|.[+-]/, "a sign is only allowed once, at the start"],
    [/^[+-]?$/, "a sign must be followed by digits"],
  ];
  for (const [pattern, problem] of checks) {
    if (pattern.test(text)) return problem;
  }
  return "expected an optional sign, digits, and optionally '.' followed by digits";
}

function quote(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(shown);
}

/** The canonical API form: "-12.34", "1230" for JPY, "0.005" for 5 fils; never "-0.00". */
export function formatAmount(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const negative = value.minor < 0n;
  const digits = (negative ? -value.minor : value.minor).toString().padStart(exponent + 1, "0");
  const split = digits.length - exponent;
  const whole = digits.slice(0, split);
  const fraction = exponent === 0 ? "" : `.${digits.slice(split)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

function sameCurrency(operation: string, a: Money, b: Money): string {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(operation, a.currency, b.currency);
  return a.currency;
}

/** a + b; both in the same currency. */
export function add(a: Money, b: Money): Money {
  return money(a.minor + b.minor, sameCurrency("add", a, b));
}

/** a - b; both in the same currency. */
export function subtract(a: Money, b: Money): Money {
  return money(a.minor - b.minor, sameCurrency("subtract", a, b));
}

/** -a (zero stays zero). */
export function negate(a: Money): Money {
  return money(-a.minor, a.currency);
}

/** The total of `list`, every item in `currency`; zero for an empty list. */
export function sum(list: readonly Money[], currency: string): Money {
  let total = zero(currency);
  for (const item of list)
    total = money(total.minor + item.minor, sameCurrency("sum", total, item));
  return total;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b; both in the same currency. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency("compare", a, b);
  if (a.minor < b.minor) return -1;
  return a.minor > b.minor ? 1 : 0;
}

/** Whether the amount is exactly zero. */
export function isZero(a: Money): boolean {
  return a.minor === 0n;
}

/** Whether the amount is below zero. */
export function isNegative(a: Money): boolean {
  return a.minor < 0n;
}

/**
 * Splits `value` into parts proportional to non-negative integer `ratios` that sum exactly to it.
 * Each part is its exact share rounded toward zero; the leftover minor units go to the parts that
 * lost the most to rounding (largest remainder), so no part is a full unit off its share and a
 * zero-ratio part always gets zero. Negative amounts split as the negation of the positive split.
 */
export function allocate(value: Money, ratios: readonly bigint[] | readonly number[]): Money[] {
  const list: readonly (bigint | number)[] = ratios;
  if (list.length === 0) throw new RangeError("allocate needs at least one ratio");
  const weights = list.map((ratio, index) => {
    if (typeof ratio === "number" && !Number.isSafeInteger(ratio)) {
      throw new RangeError(`ratio ${index} is ${ratio}, not a (safe) integer`);
    }
    const weight = BigInt(ratio);
    if (weight < 0n) throw new RangeError(`ratio ${index} is ${weight}, must not be negative`);
    return weight;
  });
  const total = weights.reduce((acc, weight) => acc + weight, 0n);
  if (total === 0n) throw new RangeError("allocate needs at least one ratio above zero");

  const negative = value.minor < 0n;
  const magnitude = negative ? -value.minor : value.minor;
  const parts = weights.map((weight) => (magnitude * weight) / total);
  // Largest remainder: the leftover units go to the parts whose exact share lost the most to
  // rounding down (earlier parts first on ties), so every part is within one unit of its share
  // and a part whose share was exact never gets more.
  const leftover = magnitude - parts.reduce((acc, part) => acc + part, 0n);
  const byRemainder = weights
    .map((weight, index) => ({ index, remainder: (magnitude * weight) % total }))
    .filter(({ remainder }) => remainder > 0n)
    .sort((a, b) =>
      a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
    )
    .slice(0, Number(leftover))
    .map(({ index }) => index);
  const topUp = new Set(byRemainder);
  return parts.map((part, index) => {
    const share = topUp.has(index) ? part + 1n : part;
    return money(negative ? -share : share, value.currency);
  });
}

/**
 * Formats for people with Intl.NumberFormat, e.g. "1.234,56 €" for de-DE. Exact at any size: the
 * decimal string goes to Intl as is, and the currency's ISO decimals are always shown.
 */
export function formatForDisplay(value: Money, locale: string): string {
  const exponent = currencyExponent(value.currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: "currency",
    currency: value.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl formats numeric strings as exact decimals (no conversion to number); formatAmount's
  // output is always such a string, which the lib's template-literal type cannot express.
  return formatter.format(formatAmount(value) as `${number}`);
}
