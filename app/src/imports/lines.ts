import { ImportFileError, MAX_LINE_CHARS } from "./types.ts";

/** One line of text and its 1-based number. */
export interface Line {
  line: number;
  text: string;
}

/**
 * Splits a text stream into lines (CRLF, LF or CR), refusing lines over MAX_LINE_CHARS. Each
 * chunk is scanned once, and a line's pieces are joined only when it ends, so the work stays
 * linear however small the chunks are.
 */
export async function* lines(text: AsyncIterable<string>): AsyncGenerator<Line> {
  let parts: string[] = [];
  let partsLength = 0;
  let number = 0;
  let lastWasCr = false;
  for await (const chunk of text) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10 && lastWasCr && i === start && partsLength === 0) {
        start = i + 1;
        lastWasCr = false;
        continue;
      }
      lastWasCr = false;
      if (c !== 10 && c !== 13) continue;
      number += 1;
      const piece = chunk.slice(start, i);
      yield { line: number, text: partsLength === 0 ? piece : parts.join("") + piece };
      parts = [];
      partsLength = 0;
      lastWasCr = c === 13;
      start = i + 1;
    }
    if (start < chunk.length) {
      parts.push(chunk.slice(start));
      partsLength += chunk.length - start;
    }
    if (partsLength > MAX_LINE_CHARS) {
      throw new ImportFileError(`a line is longer than ${MAX_LINE_CHARS} characters`, number + 1);
    }
  }
  if (partsLength > 0) yield { line: number + 1, text: parts.join("") };
}
