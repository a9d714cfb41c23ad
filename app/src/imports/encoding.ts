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

/** Decodes a byte stream to text chunks (the BOM dropped), never splitting a character. */
export async function* decodeChunks(
  bytes: AsyncIterable<Buffer>,
  encoding: TextEncoding,
): AsyncGenerator<string> {
  const decoder = iconv.getDecoder(encoding);
  for await (const chunk of bytes) {
    const text = decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest !== undefined && rest.length > 0) yield rest;
}

/** Decodes a whole (small) buffer: samples and tests. */
export function decodeText(bytes: Buffer, encoding: TextEncoding): string {
  const text = iconv.decode(bytes, encoding);
  if (text.includes("\u0000")) throw new ImportFileError("the file contains NUL characters");
  return text;
}

/** Yields `text` in chunks of `size`: the async text stream a parser reads, from a string. */
export async function* textChunks(text: string, size = 65_536): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) {
    yield await Promise.resolve(text.slice(at, at + size));
  }
}
