// The import wizard's live preview: how a CSV mapping reads a row's date and amount, computed in
// the browser as the user picks columns. The server parses again on commit; this only shows.

import { DATE_FORMATS, parseDate, parseDecimal } from "../../../src/imports/values.ts";

// The preview reads dates and amounts with the server's own parsers (pure, no Node APIs), so what
// it shows is what the commit will book.
export { DATE_FORMATS, parseDate };

/** A cell read as a canonical decimal amount ("-1234.5"), or undefined: the server's parser. */
export const parseAmount = parseDecimal;

/** How CSV columns become transactions (the API's mapping; columns are 0-based). */
export interface Mapping {
  hasHeader: boolean;
  skipRows: number;
  delimiter?: string;
  dateColumn: number;
  dateFormat: (typeof DATE_FORMATS)[number];
  amountColumn?: number | null;
  debitColumn?: number | null;
  creditColumn?: number | null;
  directionColumn?: number | null;
  creditValues?: string[];
  debitValues?: string[];
  decimalSeparator: "." | ",";
  thousandsSeparator: "" | "," | "." | " " | "'";
  payeeColumn?: number | null;
  descriptionColumns?: number[];
  currencyColumn?: number | null;
  externalIdColumn?: number | null;
  invertSign?: boolean;
}

function negate(amount: string): string {
  if (amount === "0") return amount;
  return amount.startsWith("-") ? amount.slice(1) : `-${amount}`;
}

/** The three ways a file can hold the amount (the API's mapping allows exactly these). */
export type AmountLayout = "signed" | "split" | "direction";

/** Which layout a mapping uses. */
export function layoutOf(mapping: Mapping): AmountLayout {
  if (mapping.amountColumn == null) return "split";
  return mapping.directionColumn == null ? "signed" : "direction";
}

/** The words banks use for money in and out in a direction column (the server's defaults). */
export const CREDIT_WORDS = ["c", "cr", "credit", "bij", "h", "haben", "+", "crdt", "gutschrift"];
export const DEBIT_WORDS = ["d", "dr", "debit", "af", "s", "soll", "-", "dbit", "lastschrift"];

/**
 * `mapping` switched to another amount layout, keeping the columns it already names and
 * guessing the rest from `width` columns (never the date or payee column, while others are free).
 */
export function withLayout(mapping: Mapping, layout: AmountLayout, width: number): Mapping {
  const taken = new Set<number>([mapping.dateColumn]);
  if (mapping.payeeColumn != null) taken.add(mapping.payeeColumn);
  const next = (preferred: number | null | undefined) => {
    if (preferred != null && !taken.has(preferred)) {
      taken.add(preferred);
      return preferred;
    }
    for (let i = 0; i < width; i++) {
      if (!taken.has(i)) {
        taken.add(i);
        return i;
      }
    }
    return 0;
  };
  switch (layout) {
    case "signed":
      return {
        ...mapping,
        amountColumn: next(mapping.amountColumn ?? mapping.debitColumn),
        debitColumn: null,
        creditColumn: null,
        directionColumn: null,
      };
    case "split":
      return {
        ...mapping,
        amountColumn: null,
        debitColumn: next(mapping.debitColumn ?? mapping.amountColumn),
        creditColumn: next(mapping.creditColumn),
        directionColumn: null,
        // The columns say which way the money went: flipping belongs to signed amounts only.
        invertSign: false,
      };
    case "direction":
      return {
        ...mapping,
        amountColumn: next(mapping.amountColumn ?? mapping.debitColumn),
        debitColumn: null,
        creditColumn: null,
        directionColumn: next(mapping.directionColumn ?? mapping.creditColumn),
        creditValues: mapping.creditValues?.length ? mapping.creditValues : CREDIT_WORDS,
        debitValues: mapping.debitValues?.length ? mapping.debitValues : DEBIT_WORDS,
        invertSign: false,
      };
  }
}

/** A row's signed amount under the mapping's layout, or why it has none (as the server says). */
function signedAmount(
  cell: (i: number | null | undefined) => string,
  mapping: Mapping,
): { amount?: string; problem?: string } {
  const read = (i: number | null | undefined) => {
    const text = cell(i).trim();
    return text === ""
      ? "0"
      : parseAmount(text, mapping.decimalSeparator, mapping.thousandsSeparator);
  };
  if (mapping.amountColumn == null) {
    const debit = read(mapping.debitColumn);
    const credit = read(mapping.creditColumn);
    if (debit === undefined) return { problem: "debit is not an amount" };
    if (credit === undefined) return { problem: "credit is not an amount" };
    if (debit !== "0" && credit !== "0") return { problem: "both debit and credit are filled" };
    // Banks write debits as positive numbers in the debit column, or already negative.
    return { amount: debit !== "0" ? (debit.startsWith("-") ? debit : negate(debit)) : credit };
  }
  const base = read(mapping.amountColumn);
  if (base === undefined) return { problem: "not an amount" };
  if (mapping.directionColumn == null) return { amount: base };
  const direction = cell(mapping.directionColumn).trim().toLowerCase();
  const magnitude = base.replace(/^-/, "");
  if ((mapping.creditValues ?? []).some((v) => v.toLowerCase() === direction)) {
    return { amount: magnitude };
  }
  if ((mapping.debitValues ?? []).some((v) => v.toLowerCase() === direction)) {
    return { amount: negate(magnitude) };
  }
  return { problem: `${JSON.stringify(direction)} is neither a credit nor a debit value` };
}

/** What one row of the preview becomes: date, amount and payee, or why it cannot. */
export function previewRow(
  row: readonly string[],
  mapping: Mapping,
): { date?: string; amount?: string; problem?: string; payee: string } {
  const cell = (i: number | null | undefined) => (i == null ? "" : (row[i] ?? ""));
  const { amount, problem } = signedAmount(cell, mapping);
  return {
    date: parseDate(cell(mapping.dateColumn), mapping.dateFormat),
    ...(amount === undefined ? {} : { amount: mapping.invertSign ? negate(amount) : amount }),
    ...(problem === undefined ? {} : { problem }),
    payee: cell(mapping.payeeColumn),
  };
}
