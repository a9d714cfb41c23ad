// An import as the API answers for it: the uploaded file, the import listed, a commit's counts.
import type { Mapping } from "../../lib/import-preview.ts";

/** The file uploaded: what it is and its first rows (POST /imports). */
export interface Upload {
  id: string;
  accountId: string | null;
  filename: string;
  format: "csv" | "ofx" | "qif" | "camt053" | "mt940";
  encoding: string;
  size: number;
  rowCount: number;
  preview: { columns: string[]; rows: string[][] };
  suggestedMapping: Mapping | null;
}

/** An import as GET /imports lists it. */
export interface ImportRecord {
  id: string;
  accountId: string | null;
  filename: string;
  format: Upload["format"];
  rowCount: number;
  status: "uploading" | "uploaded" | "committing" | "committed" | "undone";
  processed: number;
  imported: number;
  duplicates: number;
  /** Why the last commit did not finish (refused, or interrupted); null once one succeeded. */
  error: string | null;
  createdAt: string;
  committedAt: string | null;
}

/** What a commit did: rows imported, skipped as duplicates or refused. */
export interface CommitResult {
  imported: number;
  duplicates: number;
  errors: { line: number; column?: string; message: string }[];
  skipped: { line: number; reason: "bank_id" | "fingerprint" | "matched" }[];
}

/** "1 row", "3 rows". */
export function rowsLabel(n: number): string {
  return `${String(n)} ${n === 1 ? "row" : "rows"}`;
}
