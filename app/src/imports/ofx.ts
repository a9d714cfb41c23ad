import { ImportFileError, MAX_LINE_CHARS, type ParsedItem } from "./types.ts";
import { isoDate, parseDecimal } from "./values.ts";
import { find, textAt, xmlRecords, type XmlNode } from "./xml.ts";

function escapeText(text: string): string {
  return text.replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;");
}

/**
 * Turns OFX into XML as it streams: the SGML header before `<OFX>` is dropped (its newlines
 * kept, so line numbers still match the file), and the unclosed leaf elements of OFX 1.x
 * (`<TRNAMT>-12.34`) get their end tags. OFX 2.x is XML already and passes through unchanged.
 */
export async function* ofxToXml(text: AsyncIterable<string>): AsyncGenerator<string> {
  let buffer = "";
  let inBody = false;
  let openLeaf: string | undefined;
  for await (const chunk of text) {
    buffer += chunk;
    if (!inBody) {
      const start = buffer.search(/<OFX>/i);
      if (start === -1) {
        if (buffer.length > MAX_LINE_CHARS) throw new ImportFileError("no <OFX> element found");
        continue;
      }
      yield buffer.slice(0, start).replace(/[^\n]/g, "");
      buffer = buffer.slice(start);
      inBody = true;
    }
    const lastTag = buffer.lastIndexOf("<");
    const ready = buffer.slice(0, lastTag);
    buffer = buffer.slice(lastTag);
    if (buffer.length > MAX_LINE_CHARS) throw new ImportFileError("an OFX element is too long");
    let out = "";
    for (const match of ready.matchAll(/<([^>]*)>([^<]*)/g)) {
      const tag = match[1] ?? "";
      const content = match[2] ?? "";
      if (openLeaf !== undefined && tag !== `/${openLeaf}`) out += `</${openLeaf}>`;
      openLeaf = undefined;
      out += `<${tag}>`;
      if (!tag.startsWith("/") && !tag.startsWith("?") && content.trim() !== "") {
        openLeaf = tag.split(/\s/)[0];
      }
      out += escapeText(content);
    }
    yield out;
  }
  if (!inBody) throw new ImportFileError("no <OFX> element found");
  const tail = /^<([^>]*)>([^<]*)$/.exec(buffer);
  if (tail === null) throw new ImportFileError("the OFX file is truncated");
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
