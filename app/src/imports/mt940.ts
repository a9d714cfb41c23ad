import { lines } from "./lines.ts";
import { ImportFileError, type ParsedItem } from "./types.ts";
import { joinSubfields, type SepaRemittance, splitSepaKeys } from "./sepa.ts";
import { fullYear, isoDate, parseDecimal } from "./values.ts";

// A :61: entry's continuation and :86: lines; real ones have a dozen at most.
const MAX_ENTRY_LINES = 1_000;

interface Entry {
  line: number;
  field61: string;
  extra: string[];
  info: string[];
}

// :61: value date YYMMDD, optional entry date MMDD, C/D/RC/RD, optional funds code letter,
// amount with decimal comma, transaction type (N/F/S + 3), customer reference, //bank reference.
const FIELD61 =
  /^(\d{2})(\d{2})(\d{2})(\d{4})?(RC|RD|C|D)([A-Z])?(\d+,\d*)([NFS][A-Z0-9]{3})([^/]*?)(?:\/\/(.*))?$/;

function bookingDate(
  valueYear: number,
  valueMonth: number,
  valueDay: number,
  entry?: string,
): string | undefined {
  if (entry === undefined) return isoDate(valueYear, valueMonth, valueDay);
  const month = Number(entry.slice(0, 2));
  const day = Number(entry.slice(2, 4));
  // An entry date in January for a December value date belongs to the next year, and back.
  const year =
    month === 1 && valueMonth === 12
      ? valueYear + 1
      : month === 12 && valueMonth === 1
        ? valueYear - 1
        : valueYear;
  return isoDate(year, month, day);
}

// The counterparty's ultimate party in SEPA keys. ABWA+ belongs to whoever initiated the payment:
// the creditor of a direct debit (it has a mandate, MREF+ or CRED+), the debtor of a transfer;
// ABWE+ to the other side. The counterparty initiated it when that side is not ours.
function ultimateParty(fields: SepaRemittance["fields"], debited: boolean): string | undefined {
  const creditorInitiated = fields.MREF !== undefined || fields.CRED !== undefined;
  return debited === creditorInitiated ? fields.ABWA : fields.ABWE;
}

// German `?xx` subfields: SEPA keys or plain text in the purpose lines `?20`..`?29` and
// `?60`..`?63`, the counterparty's name in `?32`/`?33`, the booking text in `?00`.
function subfields86(text: string, debited: boolean): { payee: string; description: string } {
  const parts = new Map<string, string[]>();
  for (const match of text.matchAll(/\?(\d{2})([^?]*)/g)) {
    const key = match[1] ?? "";
    const lines = parts.get(key) ?? [];
    lines.push(match[2] ?? "");
    parts.set(key, lines);
  }
  const purposeLines = [...parts.entries()]
    .filter(([k]) => (k >= "20" && k <= "29") || (k >= "60" && k <= "63"))
    .flatMap(([, v]) => v);
  const remittance = splitSepaKeys(purposeLines);
  const name = joinSubfields([...(parts.get("32") ?? []), ...(parts.get("33") ?? [])]);
  return {
    payee: ultimateParty(remittance.fields, debited) ?? name,
    description: remittance.purpose || joinSubfields(parts.get("00") ?? []),
  };
}

/**
 * The payee and purpose of a `:86:` field: German `?xx` subfields, SWIFT `/NAME/`, or free text,
 * either with SEPA keys (EREF+, SVWZ+, ...) read as such. `debited` tells whose ultimate party
 * (ABWA+ or ABWE+) is the counterparty's; it is the payee when given.
 */
export function parseField86(
  text: string,
  debited = false,
): { payee: string; description: string } {
  if (/^\d{3}\?/.test(text) || text.includes("?20")) return subfields86(text, debited);
  const name = /\/NAME\/([^/]*)/.exec(text)?.[1];
  const remittance = /\/REMI\/(?:USTD\/\/)?([^/]*)/.exec(text)?.[1];
  if (name !== undefined || remittance !== undefined) {
    return { payee: (name ?? "").trim(), description: (remittance ?? text).trim() };
  }
  const sepa = splitSepaKeys([text]);
  if (sepa.keyed) {
    return { payee: ultimateParty(sepa.fields, debited) ?? "", description: sepa.purpose };
  }
  return { payee: "", description: text.trim() };
}

