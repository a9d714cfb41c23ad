/** A payee's name folded for comparison: accents, case, punctuation and spacing dropped. */
export function foldPayeeText(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

// Words a shop's receipt or card line adds after its name: legal forms, "Markt", a branch, a
// thank-you. Each entry is folded text matched as whole trailing words, longest first.
const trailingWords: readonly string[] = [
  "sagt danke",
  "gmbh co kg",
  "gmbh co ohg",
  "supermarkt",
  "filiale",
  "markt",
  "store",
  "gmbh",
  "ohg",
  "ltd",
  "inc",
  "llc",
  "fil",
  "nr",
  "ag",
  "kg",
  "se",
  "ek",
  "e k",
];

// A branch or terminal number: digits, perhaps after a letter ("#123" folds to "123").
const branchNumber = /^\d+$/;

/**
 * The key under which near-duplicate spellings of one payee group: "REWE Markt", "REWE",
 * "Rewe", "REWE SAGT DANKE. 4711" and "Rewe Markt GmbH #123" all give "rewe". Trailing store
 * words and branch numbers are dropped one after another, but never the first word, so
 * "Markt" alone or "7 Eleven" keeps its name.
 */
export function normalisePayee(name: string): string {
  const words = foldPayeeText(name).split(" ").filter(Boolean);
  for (;;) {
    if (words.length > 1 && branchNumber.test(words[words.length - 1] ?? "")) {
      words.pop();
      continue;
    }
    const tail = words.join(" ");
    const word = trailingWords.find((w) => {
      const length = w.split(" ").length;
      return words.length > length && (tail === w || tail.endsWith(` ${w}`));
    });
    if (word === undefined) return words.join(" ");
    words.splice(words.length - word.split(" ").length);
  }
}

/** One spelling of a payee as the ledger holds it: how often and when it was used. */
export interface PayeeUse {
  payee: string;
  uses: number;
  /** The day of its most recent transaction, YYYY-MM-DD. */
  lastUsed: string;
  /** The category of its most recent transaction that had one, and that transaction's day. */
  categoryId: string | null;
  categorisedOn: string | null;
}

/** A payee to suggest: the most used spelling of a group, its total use and last category. */
export interface PayeeSuggestion {
  payee: string;
  categoryId: string | null;
  uses: number;
  lastUsed: string;
}

const dayMs = 86_400_000;

/**
 * How strongly a payee is suggested: its uses, halved for every 30 days since it was last used,
 * so a payee booked weekly until last year gives way to one booked three times this week.
 */
export function payeeScore(uses: number, lastUsed: string, today: string): number {
  const ageDays = Math.max(0, (Date.parse(today) - Date.parse(lastUsed)) / dayMs);
  return uses * 0.5 ** (ageDays / 30);
}

function mergeGroup(spellings: readonly PayeeUse[]): PayeeSuggestion {
  let shown = spellings[0];
  let uses = 0;
  let lastUsed = "";
  let categoryId: string | null = null;
  let categorisedOn = "";
  for (const s of spellings) {
    uses += s.uses;
    if (s.lastUsed > lastUsed) lastUsed = s.lastUsed;
    if (
      shown === undefined ||
      s.uses > shown.uses ||
      (s.uses === shown.uses && s.lastUsed > shown.lastUsed)
    ) {
      shown = s;
    }
    if (s.categorisedOn !== null && s.categorisedOn > categorisedOn) {
      categorisedOn = s.categorisedOn;
      categoryId = s.categoryId;
    }
  }
  return { payee: shown?.payee ?? "", categoryId, uses, lastUsed };
}

/**
 * The payees to suggest for what was typed (`q`, may be empty): spellings grouped by
 * normalisePayee and shown as the most used one, with the category of the group's most recent
 * categorised transaction; those whose name starts with `q` first, then those with a word
 * starting with it, then those containing it, each by payeeScore.
 */
export function suggestPayees(
  spellings: readonly PayeeUse[],
  q: string,
  today: string,
  limit: number,
): PayeeSuggestion[] {
  const groups = new Map<string, PayeeUse[]>();
  for (const s of spellings) {
    const key = normalisePayee(s.payee);
    if (key === "") continue;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const wanted = foldPayeeText(q);
  const ranked: { suggestion: PayeeSuggestion; match: number; score: number }[] = [];
  for (const [key, group] of groups) {
    const suggestion = mergeGroup(group);
    const names = [key, ...group.map((s) => foldPayeeText(s.payee))];
    const match =
      wanted === ""
        ? 0
        : names.some((n) => n.startsWith(wanted))
          ? 0
          : names.some((n) => n.includes(` ${wanted}`))
            ? 1
            : names.some((n) => n.includes(wanted))
              ? 2
              : -1;
    if (match < 0) continue;
    ranked.push({
      suggestion,
      match,
      score: payeeScore(suggestion.uses, suggestion.lastUsed, today),
    });
  }
  ranked.sort(
    (a, b) =>
      a.match - b.match ||
      b.score - a.score ||
      a.suggestion.payee.localeCompare(b.suggestion.payee),
  );
  return ranked.slice(0, limit).map((r) => r.suggestion);
}
