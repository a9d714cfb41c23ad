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

/** A cell read as a decimal amount ("-1234.50"), or undefined when it is not one. */
export function parseAmount(
  text: string,
  decimal: Mapping["decimalSeparator"],
  thousands: Mapping["thousandsSeparator"],
): string | undefined {
  let t = text
    .trim()
    .replace(/\s/g, thousands === " " ? "" : " ")
    .trim();
  if (thousands !== "" && thousands !== " ") t = t.split(thousands).join("");
  if (decimal === ",") t = t.replace(",", ".");
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  if (t.endsWith("-")) {
    negative = true;
    t = t.slice(0, -1);
  }
  if (t.startsWith("+")) t = t.slice(1);
  if (t.startsWith("-")) {
    negative = !negative;
    t = t.slice(1);
  }
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  return negative ? `-${t}` : t;
}

/** What one row of the preview becomes: date, amount and payee, or why it cannot. */
export function previewRow(
  row: readonly string[],
  mapping: Mapping,
): { date?: string; amount?: string; payee: string } {
  const cell = (i: number | null | undefined) => (i == null ? "" : (row[i] ?? ""));
  let amount: string | undefined;
  if (mapping.amountColumn != null) {
    amount = parseAmount(
      cell(mapping.amountColumn),
      mapping.decimalSeparator,
      mapping.thousandsSeparator,
    );
  } else if (mapping.debitColumn != null && mapping.creditColumn != null) {
    const credit = parseAmount(
      cell(mapping.creditColumn) || "0",
      mapping.decimalSeparator,
      mapping.thousandsSeparator,
    );
    const debit = parseAmount(
      cell(mapping.debitColumn) || "0",
      mapping.decimalSeparator,
      mapping.thousandsSeparator,
    );
    if (credit !== undefined && debit !== undefined) {
      amount = String(Math.round((Number(credit) - Math.abs(Number(debit))) * 100) / 100);
    }
  }
  if (amount !== undefined && mapping.invertSign) {
    amount = amount.startsWith("-") ? amount.slice(1) : `-${amount}`;
  }
  return {
    date: parseDate(cell(mapping.dateColumn), mapping.dateFormat),
    amount,
    payee: cell(mapping.payeeColumn),
  };
}
