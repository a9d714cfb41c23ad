import { ImportFileError, MAX_LINE_CHARS } from "./types.ts";

/** One line of text and its 1-based number. */
export interface Line {
  line: number;
  text: string;
}

/** Splits a text stream into lines (CRLF, LF or CR), refusing lines over MAX_LINE_CHARS. */
export async function* lines(text: AsyncIterable<string>): AsyncGenerator<Line> {
  let pending = "";
  let number = 0;
  let lastWasCr = false;
  for await (const chunk of text) {
    let start = 0;
    const data = pending + chunk;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (c === 10 && lastWasCr && i === start) {
        start = i + 1;
        lastWasCr = false;
        continue;
      }
      lastWasCr = false;
      if (c !== 10 && c !== 13) continue;
      number += 1;
      yield { line: number, text: data.slice(start, i) };
      lastWasCr = c === 13;
      start = i + 1;
    }
    pending = data.slice(start);
    if (pending.length > MAX_LINE_CHARS) {
      throw new ImportFileError(`a line is longer than ${MAX_LINE_CHARS} characters`, number + 1);
    }
  }
  if (pending.length > 0) yield { line: number + 1, text: pending };
}
