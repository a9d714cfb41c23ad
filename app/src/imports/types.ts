/** The bank file formats fintrack reads. */
export type ImportFormat = "csv" | "ofx" | "qif" | "camt053" | "mt940";

/** One split line of an imported transaction (QIF splits): a decimal amount and a memo. */
export interface ImportedSplit {
  amount: string;
  memo: string;
}

/**
 * One transaction read from a bank file, before it meets an account: a plain date, a decimal
 * amount with "." as the point (negative = money out), the texts, and the bank's own id if any.
 */
export interface ImportedRow {
  /** The 1-based line of the file where the transaction starts (or its record ends, for CSV). */
  line: number;
  date: string;
  amount: string;
  currency?: string;
  payee: string;
  description: string;
  externalId?: string;
  splits?: ImportedSplit[];
}

/** Why one row of a file cannot be imported, named by its line (and column, for CSV). */
export interface RowProblem {
  line: number;
  column?: string;
  message: string;
}

/** What a parser yields for each transaction: the row, or why it is unreadable. */
export type ParsedItem = { row: ImportedRow } | { problem: RowProblem };

/**
 * The whole file cannot be read (not this format, truncated, hostile). Parsers throw only this,
 * so any input gives rows or a typed error.
 */
export class ImportFileError extends Error {
  override readonly name = "ImportFileError";
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.line = line;
  }
}

/** The longest line (or XML text) a parser accepts; hostile 10 MB lines fail early. */
export const MAX_LINE_CHARS = 100_000;
