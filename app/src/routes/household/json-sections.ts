import {
  type ParsedElementInfo,
  type ParsedTokenInfo,
  TokenParser,
  Tokenizer,
  TokenType,
} from "@streamparser/json";

/**
 * What a document whose root is an object is made of, as it streams in: top-level scalars, and
 * for each top-level array or object its opening, each of its elements (array items, object
 * properties) whole, and its end. Nothing larger than one element is ever held.
 */
export type SectionEvent =
  | { type: "scalar"; key: string; value: string | number | boolean | null }
  | { type: "open"; key: string; shape: "array" | "object" }
  | { type: "item"; key: string; index: number | string; value: unknown }
  | { type: "close"; key: string };

/** The bytes are not one JSON object; `message` says where (the parser's own words). */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

const OPENERS = new Set([TokenType.LEFT_BRACE, TokenType.LEFT_BRACKET]);
const CLOSERS = new Set([TokenType.RIGHT_BRACE, TokenType.RIGHT_BRACKET]);

/** Why the tokenizer or token parser refused the bytes, as a JsonSyntaxError. */
function syntaxError(error: unknown): JsonSyntaxError {
  if (error instanceof JsonSyntaxError) return error;
  return new JsonSyntaxError(error instanceof Error ? error.message : String(error));
}

/**
 * Follows the tokens of the root object to tell its keys, its scalar values and the bounds of
 * its arrays and objects. It runs after the token parser has accepted each token, so it may
 * assume the grammar holds.
 */
class TopLevel {
  started = false;
  private depth = 0;
  private key: string | undefined;
  private expectingKey = false;
  private section: string | undefined;
  private readonly events: SectionEvent[];

  constructor(events: SectionEvent[]) {
    this.events = events;
  }

  /** Checks the first token before the parser sees it: the root must be an object. */
  first(token: TokenType): void {
    if (this.started) return;
    if (token !== TokenType.LEFT_BRACE) {
      throw new JsonSyntaxError("the document must be one JSON object");
    }
    this.started = true;
  }

  follow(info: ParsedTokenInfo): void {
    const atTop = this.depth === 1;
    if (OPENERS.has(info.token)) this.depth += 1;
    if (CLOSERS.has(info.token)) this.depth -= 1;
    if (!atTop) {
      this.nested(info.token);
    } else if (this.expectingKey) {
      // The token parser guarantees a key (a string) or the root's end here.
      this.key = typeof info.value === "string" ? info.value : undefined;
      this.expectingKey = false;
    } else if (info.token === TokenType.COMMA) {
      this.expectingKey = true;
    } else if (this.key !== undefined && info.token !== TokenType.COLON) {
      this.value(this.key, info);
      this.key = undefined;
    }
  }

  /** A token below the root's own level: the root opening, or the end of a section. */
  private nested(token: TokenType): void {
    if (this.depth === 1 && token === TokenType.LEFT_BRACE) {
      this.expectingKey = true;
    } else if (this.depth === 1 && this.section !== undefined) {
      this.events.push({ type: "close", key: this.section });
      this.section = undefined;
    }
  }

  private value(key: string, info: ParsedTokenInfo): void {
    if (info.token === TokenType.LEFT_BRACKET || info.token === TokenType.LEFT_BRACE) {
      this.section = key;
      const shape = info.token === TokenType.LEFT_BRACKET ? "array" : "object";
      this.events.push({ type: "open", key, shape });
    } else {
      this.events.push({ type: "scalar", key, value: info.value });
    }
  }
}

/**
 * Splits a JSON document into section events while it streams. The tokenizer and token parser
 * validate the JSON itself; TopLevel only tracks the nesting to tell top-level keys, scalars and
 * the bounds of each section. Events of one chunk are yielded before the next chunk is read, so
 * a slow consumer slows the reading (and the upload) down.
 */
export async function* readSections(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SectionEvent> {
  const events: SectionEvent[] = [];
  const top = new TopLevel(events);
  const tokenizer = new Tokenizer();
  // Elements two levels down are emitted whole; keepStack false drops each once emitted.
  const parser = new TokenParser({ paths: ["$.*.*"], keepStack: false });
  parser.onValue = (info: ParsedElementInfo) => {
    const owner = info.stack[1]?.key;
    if (typeof owner !== "string" || info.key === undefined) return;
    events.push({ type: "item", key: owner, index: info.key, value: info.value });
  };
  tokenizer.onToken = (info: ParsedTokenInfo) => {
    top.first(info.token);
    parser.write(info);
    top.follow(info);
  };

  for await (const chunk of source) {
    try {
      tokenizer.write(chunk);
    } catch (error) {
      throw syntaxError(error);
    }
    yield* events.splice(0);
  }
  if (!top.started) throw new JsonSyntaxError("the document is empty");
  // A whole document ends both by itself; anything still open means the bytes stopped early.
  try {
    if (!tokenizer.isEnded) tokenizer.end();
    if (!parser.isEnded) parser.end();
  } catch (error) {
    throw syntaxError(error);
  }
  yield* events.splice(0);
}
