import { createHash } from "node:crypto";
import { errors } from "../errors.ts";

/**
 * How long a key is remembered: a retry within this time replays the first answer; afterwards the
 * key may be used again. Published in the OpenAPI document, as the draft asks of servers.
 */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/** The longest key accepted, in characters (a UUID is 36). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * The header's syntax as the OpenAPI document states it: an RFC 8941 sf-string (printable ASCII
 * in double quotes, `\"` and `\\` escaped) of 1 to 255 characters.
 */
export const IDEMPOTENCY_KEY_PATTERN = `^"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\["\\\\]){1,${String(IDEMPOTENCY_KEY_MAX_LENGTH)}}"$`;

const where = "header.Idempotency-Key";

function invalid(message: string): Error {
  return errors.badRequestAt("the Idempotency-Key header is not a valid key", [
    { path: where, message },
  ]);
}

/**
 * The key an `Idempotency-Key` header carries (draft-ietf-httpapi-idempotency-key-header: an
 * RFC 8941 sf-string), unescaped; undefined when there is none. Throws the 400 to answer for
 * anything else, including two keys in one request (which arrive joined by a comma).
 */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text.length < 2 || !text.startsWith('"')) {
    throw invalid('must be a quoted string (RFC 8941 sf-string), like "8e03978e-40d5-43e8"');
  }
  let key = "";
  for (let i = 1; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (char === "\\") {
      const escaped = text.charAt(i + 1);
      if (escaped !== '"' && escaped !== "\\") throw invalid('only \\" and \\\\ may be escaped');
      key += escaped;
      i += 1;
    } else if (char === '"') {
      if (i !== text.length - 1) throw invalid("must be one quoted string, sent once");
      if (key.length === 0) throw invalid("must not be empty");
      if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
        throw invalid(`must be at most ${String(IDEMPOTENCY_KEY_MAX_LENGTH)} characters`);
      }
      return key;
    } else if (char < " " || char > "~") {
      throw invalid("must hold printable ASCII characters only");
    } else {
      key += char;
    }
  }
  throw invalid("misses its closing quote");
}

/** What a request is, for telling a retry (same fingerprint) from another request reusing a key. */
export interface FingerprintedRequest {
  method: string;
  /** The path and query as sent. */
  url: string;
  /** The parsed JSON body, or the raw bytes of an upload. */
  body: unknown;
}

/**
 * sha256 over the method, the URL and the body. A retry resends the same bytes, so the parsed
 * JSON serialises the same way; key order is kept as sent rather than canonicalised, which only
 * makes the check stricter.
 */
export function requestFingerprint(request: FingerprintedRequest): string {
  const hash = createHash("sha256").update(`${request.method.toUpperCase()} ${request.url}\n`);
  if (Buffer.isBuffer(request.body)) hash.update(request.body);
  else {
    let json: string;
    try {
      // No body at all digests as null.
      json = JSON.stringify(request.body ?? null);
    } catch {
      throw errors.badRequest("the body is nested too deeply");
    }
    hash.update(json);
  }
  return hash.digest("hex");
}

/** An answer recorded for a key, to be replayed to a retry. */
export interface RecordedAnswer {
  status: number;
  /** Headers worth replaying (Location, ETag), by lower-case name. */
  headers: Record<string, string>;
  /** The JSON text of the body; null for an empty answer. */
  body: string | null;
}

/** A key as stored: its request's fingerprint and, once recorded, its answer. */
export interface StoredKey {
  fingerprint: string;
  /** When the first request claimed it, epoch ms. */
  claimedAt: number;
  answer: RecordedAnswer | undefined;
}

/** What to do with a request whose key is already stored. */
export type KeyDecision =
  | { action: "proceed" }
  | { action: "replay"; answer: RecordedAnswer }
  | { action: "refuse"; error: Error };

/**
 * A claimed key without an answer is a request still being processed, until it is older than
 * any request may take: then its write committed but its answer was lost (the database failed
 * after the commit, or the process died).
 */
export const ANSWER_LOST_AFTER_MS = 5 * 60_000;

/**
 * Decides, from the stored key (undefined: never seen or expired), whether the request runs,
 * replays the first answer, or is refused: 422 for another request reusing the key, 409 while
 * the first is in progress or when its answer was lost. Never runs a request twice.
 */
export function decideOnKey(
  stored: StoredKey | undefined,
  fingerprint: string,
  now: number,
): KeyDecision {
  if (stored === undefined) return { action: "proceed" };
  if (stored.fingerprint !== fingerprint) {
    return { action: "refuse", error: errors.idempotencyKeyReused(where) };
  }
  if (stored.answer !== undefined) return { action: "replay", answer: stored.answer };
  return {
    action: "refuse",
    error:
      now - stored.claimedAt < ANSWER_LOST_AFTER_MS
        ? errors.idempotencyKeyInProgress()
        : errors.idempotencyAnswerLost(),
  };
}

/** The headers of an answer that a replay repeats; never Set-Cookie (a session is not replayed). */
export const REPLAYED_HEADERS: readonly string[] = ["location", "etag", "last-modified"];
