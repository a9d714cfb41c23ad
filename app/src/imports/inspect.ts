import { detectDialect } from "./csv-dialect.ts";
import { csvRecords } from "./csv-records.ts";
import { looksLikeHeader, type Mapping, suggestMapping } from "./csv-mapping.ts";
import { detectFormat } from "./detect.ts";
import { decodeText, detectEncoding, type TextEncoding, textChunks } from "./encoding.ts";
import { refuseBinary } from "./magic.ts";
import { readRows } from "./read.ts";
import { statementAccount } from "./statement-account.ts";
import type { ImportedRow, ImportFormat } from "./types.ts";

/** How many rows the upload answer shows. */
export const PREVIEW_ROWS = 20;

/** What the start of a file tells: its format, encoding, a preview and a suggested mapping. */
export interface Inspection {
  format: ImportFormat;
  encoding: TextEncoding;
  preview: { columns: string[]; rows: string[][] };
  /** For CSV: the suggested mapping, or null when no date or amount column was recognised. */
  suggestedMapping: Mapping | null;
  /** The account the file says it is a statement of (MT940, CAMT.053, OFX), as the file has it. */
  statementAccount: string | null;
}

/** The columns a preview of a structured format (OFX, QIF, CAMT.053, MT940) shows. */
export const STRUCTURED_COLUMNS = [
  "date",
  "amount",
  "currency",
  "payee",
  "description",
  "externalId",
];

/** One parsed row as a preview line under STRUCTURED_COLUMNS. */
export function previewLine(row: ImportedRow): string[] {
  return [
    row.date,
    row.amount,
    row.currency ?? "",
    row.payee,
    row.description,
    row.externalId ?? "",
  ];
}

// The sample ends in the middle of a line: drop the partial last line before looking at it.
function wholeLines(text: string, complete: boolean): string {
  if (complete) return text;
  const end = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
  return end === -1 ? text : text.slice(0, end + 1);
}

async function inspectCsv(text: string): Promise<Pick<Inspection, "preview" | "suggestedMapping">> {
  const dialect = detectDialect(text);
  const records: string[][] = [];
  for await (const record of csvRecords(textChunks(text), dialect)) {
    records.push(record.cells);
    if (records.length > PREVIEW_ROWS + 30) break;
  }
  const [first = [], ...rest] = records;
  const hasHeader = looksLikeHeader(first, rest.slice(0, 30));
  const header = hasHeader ? first : undefined;
  const data = hasHeader ? rest : records;
  const width = Math.max(0, ...records.slice(0, 10).map((r) => r.length));
  const columns = header ?? Array.from({ length: width }, (_, i) => `Column ${i + 1}`);
  return {
    preview: { columns, rows: data.slice(0, PREVIEW_ROWS) },
    suggestedMapping: suggestMapping(header, data.slice(0, 30), dialect) ?? null,
  };
}

async function inspectStructured(
  format: ImportFormat,
  text: string,
): Promise<Pick<Inspection, "preview" | "suggestedMapping">> {
  const rows: string[][] = [];
  try {
    for await (const item of readRows(format, textChunks(text), undefined)) {
      if ("row" in item) rows.push(previewLine(item.row));
      if (rows.length >= PREVIEW_ROWS) break;
    }
  } catch {
    // The sample may end mid-file; the full read at upload reports real errors.
  }
  return { preview: { columns: STRUCTURED_COLUMNS, rows }, suggestedMapping: null };
}

/**
 * Inspects the first bytes of a file (`complete` when they are the whole file): encoding, format,
 * and for CSV the dialect, header and suggested mapping; a preview of the first rows. Archives,
 * workbooks and PDFs are refused by their magic bytes before any decoding.
 */
export async function inspect(sample: Buffer, complete: boolean): Promise<Inspection> {
  refuseBinary(sample);
  const encoding = detectEncoding(sample);
  const text = wholeLines(decodeText(sample, encoding), complete).replace(/^\uFEFF/, "");
  const format = detectFormat(text);
  const rest = format === "csv" ? await inspectCsv(text) : await inspectStructured(format, text);
  return { format, encoding, ...rest, statementAccount: statementAccount(format, text) ?? null };
}
