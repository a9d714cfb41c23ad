// An import as the API answers for it: the uploaded file, the import listed, a commit's counts.
import type { Answer } from "../../lib/api.ts";

/** The file uploaded: what it is and its first rows (POST /imports). */
export type Upload = Answer<"uploadImport", 201>;

/** An import as GET /imports lists it. */
export type ImportRecord = Answer<"listImports">["data"][number];

/** What a commit did: rows imported, skipped as duplicates or refused. */
export type CommitResult = Answer<"commitImport">;

/** What a commit would book and skip, worked out by the server without booking (POST /imports/{id}/preview). */
export type BookingPreview = Answer<"previewImport">;

/** "1 row", "3 rows". */
export function rowsLabel(n: number): string {
  return `${String(n)} ${n === 1 ? "row" : "rows"}`;
}
