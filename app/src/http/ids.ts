import { z } from "zod";
import { errors } from "../errors.ts";

// Ids are bigint identity columns: positive, at most PostgreSQL's bigint maximum.
const ID = /^[1-9][0-9]{0,18}$/;
const MAX_ID = 9223372036854775807n;

/** The canonical id in `text`, or undefined when it cannot be the id of any row. */
export function parseId(text: string): string | undefined {
  return ID.test(text) && BigInt(text) <= MAX_ID ? text : undefined;
}

/**
 * The id a path names; 404 when it cannot be an id at all, so `/accounts/abc` answers like an
 * account that does not exist (and the caller learns nothing about ids it may not see).
 */
export function pathId(text: string, what: string): string {
  const id = parseId(text);
  if (id === undefined) throw errors.notFound(what);
  return id;
}

/** An id in a JSON body or query: a decimal string, as the API returns ids. */
export const IdSchema = z
  .string()
  // The pattern for the OpenAPI document; the bigint range is checked after it.
  .regex(ID, { message: "is not an id", abort: true })
  .refine((text) => parseId(text) !== undefined, { message: "is not an id" });

/**
 * An id in a path. Any string passes here: pathId answers 404 for one that cannot be an id, as
 * for one that names no row. The pattern tells the OpenAPI document's readers (and fuzzers)
 * which ids can exist.
 */
export const PathIdSchema = z.string().meta({ pattern: ID.source });

/** Path parameters of `/resource/:id`; checked by pathId so bad ids are 404s, not 422s. */
export const IdParamsSchema = z.object({ id: PathIdSchema });
