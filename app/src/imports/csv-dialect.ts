import { parse } from "csv-parse/sync";

/** The delimiters CSV files from banks use. */
export const DELIMITERS = [",", ";", "\t", "|"] as const;
/** One of the delimiters. */
export type Delimiter = (typeof DELIMITERS)[number];

/** How a CSV file is laid out: its delimiter and the preamble lines before its header. */
export interface CsvDialect {
  delimiter: Delimiter;
  /** Lines before the header (or the first record when there is no header). */
  skipRows: number;
}

const OPTIONS = { relax_quotes: true, relax_column_count: true } as const;

// Each line's fields under `delimiter`. All lines are parsed in one go when that gives one
// record per line (a parser costs more to start than to run over a line); a quoted newline or
// an unreadable line makes them parsed one by one, each on its own.
function tryParse(lines: readonly string[], delimiter: Delimiter): string[][] {
  try {
    const all: string[][] = parse(lines.join("\n"), { ...OPTIONS, delimiter });
    if (all.length === lines.length) return all;
  } catch {
    // one of the lines does not read: below, it is the only one that fails
  }
  const records: string[][] = [];
  for (const line of lines) {
    try {
      const parsed: string[][] = parse(line, { ...OPTIONS, delimiter });
      records.push(parsed[0] ?? []);
    } catch {
      records.push([line]);
    }
  }
  return records;
}

// The longest run of consecutive lines with the same number of fields (at least 2), and where
// it starts: a preamble above and a summary below have other widths.
function longestRun(widths: readonly number[]): { start: number; length: number; width: number } {
  let best = { start: 0, length: 0, width: 0 };
  let start = 0;
  for (let i = 1; i <= widths.length; i++) {
    if (i < widths.length && widths[i] === widths[start]) continue;
    const width = widths[start] ?? 0;
    const length = i - start;
    if (width >= 2 && (length > best.length || (length === best.length && width > best.width))) {
      best = { start, length, width };
    }
    start = i;
  }
  return best;
}

/**
 * Finds the delimiter and the preamble of a CSV file from its first lines: the delimiter whose
 * field count is the same over the longest run of lines wins, and that run starts at the header.
 */
export function detectDialect(sampleText: string): CsvDialect {
  const lines = sampleText
    .split(/\r\n|\n|\r/)
    .slice(0, 200)
    .filter((line, index, all) => index < all.length - 1 || line.length > 0);
  let best: { delimiter: Delimiter; start: number; length: number; width: number } = {
    delimiter: ",",
    start: 0,
    length: 0,
    width: 0,
  };
  for (const delimiter of DELIMITERS) {
    const widths = tryParse(lines, delimiter).map((record) =>
      record.every((cell) => cell.trim() === "") ? 0 : record.length,
    );
    const run = longestRun(widths);
    if (run.length > best.length || (run.length === best.length && run.width > best.width)) {
      best = { delimiter, ...run };
    }
  }
  return { delimiter: best.delimiter, skipRows: best.start };
}
