// The account a bank file says it is a statement of: MT940's `:25:`, CAMT.053's statement
// `<Acct><Id>` (an IBAN, or another number under `<Othr><Id>`), OFX's `<ACCTID>`. Read from the
// start of the file (the sample the upload inspects): every format names it before the entries.
import type { ImportFormat } from "./types.ts";

// A file naming several accounts (MT940 and CAMT may carry several statements) is for none of
// them in particular: only one named identifier is reported.
function single(found: Iterable<string>): string | undefined {
  const distinct = new Set([...found].map((text) => text.trim()).filter((text) => text !== ""));
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/** The `:25:` account identification of every statement in an MT940 text, when they agree. */
export function mt940StatementAccount(text: string): string | undefined {
  return single(
    [...text.matchAll(/^(?:\{[^}]*\}?\{4:)?:25P?:([^\r\n]{1,100})/gm)].map((m) => m[1] ?? ""),
  );
}

// The statement's own account: the first <Acct> of each <Stmt> (entries name their parties'
// accounts as <CdtrAcct>/<DbtrAcct>, which this never matches). Namespace prefixes are allowed.
const CAMT_ACCOUNT =
  /<(?:\w+:)?Stmt\b[\s\S]*?<(?:\w+:)?Acct>\s*<(?:\w+:)?Id>\s*(?:<(?:\w+:)?IBAN>([^<]{1,60})<|<(?:\w+:)?Othr>\s*<(?:\w+:)?Id>([^<]{1,60})<)/g;

/** The `<Acct><Id>` of every statement in a CAMT.053 text (IBAN or other id), when they agree. */
export function camt053StatementAccount(text: string): string | undefined {
  return single([...text.matchAll(CAMT_ACCOUNT)].map((m) => m[1] ?? m[2] ?? ""));
}

/** The `<ACCTID>` of an OFX statement (bank or card account), when there is one. */
export function ofxStatementAccount(text: string): string | undefined {
  return single([...text.matchAll(/<ACCTID>\s*([^<\r\n]{1,60})/gi)].map((m) => m[1] ?? ""));
}

/** The account a file of `format` says it belongs to; undefined for CSV, QIF and unnamed ones. */
export function statementAccount(format: ImportFormat, text: string): string | undefined {
  switch (format) {
    case "mt940":
      return mt940StatementAccount(text);
    case "camt053":
      return camt053StatementAccount(text);
    case "ofx":
      return ofxStatementAccount(text);
    default:
      return undefined;
  }
}
