// The entry row's arithmetic: amounts typed as Outflow or Inflow (never a minus sign) become the
// API's signed decimal strings.
import { amountProblemMessage, exponentOf, fromMinor, readTypedAmount } from "./money.ts";

/** A signed amount for the API, or what is wrong and in which field. */
export type EntryAmount =
  { amount: string } | { problem: string; field: "outflow" | "inflow" | "transferAmount" };

function magnitude(
  text: string,
  currency: string,
  locale: string | undefined,
): { minor: bigint } | { problem: string } {
  const read = readTypedAmount(text, exponentOf(currency), locale);
  if ("problem" in read) return { problem: amountProblemMessage(read.problem, currency, locale) };
  return { minor: read.minor < 0n ? -read.minor : read.minor };
}

/**
 * The signed amount from the two fields: an outflow is money out (negative), an inflow money in.
 * Exactly one may be filled; a sign typed anyway is ignored, the field gives the direction.
 */
export function signedAmount(
  outflow: string,
  inflow: string,
  currency: string,
  locale?: string,
): EntryAmount {
  const out = outflow.trim();
  const inn = inflow.trim();
  if (out !== "" && inn !== "") {
    return { problem: "Fill in Outflow or Inflow, not both.", field: "inflow" };
  }
  if (out === "" && inn === "") {
    return { problem: "Enter an outflow or an inflow.", field: "outflow" };
  }
  const field = out !== "" ? "outflow" : "inflow";
  const read = magnitude(out !== "" ? out : inn, currency, locale);
  if ("problem" in read) return { problem: read.problem, field };
  const exponent = exponentOf(currency);
  return { amount: fromMinor(field === "outflow" ? -read.minor : read.minor, exponent) };
}

/**
 * What the other account of a transfer books, typed without a sign: money leaving this account
 * arrives there (positive), money arriving here left there (negative).
 */
export function otherSideAmount(
  typed: string,
  thisAmount: string,
  currency: string,
  locale?: string,
): EntryAmount {
  if (typed.trim() === "") {
    return { problem: "Enter what the other account books.", field: "transferAmount" };
  }
  const read = magnitude(typed, currency, locale);
  if ("problem" in read) return { problem: read.problem, field: "transferAmount" };
  const outgoing = thisAmount.startsWith("-");
  return { amount: fromMinor(outgoing ? read.minor : -read.minor, exponentOf(currency)) };
}
