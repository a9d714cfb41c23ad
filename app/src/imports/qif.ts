import { lines } from "./lines.ts";
import { ImportFileError, type ImportedSplit, type ParsedItem, type RowProblem } from "./types.ts";
import { fullYear, isoDate, parseDecimal } from "./values.ts";

const SECTIONS = new Set(["bank", "cash", "ccard", "oth a", "oth l"]);
// A transaction with hundreds of split lines is rare; thousands of lines without a "^" are a
// hostile file that would otherwise be held in memory whole.
const MAX_TRANSACTION_LINES = 2_000;

/**
 * Reads a QIF date in its common spellings: "01/15/2026", "1/15'26", "01/15/26", "15.01.2026",
 * "2026-01-15". Slashes are month first (Quicken's US default), dots day first.
 */
export function parseQifDate(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, "");
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const us = /^(\d{1,2})[/-](\d{1,2})(?:'|\/|-)(\d{2}|\d{4})$/.exec(t);
  const eu = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/.exec(t);
  const [m, d, y] = us ? [us[1], us[2], us[3]] : eu ? [eu[2], eu[1], eu[3]] : [];
  if (y === undefined) return undefined;
  const year = y.length === 2 ? fullYear(Number(y)) : Number(y);
  return isoDate(year, Number(m), Number(d));
}

function qifAmount(text: string): string | undefined {
  const t = text.trim();
  // "1,234.56" is Quicken's own; "1.234,56" appears in European exports.
  return /,\d{1,2}$/.test(t) ? parseDecimal(t, ",", ".") : parseDecimal(t, ".", ",");
}

interface Draft {
  line: number;
  fields: Map<string, string>;
  splits: { category: string; memo: string; amount: string }[];
  lines: number;
}

function finish(draft: Draft): ParsedItem {
  const problem = (message: string): { problem: RowProblem } => ({
    problem: { line: draft.line, message },
  });
  const date = parseQifDate(draft.fields.get("D") ?? "");
  if (date === undefined)
    return problem(`${JSON.stringify(draft.fields.get("D") ?? "")} is not a QIF date`);
  const amountText = draft.fields.get("T") ?? draft.fields.get("U") ?? "";
  const amount = qifAmount(amountText);
  if (amount === undefined) return problem(`${JSON.stringify(amountText)} is not an amount`);
  const splits: ImportedSplit[] = [];
  for (const split of draft.splits) {
    const splitAmount = qifAmount(split.amount);
    if (splitAmount === undefined)
      return problem(`split amount ${JSON.stringify(split.amount)} is not an amount`);
    splits.push({
      amount: splitAmount,
      memo: [split.category, split.memo].filter(Boolean).join(": "),
    });
  }
  const check = draft.fields.get("N");
  const memo = draft.fields.get("M") ?? "";
  const category = draft.fields.get("L") ?? "";
  return {
    row: {
      line: draft.line,
      date,
      amount,
      payee: (draft.fields.get("P") ?? "").slice(0, 200),
      description: [
        memo,
        check ? `check ${check}` : "",
        splits.length === 0 && category ? `[${category}]` : "",
      ]
        .filter(Boolean)
        .join(" ")
        .slice(0, 1000),
      ...(splits.length > 0 ? { splits } : {}),
    },
  };
}

// One more line of `draft`, refused past MAX_TRANSACTION_LINES.
function counted(draft: Draft): Draft {
  draft.lines += 1;
  if (draft.lines > MAX_TRANSACTION_LINES) {
    throw new ImportFileError(
      `a transaction has over ${MAX_TRANSACTION_LINES} lines without a closing ^`,
      draft.line,
    );
  }
  return draft;
}

/**
 * Parses QIF: the bank, cash and credit card sections (others, such as investments and
 * memorised lists, are skipped), one transaction per "^", with S/E/$ split lines. A file that
 * ends inside a transaction is truncated (its last amount may be cut short) and is refused.
 */
export async function* parseQif(text: AsyncIterable<string>): AsyncGenerator<ParsedItem> {
  let inBank = false;
  let draft: Draft | undefined;
  for await (const { line, text: raw } of lines(text)) {
    const content = raw.trimEnd();
    if (content === "") continue;
    if (content.startsWith("!")) {
      const header = content.slice(1).toLowerCase();
      if (header.startsWith("type:")) inBank = SECTIONS.has(header.slice(5).trim());
      else if (header.startsWith("option") || header.startsWith("clear")) continue;
      else inBank = false;
      continue;
    }
    if (!inBank) continue;
    if (content.startsWith("^")) {
      if (draft) yield finish(draft);
      draft = undefined;
      continue;
    }
    draft = counted(draft ?? { line, fields: new Map(), splits: [], lines: 0 });
    const code = content.charAt(0);
    const value = content.slice(1).trim();
    if (code === "S") draft.splits.push({ category: value, memo: "", amount: "" });
    else if (code === "E") {
      const last = draft.splits.at(-1);
      if (last) last.memo = value;
    } else if (code === "$") {
      const last = draft.splits.at(-1);
      if (last) last.amount = value;
    } else draft.fields.set(code, value);
  }
  if (draft) {
    throw new ImportFileError(
      "the file ends inside a transaction (no closing ^): it is truncated or incomplete",
      draft.line,
    );
  }
}
