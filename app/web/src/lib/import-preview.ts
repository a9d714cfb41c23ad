// The import wizard's live preview: how a CSV mapping reads a row's date and amount, computed in
// the browser as the user picks columns. The server parses again on commit; this only shows.

/** The date layouts the API accepts. */
export const DATE_FORMATS = [
  "YYYY-MM-DD",
  "DD.MM.YYYY",
  "DD/MM/YYYY",
  "MM/DD/YYYY",
  "DD-MM-YYYY",
  "YYYYMMDD",
  "DD MMM YYYY",
  "DD.MM.YY",
  "DD/MM/YY",
  "MM/DD/YY",
] as const;

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

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

function valid(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A cell read with a date layout as "YYYY-MM-DD", or undefined when it does not fit. */
export function parseDate(text: string, format: Mapping["dateFormat"]): string | undefined {
  const t = text.trim();
  const year = (yy: string) => (yy.length === 2 ? 2000 + Number(yy) : Number(yy));
  let m: RegExpExecArray | null;
  switch (format) {
    case "YYYY-MM-DD":
      m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(t);
      return m ? valid(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
    case "YYYYMMDD":
      m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
      return m ? valid(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
    case "DD MMM YYYY": {
      m = /^(\d{1,2})[ -]([A-Za-z]{3})[a-z]*[ -](\d{4})$/.exec(t);
      const month = m ? MONTHS.indexOf((m[2] ?? "").toLowerCase()) + 1 : 0;
      return m && month > 0 ? valid(Number(m[3]), month, Number(m[1])) : undefined;
    }
    case "MM/DD/YYYY":
    case "MM/DD/YY":
      m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(t);
      return m ? valid(year(m[3] ?? ""), Number(m[1]), Number(m[2])) : undefined;
    default: {
      const sep = format[2] ?? ".";
      const re = new RegExp(`^(\\d{1,2})\\${sep}(\\d{1,2})\\${sep}(\\d{2}|\\d{4})$`);
      m = re.exec(t);
      return m ? valid(year(m[3] ?? ""), Number(m[2]), Number(m[1])) : undefined;
    }
  }
}

// Spaces of every kind banks put into numbers, and currency marks, as the server drops them.
const SPACES = /[\s\u00a0\u202f\u2009]/g;
const CURRENCY_MARKS = /[€$£¥₣₤₹]|\b[A-Z]{3}\b/g;

/** Digits as a canonical decimal: no leading zeros, no trailing fraction zeros, no "-0". */
function canonical(negative: boolean, wholeDigits: string, fractionDigits: string): string {
  const whole = wholeDigits.replace(/^0+(?=\d)/, "") || "0";
  const fraction = fractionDigits.replace(/0+$/, "");
  const magnitude = fraction === "" ? whole : `${whole}.${fraction}`;
  return negative && /[1-9]/.test(magnitude) ? `-${magnitude}` : magnitude;
}

/** `text` without its thousands separators; undefined when they do not group by three. */
function ungrouped(
  text: string,
  decimal: Mapping["decimalSeparator"],
  thousands: Mapping["thousandsSeparator"],
): string | undefined {
  if (thousands === "" || thousands === " ") return text;
  const [whole = "", ...rest] = text.split(decimal);
  const groups = whole.split(thousands);
  if (groups.length > 1) {
    if (!/^\d{1,3}$/.test(groups[0] ?? "")) return undefined;
    if (!groups.slice(1).every((g) => /^\d{3}$/.test(g))) return undefined;
  }
  return [groups.join(""), ...rest].join(decimal);
}

/**
 * A cell read as a canonical decimal amount ("-1234.5"), or undefined when it is not one. Signs
 * in front or behind, parentheses for negatives, currency marks and grouping are understood the
 * way the server reads them on commit.
 */
export function parseAmount(
  text: string,
  decimal: Mapping["decimalSeparator"],
  thousands: Mapping["thousandsSeparator"],
): string | undefined {
  let t = text.replace(CURRENCY_MARKS, "").replace(SPACES, "");
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  if (/^[+-]/.test(t)) {
    negative = negative !== t.startsWith("-");
    t = t.slice(1);
  } else if (/[+-]$/.test(t)) {
    negative = negative !== t.endsWith("-");
    t = t.slice(0, -1);
  }
  const plain = ungrouped(t, decimal, thousands);
  if (plain === undefined) return undefined;
  t = decimal === "," ? plain.replace(",", ".") : plain;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(t) ?? /^()\.(\d+)$/.exec(t);
  if (match === null) return undefined;
  return canonical(negative, match[1] ?? "", match[2] ?? "");
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
