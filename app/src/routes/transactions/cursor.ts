import { isPlainDate } from "../../domain/dates.ts";
import { parseId } from "../../http/ids.ts";

/** Where a page ended: the last row's booking date and id, the list's sort key. */
export interface Cursor {
  date: string;
  id: string;
}

/** The opaque cursor clients pass back: base64url of the JSON pair [date, id]. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.date, cursor.id])).toString("base64url");
}

/** The position in `text`, or undefined when it is not a cursor this API made. */
export function decodeCursor(text: string): Cursor | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [date, id] = value as unknown[];
  if (typeof date !== "string" || typeof id !== "string") return undefined;
  if (!isPlainDate(date) || parseId(id) === undefined) return undefined;
  return { date, id };
}
