import { SaxesParser } from "saxes";
import { ImportFileError, MAX_LINE_CHARS } from "./types.ts";

/** A small element tree: one record of a statement (a CAMT entry, an OFX transaction). */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
  /** The line of the file the element opens on. */
  line: number;
}

/** The first descendant along `path` ("RltdPties/Cdtr/Nm"), by local names. */
export function find(node: XmlNode | undefined, path: string): XmlNode | undefined {
  let current = node;
  for (const step of path.split("/")) {
    current = current?.children.find((c) => c.name === step);
    if (current === undefined) return undefined;
  }
  return current;
}

/** The trimmed text at `path`, "" when absent. */
export function textAt(node: XmlNode | undefined, path: string): string {
  return find(node, path)?.text.trim() ?? "";
}

/** Every direct child named `name`. */
export function all(node: XmlNode | undefined, name: string): XmlNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}

const MAX_RECORD_NODES = 5_000;
// Statements nest a dozen levels deep; thousands of levels are an attack on the parser's stack.
const MAX_DEPTH = 100;

/** Why XML with a DOCTYPE is refused, in every XML format. */
export const DOCTYPE_REFUSED =
  "XML with a DOCTYPE is refused: bank files never declare entities, and entities are how XML bombs and external-entity reads work";

/** What the streaming reader reports: a finished record, or a value found outside records. */
export type XmlEvent = { record: XmlNode } | { context: string; text: string; line: number };

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * A saxes error ("12:4: unclosed tag: Ntry") as a file error naming its line: an element left open
 * at the end means the file was cut off.
 */
function xmlProblem(error: unknown): ImportFileError {
  if (error instanceof ImportFileError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const match = /^(\d+):\d+: ([\s\S]*)$/.exec(text);
  const line = match ? Number(match[1]) : undefined;
  const message = match?.[2] ?? text;
  const unclosed = /^unclosed tag: (\S+)/.exec(message);
  if (unclosed) {
    return new ImportFileError(
      `the file ends before <${unclosed[1] ?? ""}> is closed: it is truncated or incomplete`,
      line,
    );
  }
  return new ImportFileError(`the XML is malformed: ${message.slice(0, 200)}`, line);
}

/**
 * Streams XML with saxes and yields each `recordName` element as a small tree, plus the text of
 * elements named in `contextNames` that lie outside records (a statement's currency). DOCTYPEs
 * are refused outright, so entity expansion (billion laughs) and external entities cannot occur;
 * nesting, record size, texts and tags are bounded, so no input holds more than a record in memory.
 */
export async function* xmlRecords(
  text: AsyncIterable<string>,
  recordName: string,
  contextNames: ReadonlySet<string>,
): AsyncGenerator<XmlEvent> {
  const parser = new SaxesParser({ position: true });
  const stack: XmlNode[] = [];
  const ready: XmlEvent[] = [];
  let contextText: { name: string; text: string; line: number } | undefined;
  let nodes = 0;
  let depth = 0;
  parser.on("doctype", () => {
    throw new ImportFileError(DOCTYPE_REFUSED, parser.line);
  });
  parser.on("opentag", (tag) => {
    depth += 1;
    if (depth > MAX_DEPTH)
      throw new ImportFileError(`the XML is nested over ${MAX_DEPTH} levels deep`, parser.line);
    const name = localName(tag.name);
    if (stack.length > 0 || name === recordName) {
      nodes += 1;
      if (nodes > MAX_RECORD_NODES)
        throw new ImportFileError(`a ${recordName} element is too large`, parser.line);
      const attributes: Record<string, string> = {};
      const raw: Record<string, unknown> = tag.attributes;
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value === "string") attributes[localName(key)] = value;
      }
      const node: XmlNode = { name, attributes, text: "", children: [], line: parser.line };
      stack.at(-1)?.children.push(node);
      stack.push(node);
    } else if (contextNames.has(name)) contextText = { name, text: "", line: parser.line };
  });
  parser.on("text", (value) => {
    const top = stack.at(-1);
    if (top) {
      if (top.text.length + value.length > MAX_LINE_CHARS)
        throw new ImportFileError("an XML text is too long", parser.line);
      top.text += value;
    } else if (contextText) contextText.text += value.slice(0, MAX_LINE_CHARS);
  });
  parser.on("closetag", () => {
    depth -= 1;
    const node = stack.pop();
    if (node !== undefined && stack.length === 0) {
      ready.push({ record: node });
      nodes = 0;
    } else if (node === undefined && contextText) {
      ready.push({
        context: contextText.name,
        text: contextText.text.trim(),
        line: contextText.line,
      });
      contextText = undefined;
    }
  });
  // saxes keeps an open tag (name and attributes) whole until its ">": bound it as lines are.
  let sinceTagEnd = 0;
  try {
    for await (const chunk of text) {
      const end = chunk.lastIndexOf(">");
      sinceTagEnd = end === -1 ? sinceTagEnd + chunk.length : chunk.length - end - 1;
      if (sinceTagEnd > MAX_LINE_CHARS)
        throw new ImportFileError(`an XML tag or text is longer than ${MAX_LINE_CHARS} characters`);
      parser.write(chunk);
      yield* ready.splice(0);
    }
    parser.close();
  } catch (error) {
    throw xmlProblem(error);
  }
  yield* ready.splice(0);
}
