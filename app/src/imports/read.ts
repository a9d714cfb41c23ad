import { parseCamt053 } from "./camt053.ts";
import { type CsvRecord, csvRecordBatches } from "./csv-records.ts";
import { applyMapping, type Mapping } from "./csv-mapping.ts";
import { parseMt940 } from "./mt940.ts";
import { parseOfx } from "./ofx.ts";
import { parseQif } from "./qif.ts";
import type { ImportFormat, ParsedItem, RowProblem } from "./types.ts";
import { parseDate } from "./values.ts";

// A bank's closing lines are a handful; more unreadable records than this at the end are bad
// rows, reported as such rather than held in memory (a hostile file may have millions).
const MAX_SUMMARY_RECORDS = 50;

/**
 * The rows of a CSV file under `mapping`, record by record. Records after the last good row that
 * do not read and have no date or another width (a bank's closing balance or totals) are a
 * summary and are dropped; a bad record followed by good ones is always reported, and so are all
 * of them once there are more than MAX_SUMMARY_RECORDS.
 */
class CsvRowReader {
  private header: string[] | undefined;
  private width: number | undefined;
  private held: RowProblem[] = [];
  private heldRecords = 0;
  private summaryOver = false;

  private readonly mapping: Mapping;

  constructor(mapping: Mapping) {
    this.mapping = mapping;
  }

  /** Reads one record, adding what it yields (now or, if held back, later) to `out`. */
  read(record: CsvRecord, out: ParsedItem[]): void {
    const mapping = this.mapping;
    if (mapping.hasHeader && this.header === undefined) {
      this.header = record.cells;
      this.width = record.cells.length;
      return;
    }
    this.width ??= record.cells.length;
    const result = applyMapping(mapping, this.header, record.line, record.cells);
    if ("row" in result) {
      this.release(out);
      out.push(result);
    } else if (!this.summaryOver && this.maySummarise(record)) {
      this.held.push(...result.problems);
      this.heldRecords += 1;
      if (this.heldRecords > MAX_SUMMARY_RECORDS) {
        this.release(out);
        this.summaryOver = true;
      }
    } else {
      for (const problem of result.problems) out.push({ problem });
    }
  }

  // A bad record may be part of a closing summary when it has another width, has no date, or
  // follows another held record.
  private maySummarise(record: CsvRecord): boolean {
    return (
      record.cells.length !== this.width ||
      this.held.length > 0 ||
      parseDate(record.cells[this.mapping.dateColumn] ?? "", this.mapping.dateFormat) === undefined
    );
  }

  private release(out: ParsedItem[]): void {
    for (const problem of this.held) out.push({ problem });
    this.held = [];
    this.heldRecords = 0;
  }
}

// The rows of a CSV file in batches: one per chunk of text csv-parse read.
async function* csvRowBatches(
  text: AsyncIterable<string>,
  mapping: Mapping,
): AsyncGenerator<ParsedItem[]> {
  const reader = new CsvRowReader(mapping);
  for await (const records of csvRecordBatches(text, {
    delimiter: mapping.delimiter ?? ",",
    skipRows: mapping.skipRows,
  })) {
    const out: ParsedItem[] = [];
    for (const record of records) reader.read(record, out);
    if (out.length > 0) yield out;
  }
}

const BATCH = 500;

// Groups a one-by-one parser's items, so every format reads the same way as CSV's batches.
async function* inBatches(items: AsyncIterable<ParsedItem>): AsyncGenerator<ParsedItem[]> {
  let batch: ParsedItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Every transaction of a decoded file as parsed items, streaming, in batches (the items of one
 * chunk of text for CSV). CSV needs its mapping; the other formats carry their own structure.
 * Throws ImportFileError when the file is unreadable.
 */
export function readRowBatches(
  format: ImportFormat,
  text: AsyncIterable<string>,
  mapping: Mapping | undefined,
): AsyncGenerator<ParsedItem[]> {
  switch (format) {
    case "csv":
      if (mapping === undefined) throw new Error("a CSV file needs a mapping");
      return csvRowBatches(text, mapping);
    case "ofx":
      return inBatches(parseOfx(text));
    case "qif":
      return inBatches(parseQif(text));
    case "camt053":
      return inBatches(parseCamt053(text));
    case "mt940":
      return inBatches(parseMt940(text));
  }
}

/** Every transaction of a decoded file as parsed items, one by one (see readRowBatches). */
export async function* readRows(
  format: ImportFormat,
  text: AsyncIterable<string>,
  mapping: Mapping | undefined,
): AsyncGenerator<ParsedItem> {
  for await (const batch of readRowBatches(format, text, mapping)) yield* batch;
}
