import { parse } from "csv-parse";
import { finished } from "node:stream/promises";
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
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : "";
  const line =
    typeof error === "object" &&
    error !== null &&
    "lines" in error &&
    typeof error.lines === "number"
      ? error.lines
      : undefined;
  if (code === "CSV_MAX_RECORD_SIZE")
    return new ImportFileError(`a record is longer than ${MAX_LINE_CHARS} characters`, line);
  return new ImportFileError(
    `the CSV cannot be read: ${message.replace(/^Invalid [^:]*: /, "")}`,
    line,
  );
}

/**
 * Streams the records of CSV text (after `skipRows` preamble lines) with csv-parse: quoting,
 * embedded newlines and ragged rows are its business; records over MAX_LINE_CHARS fail. Yields
 * the records of each text chunk together: a million rows cost a thousand async steps, not
 * several million, which is most of the time and garbage a large import spends outside SQL.
 * An error of the text source itself (a decoding error, a lost database) is rethrown as it is.
 */
export async function* csvRecordBatches(
  text: AsyncIterable<string>,
  options: { delimiter: Delimiter; skipRows: number },
): AsyncGenerator<CsvRecord[]> {
  const parser = parse({
    delimiter: options.delimiter,
    from_line: options.skipRows + 1,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    bom: true,
    info: true,
    max_record_size: MAX_LINE_CHARS,
  });
  let batch: CsvRecord[] = [];
  let parseError: unknown;
  parser.on("data", (item: { record: string[]; info: { lines: number } }) => {
    batch.push({ line: item.info.lines, cells: item.record });
  });
  parser.on("error", (error: unknown) => {
    parseError ??= error;
  });
  const take = (): CsvRecord[] => {
    if (parseError !== undefined) throw asFileError(parseError);
    const taken = batch;
    batch = [];
    return taken;
  };
  // One chunk is written, and its records handed on, before the next chunk is read: the
  // consumer's pace is the parse's pace, so memory holds one chunk's records at most.
  for await (const chunk of text) {
    parser.write(chunk);
    const records = take();
    if (records.length > 0) yield records;
  }
  parser.end();
  try {
    await finished(parser);
  } catch (error) {
    parseError ??= error;
  }
  const rest = take();
  if (rest.length > 0) yield rest;
}

/** The records of CSV text one by one (small texts: samples and previews). */
export async function* csvRecords(
  text: AsyncIterable<string>,
  options: { delimiter: Delimiter; skipRows: number },
): AsyncGenerator<CsvRecord> {
  for await (const records of csvRecordBatches(text, options)) yield* records;
}
