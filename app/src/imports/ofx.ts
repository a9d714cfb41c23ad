import { ImportFileError, MAX_LINE_CHARS, type ParsedItem } from "./types.ts";
import { isoDate, parseDecimal } from "./values.ts";
import { DOCTYPE_REFUSED, find, textAt, xmlRecords, type XmlNode } from "./xml.ts";

// One tag and the text up to the next: sticky, so a "<" that opens no tag stops the scan at once
// instead of every later "<" rescanning the rest of the chunk (quadratic on "<<<<...").
const TAG = /<([^<>]*)>([^<]*)/y;

function escapeText(text: string): string {
  return text.replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;");
}

/**
 * Closes the unclosed OFX 1.x leaves of `ready` (whole tags with their text, starting at a "<"),
 * carrying the open leaf from one call to the next in `state`.
 */
function closeLeaves(ready: string, state: { openLeaf: string | undefined }): string {
  let out = "";
  TAG.lastIndex = 0;
  for (let match = TAG.exec(ready); match !== null; match = TAG.exec(ready)) {
    const tag = match[1] ?? "";
    const content = match[2] ?? "";
    if (state.openLeaf !== undefined && tag !== `/${state.openLeaf}`) out += `</${state.openLeaf}>`;
    state.openLeaf = undefined;
    out += `<${tag}>`;
    if (!tag.startsWith("/") && !tag.startsWith("?") && content.trim() !== "") {
      state.openLeaf = tag.split(/\s/)[0];
    }
    out += escapeText(content);
    if (TAG.lastIndex === ready.length) break;
  }
  if (TAG.lastIndex !== ready.length) {
    throw new ImportFileError('the OFX has a "<" that opens no tag: it is malformed');
  }
  return out;
}

/**
 * Turns OFX into XML as it streams: the SGML header before `<OFX>` is dropped (its newlines
 * kept, so line numbers still match the file), and the unclosed leaf elements of OFX 1.x
 * (`<TRNAMT>-12.34`) get their end tags. OFX 2.x is XML already and passes through unchanged,
 * except that a DOCTYPE in its header is refused (dropping it would hide an XML bomb). Each chunk
 * is scanned once and held text is joined once, so the work stays linear however small the chunks.
 */
export async function* ofxToXml(text: AsyncIterable<string>): AsyncGenerator<string> {
  let head: string[] = [];
  let headLength = 0;
  let headTail = "";
  // The text since the last "<" of the body: an element whose end has not arrived yet.
  let pending: string[] = [];
  let pendingLength = 0;
  let inBody = false;
  const state: { openLeaf: string | undefined } = { openLeaf: undefined };
  for await (const chunk of text) {
    let body = chunk;
    if (!inBody) {
      const found = (headTail + chunk).search(/<OFX>/i);
      if (found === -1) {
        head.push(chunk);
        headLength += chunk.length;
        headTail = (headTail + chunk).slice(-4);
        if (headLength > MAX_LINE_CHARS) throw new ImportFileError("no <OFX> element found");
        continue;
      }
      const all = head.join("") + chunk;
      const start = headLength - headTail.length + found;
      const header = all.slice(0, start);
      if (/<!DOCTYPE|<!ENTITY/i.test(header)) throw new ImportFileError(DOCTYPE_REFUSED);
      yield header.replace(/[^\n]/g, "");
      body = all.slice(start);
      head = [];
      inBody = true;
    }
    const lastTag = body.lastIndexOf("<");
    if (lastTag === -1) {
      pending.push(body);
      pendingLength += body.length;
      if (pendingLength > MAX_LINE_CHARS) throw new ImportFileError("an OFX element is too long");
      continue;
    }
    const ready = pending.join("") + body.slice(0, lastTag);
    pending = [body.slice(lastTag)];
    pendingLength = body.length - lastTag;
    if (pendingLength > MAX_LINE_CHARS) throw new ImportFileError("an OFX element is too long");
    yield closeLeaves(ready, state);
  }
  if (!inBody) throw new ImportFileError("no <OFX> element found");
  const tail = /^<([^>]*)>([^<]*)$/.exec(pending.join(""));
  if (tail === null) throw new ImportFileError("the OFX file is truncated");
  const openLeaf = state.openLeaf;
  const leaf = openLeaf !== undefined && tail[1] !== `/${openLeaf}` ? `</${openLeaf}>` : "";
  yield `${leaf}<${tail[1] ?? ""}>${tail[2] ?? ""}`;
}

/** An OFX date-time ("20260115", "20260115120000.000[-5:EST]") as its calendar date. */
export function parseOfxDate(text: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})/.exec(text.trim());
  return match ? isoDate(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
}

function transaction(node: XmlNode, currency: string | undefined): ParsedItem {
  const date = parseOfxDate(textAt(node, "DTPOSTED"));
  const amountText = textAt(node, "TRNAMT");
  const amount =
    /,\d+$/.test(amountText) && !amountText.includes(".")
      ? parseDecimal(amountText, ",", "")
      : parseDecimal(amountText, ".", "");
  if (date === undefined || amount === undefined) {
    return {
      problem: { line: node.line, message: "the transaction lacks a valid DTPOSTED or TRNAMT" },
    };
  }
  const fitid = textAt(node, "FITID");
  const payee = textAt(node, "NAME") || textAt(node, "PAYEE/NAME");
  const check = textAt(node, "CHECKNUM");
  const description = [textAt(node, "MEMO"), check ? `check ${check}` : ""]
    .filter(Boolean)
    .join(" ");
  const ccy = textAt(node, "CURRENCY/CURSYM") || textAt(node, "ORIGCURRENCY/CURSYM") || currency;
  return {
    row: {
      line: node.line,
      date,
      amount,
      payee: payee.slice(0, 200),
      description: description.slice(0, 1000),
      ...(fitid ? { externalId: fitid } : {}),
      ...(ccy ? { currency: ccy } : {}),
    },
  };
}

/** Parses OFX/QFX 1.x (SGML) and 2.x (XML) bank and credit card statements; FITID is the bank id. */
export async function* parseOfx(text: AsyncIterable<string>): AsyncGenerator<ParsedItem> {
  let currency: string | undefined;
  for await (const event of xmlRecords(ofxToXml(text), "STMTTRN", new Set(["CURDEF"]))) {
    if ("context" in event) currency = event.text;
    else if (find(event.record, "TRNAMT") !== undefined || find(event.record, "DTPOSTED")) {
      yield transaction(event.record, currency);
    }
  }
}