function finish(entry: Entry, currency: string | undefined): ParsedItem {
  const match = FIELD61.exec(entry.field61);
  if (match === null)
    return { problem: { line: entry.line, message: "the :61: statement line cannot be read" } };
  const [
    ,
    yy = "",
    mm = "",
    dd = "",
    entryDate,
    mark = "",
    ,
    amountText = "",
    ,
    customerRef = "",
    bankRef,
  ] = match;
  const date = bookingDate(fullYear(Number(yy)), Number(mm), Number(dd), entryDate);
  const magnitude = parseDecimal(amountText, ",", "");
  if (date === undefined || magnitude === undefined) {
    return { problem: { line: entry.line, message: "the :61: date or amount is invalid" } };
  }
  // RC (reversal of credit) takes money out, RD (reversal of debit) puts it back.
  const outgoing = mark === "D" || mark === "RC";
  const amount = outgoing && magnitude !== "0" ? `-${magnitude}` : magnitude;
  // D or RD: a reversal of a debit was a debit first, its parties are the debit's.
  const info = parseField86(entry.info.join(""), mark.endsWith("D"));
  const bank = bankRef?.trim();
  const ref = customerRef.trim();
  const externalId = bank && bank !== "NONREF" ? bank : undefined;
  const description = [info.description, ...entry.extra, ref && ref !== "NONREF" ? ref : ""]
    .filter(Boolean)
    .join(" ");
  return {
    row: {
      line: entry.line,
      date,
      amount,
      payee: info.payee.slice(0, 200),
      description: description.replace(/\s+/g, " ").trim().slice(0, 1000),
      ...(currency ? { currency } : {}),
      ...(externalId ? { externalId } : {}),
    },
  };
}

// The line of the :20: whose statement has not reached its closing balance (:62F:/:62M:) yet.
function openStatement(field: string, line: number, open: number | undefined): number | undefined {
  if (field === "20") return line;
  return field === "62F" || field === "62M" ? undefined : open;
}

function addLine(entry: Entry, into: string[], text: string): void {
  into.push(text);
  if (entry.extra.length + entry.info.length > MAX_ENTRY_LINES)
    throw new ImportFileError(`a :61: entry has over ${MAX_ENTRY_LINES} lines`, entry.line);
}

/**
 * Parses SWIFT MT940 statements (several per file): `:60F:` gives the currency, each `:61:` a
 * transaction with its continuation line, each `:86:` (over several lines) its details. Every
 * statement ends with its closing balance (`:62F:`, or `:62M:` when it continues in the next
 * message); a file that ends before it is truncated and is refused.
 */
export async function* parseMt940(text: AsyncIterable<string>): AsyncGenerator<ParsedItem> {
  let currency: string | undefined;
  let entry: Entry | undefined;
  let field = "";
  let sawStatement = false;
  let open: number | undefined;
  for await (const { line, text: raw } of lines(text)) {
    const content = raw.replace(/^\{[^}]*\}?\{4:/, "").trimEnd();
    if (content === "" || content === "-}" || content === "-" || content.startsWith("{")) continue;
    const tag = /^:(\d{2}[A-Z]?):(.*)$/.exec(content);
    if (tag === null) {
      if (entry && field === "61") addLine(entry, entry.extra, content.trim());
      else if (entry && field === "86") addLine(entry, entry.info, content);
      continue;
    }
    field = tag[1] ?? "";
    const value = tag[2] ?? "";
    if (field === "20") sawStatement = true;
    open = openStatement(field, line, open);
    if (field === "60F" || field === "60M")
      currency = /^[CD]\d{6}([A-Z]{3})/.exec(value)?.[1] ?? currency;
    if (field === "61" || field === "62F" || field === "62M" || field === "20") {
      if (entry) yield finish(entry, currency);
      entry = undefined;
    }
    if (field === "61") entry = { line, field61: value, extra: [], info: [] };
    else if (field === "86" && entry) addLine(entry, entry.info, value);
  }
  if (!sawStatement) throw new ImportFileError("no MT940 statement (:20:) found");
  if (open !== undefined) {
    throw new ImportFileError(
      "the statement ends without its closing balance (:62F:): the file is truncated or incomplete",
      open,
    );
  }
  if (entry) yield finish(entry, currency);
}
