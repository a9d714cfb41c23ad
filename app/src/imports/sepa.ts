// The SEPA keys German banks write into remittance text (DFÜ-Abkommen, Anlage 3), in MT940
// `:86:` purpose subfields and some CAMT `Ustrd`: "EREF+1234 MREF+M-1 SVWZ+Rent".
const SEPA_KEYS = [
  "EREF", // end-to-end reference
  "KREF", // customer reference
  "MREF", // mandate reference
  "CRED", // creditor id
  "DEBT", // debtor id
  "COAM", // compensation amount
  "OAMT", // original amount
  "SVWZ", // the purpose text ("SEPA-Verwendungszweck")
  "ABWA", // ultimate party on the initiator's side ("abweichender Auftraggeber")
  "ABWE", // ultimate party on the receiver's side ("abweichender Empfänger")
  "IBAN",
  "BIC",
  "PURP",
  "MDAT",
  "SQTP",
  "ORCR",
  "ORMR",
  "DDAT",
  "BREF",
  "RREF",
] as const;

/** A key of SEPA structured remittance text. */
export type SepaKey = (typeof SEPA_KEYS)[number];

// Values that are names or text, read on across subfields; the others are single references.
const TEXT_KEYS: ReadonlySet<string> = new Set<SepaKey>(["SVWZ", "ABWA", "ABWE"]);

// A key starts a chunk or follows whitespace: "Rent EREF+" is a key, "NOTEREF+" is not.
const KEY = new RegExp(`(?:^|(?<=\\s))(${SEPA_KEYS.join("|")})\\+`, "g");

// MT940 `?xx` subfields hold at most 27 characters; a full one was cut where it ran out of room.
const SUBFIELD_WIDTH = 27;

/** A remittance text split at its SEPA keys. */
export interface SepaRemittance {
  /** The text for people: text outside any key, then the SVWZ+ purpose; references left out. */
  purpose: string;
  /** Whether any SEPA key was found (otherwise `purpose` is the chunks joined, nothing dropped). */
  keyed: boolean;
  /** Each key's value, whitespace collapsed; a repeated key's values joined by a space. */
  fields: Partial<Record<SepaKey, string>>;
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

// A value read on into the next line: without a space when the line before was full (the bank
// cut it mid-word), with one otherwise (the bank ended the line at a word).
function joinOn(before: string, piece: string, previousLine: string): string {
  if (before === "") return piece;
  return previousLine.length >= SUBFIELD_WIDTH ? before + piece : `${before} ${piece}`;
}

/** MT940 subfield lines of one value (`?32`, `?33`) joined as the bank split them. */
export function joinSubfields(lines: readonly string[]): string {
  let joined = "";
  let previous = "";
  for (const line of lines) {
    joined = joinOn(joined, line, previous);
    previous = line;
  }
  return collapse(joined);
}

/**
 * Splits remittance text, given as its lines (MT940 `?20`..`?29`, `?60`..`?63`) or as one text
 * (CAMT `Ustrd`), at SEPA keys. A text value (SVWZ+, ABWA+, ABWE+) reads on over the following
 * lines; a reference ends with its line unless the line was full, and a short line after it
 * is free text again (banks that write "?20EREF+1?21Rent" mean "Rent" as the purpose).
 */
export function splitSepaKeys(chunks: readonly string[]): SepaRemittance {
  const free: string[] = [];
  const values = new Map<SepaKey, string[]>();
  let current: string[] = free;
  let currentKey: string | undefined;
  let previous = "";
  let keyed = false;
  for (const chunk of chunks) {
    const starts = [...chunk.matchAll(KEY)];
    const head = chunk.slice(0, starts[0]?.index ?? chunk.length);
    if (head !== "") {
      const continues =
        current.length > 0 &&
        (currentKey === undefined ||
          TEXT_KEYS.has(currentKey) ||
          previous.length >= SUBFIELD_WIDTH);
      if (continues) current.push(joinOn(current.pop() ?? "", head, previous));
      else {
        current = free;
        currentKey = undefined;
        free.push(head);
      }
    }
    starts.forEach((match, i) => {
      keyed = true;
      const key = match[1] as SepaKey; // KEY matches nothing else
      const end = starts[i + 1]?.index ?? chunk.length;
      current = values.get(key) ?? [];
      values.set(key, current);
      currentKey = key;
      current.push(chunk.slice(match.index + key.length + 1, end));
    });
    previous = chunk;
  }
  const fields: Partial<Record<SepaKey, string>> = {};
  for (const [key, pieces] of values) {
    const value = collapse(pieces.join(" "));
    if (value !== "") fields[key] = value;
  }
  const purpose = collapse([...free, fields.SVWZ ?? ""].join(" "));
  return { purpose, keyed, fields };
}
