import { errors } from "../errors.ts";

/**
 * What an `If-Match` header asks (RFC 9110 section 13.1.1): any current representation (`*`)
 * or one of these entity tags, strongly compared.
 */
export type IfMatch = "*" | readonly string[];

/** The strong ETag of a resource at `version` (the row version migration 0014 keeps). */
export function etagOf(version: string): string {
  return `"${version}"`;
}

const entityTag = /^\s*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"\s*$/;

/**
 * Reads `If-Match`: undefined when absent (an unconditional edit, as before), else `*` or its
 * entity tags. Weak tags are kept as such (`W/"3"`): strong comparison never matches them. A
 * malformed header is a 400 naming it rather than an edit that silently goes through.
 */
export function parseIfMatch(header: string | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  for (const part of header.split(",")) {
    const match = entityTag.exec(part);
    if (match === null) {
      throw errors.badRequestAt("the If-Match header is not a list of entity tags", [
        {
          path: "header.If-Match",
          message: 'must be * or entity tags like "3", as ETag sent them',
        },
      ]);
    }
    tags.push(`${match[1] ?? ""}"${match[2] ?? ""}"`);
  }
  return tags;
}

/**
 * Throws 412 naming the current ETag unless `ifMatch` (absent: no precondition) matches the
 * resource at `version`. Called under the row lock of the edit, so nothing changes in between.
 */
export function checkIfMatch(ifMatch: IfMatch | undefined, version: string): void {
  if (ifMatch === undefined || ifMatch === "*") return;
  const current = etagOf(version);
  if (!ifMatch.includes(current)) throw errors.preconditionFailed(current);
}
