import { parseCamt053 } from "./camt053.ts";
import { csvRecords } from "./csv-records.ts";
import { applyMapping, type Mapping } from "./csv-mapping.ts";
import { parseMt940 } from "./mt940.ts";
import { parseOfx } from "./ofx.ts";
import { parseQif } from "./qif.ts";
import type { ImportFormat, ParsedItem, RowProblem } from "./types.ts";
import { parseDate } from "./values.ts";

/**
 * The rows of a CSV file under `mapping`. Records after the last good row that do not read and
 * have no date or another width (a bank's closing balance or totals) are a summary and are
 * dropped; a bad record followed by good ones is always reported.
 */
async function* csvRows(text: AsyncIterable<string>, mapping: Mapping): AsyncGenerator<ParsedItem> {
  let header: string[] | undefined;
  let width: number | undefined;
  let held: RowProblem[] = [];
  for await (const record of csvRecords(text, {
    delimiter: mapping.delimiter ?? ",",
    skipRows: mapping.skipRows,
  })) {
    if (mapping.hasHeader && header === undefined) {
      header = record.cells;
      width = record.cells.length;
      continue;
    }
    width ??= record.cells.length;
    const result = applyMapping(mapping, header, record.line, record.cells);
    if ("row" in result) {
      for (const problem of held) yield { problem };
      held = [];
      yield result;
    } else if (
      record.cells.length !== width ||
      held.length > 0 ||
      parseDate(record.cells[mapping.dateColumn] ?? "", mapping.dateFormat) === undefined
    ) {
      held.push(...result.problems);
    } else {
      for (const problem of result.problems) yield { problem };
    }
  }
}

/**
 * Every transaction of a decoded file as parsed items, streaming. CSV needs its mapping; the
 * other formats carry their own structure. Throws ImportFileError when the file is unreadable.
 */
export function readRows(
  format: ImportFormat,
  text: AsyncIterable<string>,
  mapping: Mapping | undefined,
): AsyncGenerator<ParsedItem> {
  switch (format) {
    case "csv":
      if (mapping === undefined) throw new Error("a CSV file needs a mapping");
      return csvRows(text, mapping);
    case "ofx":
      return parseOfx(text);
    case "qif":
      return parseQif(text);
    case "camt053":
      return parseCamt053(text);
    case "mt940":
      return parseMt940(text);
  }
}
