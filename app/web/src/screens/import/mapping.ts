// The column mapping a CSV file starts with: the one remembered for its bank, else a default.
import type { Mapping } from "../../lib/import-preview.ts";

// A bank's mapping is remembered per header line: the next file from that bank maps itself.
const profileKey = (columns: readonly string[]) => `fintrack.import.${columns.join("|")}`;

/** The mapping last used for files with `columns` as their header, if any. */
export function rememberedMapping(columns: readonly string[]): Mapping | undefined {
  try {
    const text = localStorage.getItem(profileKey(columns));
    return text === null ? undefined : (JSON.parse(text) as Mapping);
  } catch {
    return undefined;
  }
}

/** Remembers `mapping` for the next file with `columns` as its header. */
export function rememberMapping(columns: readonly string[], mapping: Mapping): void {
  localStorage.setItem(profileKey(columns), JSON.stringify(mapping));
}

/** A first guess: a header line, the date in column 1 and the signed amount in column 2. */
export function defaultMapping(): Mapping {
  return {
    hasHeader: true,
    skipRows: 0,
    dateColumn: 0,
    dateFormat: "YYYY-MM-DD",
    amountColumn: 1,
    decimalSeparator: ".",
    thousandsSeparator: "",
    payeeColumn: null,
    descriptionColumns: [],
    invertSign: false,
  };
}
