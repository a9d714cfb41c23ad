import { parse } from "csv-parse";
import { Readable } from "node:stream";
import type { Delimiter } from "./csv-dialect.ts";
import { ImportFileError, MAX_LINE_CHARS } from "./types.ts";

/** One CSV record and the line of the file it ends on (1-based). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

function asFileError(error: unknown): ImportFileError {
  if (error instanceof ImportFileError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const line =
    typeof error === "object" &&
    error !== null &&
    "lines" in error &&
    typeof error.lines === "number"
      ? error.lines
      : undefined;
  return new ImportFileError(
    `the CSV cannot be read: ${message.replace(/^Invalid [^:]*: /, "")}`,
    line,
  );
}

/**
 * Streams the records of CSV text (after `skipRows` preamble lines) with csv-parse: quoting,
 * embedded newlines and ragged rows are its business; records over MAX_LINE_CHARS fail.
 */
export async function* csvRecords(
  text: AsyncIterable<string>,
  options: { delimiter: Delimiter; skipRows: number },
): AsyncGenerator<CsvRecord> {
  const parser = Readable.from(text).pipe(
    parse({
      delimiter: options.delimiter,
      from_line: options.skipRows + 1,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      bom: true,
      info: true,
      max_record_size: MAX_LINE_CHARS,
    }),
  );
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (error) {
    throw asFileError(error);
  }
}
