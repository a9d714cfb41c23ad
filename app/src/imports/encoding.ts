import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";
import iconv from "iconv-lite";
import { ImportFileError } from "./types.ts";

/** The text encodings a bank file may come in, as iconv-lite names them. */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

// Drops an incomplete UTF-8 sequence cut off at the end of a sample, so a sample boundary in the
// middle of "ü" does not make a UTF-8 file look like Windows-1252.
function trimPartialUtf8(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (need > back) end -= back;
    }
    break;
  }
  return bytes.subarray(0, end);
}

function zeroShare(sample: Buffer, parity: 0 | 1): number {
  let zeros = 0;
  let total = 0;
  for (let i = parity; i < sample.length; i += 2) {
    total += 1;
    if (sample[i] === 0) zeros += 1;
  }
  return total === 0 ? 0 : zeros / total;
}

/**
 * Decides the encoding from the first bytes of a file: a BOM when there is one, UTF-16 by its
 * zero bytes, UTF-8 when the bytes are valid UTF-8, else Windows-1252 (a superset of the
 * printable ISO-8859-1, which banks mislabel freely).
 */
export function detectEncoding(sample: Buffer): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return "utf-8";
  if (sample[0] === 0xff && sample[1] === 0xfe) return "utf-16le";
  if (sample[0] === 0xfe && sample[1] === 0xff) return "utf-16be";
  if (sample.length >= 4) {
    const odd = zeroShare(sample, 1);
    const even = zeroShare(sample, 0);
    if (odd > 0.3 && even < 0.05) return "utf-16le";
    if (even > 0.3 && odd < 0.05) return "utf-16be";
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(trimPartialUtf8(sample));
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

/** Why text with NUL characters is refused: no bank file has them, binary files do. */
export const NUL_REFUSED =
  "the file contains NUL bytes: it is binary, or text in another encoding than UTF-8, UTF-16 or Windows-1252";
const MIXED_REFUSED =
  "the file mixes encodings: it starts as UTF-8 but has bytes further on that are not UTF-8; save it again as UTF-8";

function checked(text: string): string {
  if (text.includes("\u0000")) throw new ImportFileError(NUL_REFUSED);
  return text;
}

// The length of the UTF-8 sequence a lead byte starts, 0 when it cannot start one.
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function firstNonAscii(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) >= 0x80) return i;
  return -1;
}

function strictUtf8(decoder: TextDecoder, bytes?: Buffer): string {
  try {
    return checked(
      bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true }),
    );
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(MIXED_REFUSED);
  }
}

/**
 * UTF-8 detected from the first 64 KB is certain only once a non-ASCII character was seen; an
 * all-ASCII start is just as much Windows-1252, whose first "ä" may come later. So the first
 * non-ASCII character decides: a well-formed UTF-8 sequence makes the rest strict UTF-8 (a byte
 * that is not, further on, refuses the file instead of booking U+FFFD), anything else makes the
 * rest Windows-1252 (the ASCII before reads the same either way).
 */
async function* decodeUtf8(
  bytes: AsyncIterable<Buffer>,
  decided: (encoding: TextEncoding) => void,
): AsyncGenerator<string> {
  let strict: TextDecoder | undefined;
  let latin: ReturnType<typeof iconv.getDecoder> | undefined;
  let pending = Buffer.alloc(0);
  const decide = (rest: Buffer, final: boolean): string => {
    const need = sequenceLength(rest[0] ?? 0);
    if (need === 0 || (rest.length >= need && !isUtf8(rest.subarray(0, need))) || final) {
      latin = iconv.getDecoder("windows-1252");
      decided("windows-1252");
      return checked(latin.write(rest));
    }
    strict = new TextDecoder("utf-8", { fatal: true });
    return strictUtf8(strict, rest);
  };
  for await (const chunk of bytes) {
    if (latin !== undefined) {
      yield checked(latin.write(chunk));
      continue;
    }
    if (strict !== undefined) {
      yield strictUtf8(strict, chunk);
      continue;
    }
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    const first = firstNonAscii(data);
    if (first === -1) {
      yield checked(data.toString("latin1"));
      continue;
    }
    if (first > 0) yield checked(data.toString("latin1", 0, first));
    const rest = data.subarray(first);
    // A sequence cut by the chunk boundary waits for the next chunk before it decides.
    if (rest.length < sequenceLength(rest[0] ?? 0)) pending = Buffer.from(rest);
    else yield decide(rest, false);
  }
  if (pending.length > 0) yield decide(pending, true);
  const rest = strict !== undefined ? strictUtf8(strict) : (latin?.end() ?? "");
  if (rest.length > 0) yield checked(rest);
}

/**
 * Decodes a byte stream to text chunks (the BOM dropped), never splitting a character. Throws an
 * ImportFileError for NUL characters and for UTF-8 that turns into another encoding mid-file.
 * `decided` hears of a file taken for UTF-8 by its ASCII start that turns out Windows-1252.
 */
export async function* decodeChunks(
  bytes: AsyncIterable<Buffer>,
  encoding: TextEncoding,
  decided: (encoding: TextEncoding) => void = () => undefined,
): AsyncGenerator<string> {
  if (encoding === "utf-8") {
    yield* decodeUtf8(bytes, decided);
    return;
  }
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of bytes) {
    const text = decoder.write(chunk);
    if (text.length > 0) yield checked(text);
  }
  const rest = decoder.end();
  if (rest !== undefined && rest.length > 0) yield checked(rest);
}

/** Decodes a whole (small) buffer: samples and tests. */
export function decodeText(bytes: Buffer, encoding: TextEncoding): string {
  return checked(iconv.decode(bytes, encoding));
}

/** Yields `text` in chunks of `size`: the async text stream a parser reads, from a string. */
export async function* textChunks(text: string, size = 65_536): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) {
    yield await Promise.resolve(text.slice(at, at + size));
  }
}
