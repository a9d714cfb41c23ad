import { currencyExponent } from "./currencies.ts";

/**
 * Rules: ordered conditions and actions that categorise, tag and tidy transactions. Pure: the
 * API stores and loads them, this module decides what a rule does to a transaction.
 */

/** A text test on the payee or the description. `matches` takes a safe regular expression. */
export interface TextCondition {
  field: "payee" | "description";
  op: "contains" | "equals" | "matches";
  value: string;
}

/** The amount within [min, max] (either may be absent), signed, in the transaction's currency. */
export interface AmountCondition {
  field: "amount";
  min?: string | undefined;
  max?: string | undefined;
}

/** Booked in this account. */
export interface AccountCondition {
  field: "account";
  accountId: string;
}

/** Booked on or after `from` and on or before `to` (either may be absent). */
export interface DateCondition {
  field: "date";
  from?: string | undefined;
  to?: string | undefined;
}

export type Condition = TextCondition | AmountCondition | AccountCondition | DateCondition;

export type Action =
  | { type: "setCategory"; categoryId: string }
  | { type: "addTag"; tag: string }
  | { type: "setPayee"; payee: string }
  | { type: "setNotes"; notes: string };

/** A rule as stored. */
export interface Rule {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  /** "all": every condition must hold; "any": one suffices. */
  match: "all" | "any";
  /** When it matched, later rules do not run on that transaction ("first match"). */
  stopProcessing: boolean;
  conditions: Condition[];
  actions: Action[];
}

/** What a rule looks at and may change. */
export interface RuleSubject {
  id: string;
  accountId: string;
  date: string;
  /** Minor units. */
  amount: bigint;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  categoryId: string | null;
  tags: string[];
  /** Transfers and split transactions carry no category of their own: setCategory skips them. */
  isTransfer: boolean;
  hasSplits: boolean;
}

/** The fields rules may change. */
export type RuleChanges = Partial<Pick<RuleSubject, "categoryId" | "tags" | "payee" | "notes">>;

/** The outcome of running the rules on one transaction. */
export interface RuleOutcome {
  /** Only fields whose value differs from before. */
  changes: RuleChanges;
  matchedRuleIds: string[];
  /** True when the time budget ran out before every rule had run. */
  timedOut: boolean;
}

/** The longest regular expression a rule may hold. */
export const MAX_REGEX_LENGTH = 200;
/** Quantifiers that repeat unboundedly (`*`, `+`, `{n,}`, long `{n,m}`) one regex may hold. */
export const MAX_UNBOUNDED_QUANTIFIERS = 2;
/** All quantifiers one regex may hold. */
export const MAX_QUANTIFIERS = 10;
/**
 * A regex sees at most this many characters of the text (a payee's maximum length): with star
 * height 1 and at most two unbounded quantifiers, a match is at worst cubic in this, about a
 * million backtracking steps, which stays within milliseconds.
 */
export const REGEX_SUBJECT_LIMIT = 200;
/** The time one transaction's rule run may take before the remaining rules are skipped. */
export const RULE_BUDGET_MS = 50;

const LOOKAROUND = /^\(\?(=|!|<=|<!)/;

interface Frame {
  quantified: boolean;
  alternation: boolean;
}

/**
 * Why `pattern` is not a safe regular expression, or undefined when it is. Safe means: it
 * compiles (flags `iu`), has no backreferences or lookarounds, no quantifier applies to a
 * group that itself holds a quantifier or an alternation (star height 1: the shape of every
 * catastrophic backtracking case, like `(a+)+` or `(a|a)*`), and few quantifiers overall, so
 * the backtracking of what is left is bounded by a small polynomial of the text's length.
 */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return "is empty";
  if (pattern.length > MAX_REGEX_LENGTH) return `is longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(pattern, "iu");
  } catch (error) {
    return `is not a valid regular expression: ${error instanceof Error ? error.message : ""}`;
  }
  const scan: Scan = {
    pattern,
    i: 0,
    stack: [{ quantified: false, alternation: false }],
    last: undefined,
    unbounded: 0,
    quantifiers: 0,
  };
  while (scan.i < pattern.length) {
    const problem = step(scan);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Where a scan of a pattern stands. */
interface Scan {
  pattern: string;
  i: number;
  stack: Frame[];
  /** What the next quantifier would apply to: a group (its frame) or a single atom. */
  last: Frame | "atom" | undefined;
  unbounded: number;
  quantifiers: number;
}

/** Reads one element of the pattern at `scan.i`; returns what makes the pattern unsafe. */
function step(scan: Scan): string | undefined {
  const { pattern, i } = scan;
  const ch = pattern[i];
  if (ch === "\\") {
    const next = pattern[i + 1] ?? "";
    if (/[1-9]/.test(next) || next === "k") return "uses a backreference, which is not allowed";
    scan.i = next === "u" || next === "p" || next === "P" ? skipBraced(pattern, i + 2) : i + 2;
    scan.last = "atom";
    return undefined;
  }
  if (ch === "[") {
    scan.i = skipClass(pattern, i);
    scan.last = "atom";
    return undefined;
  }
  if (ch === "(") return openGroup(scan);
  if (ch === ")") return closeGroup(scan);
  if (ch === "|") {
    const top = scan.stack.at(-1);
    if (top !== undefined) top.alternation = true;
    scan.last = undefined;
    scan.i += 1;
    return undefined;
  }
  const quantifier = readQuantifier(pattern, i);
  if (quantifier !== undefined) return quantify(scan, quantifier);
  scan.last = "atom";
  scan.i += 1;
  return undefined;
}

function openGroup(scan: Scan): string | undefined {
  const { pattern, i } = scan;
  if (LOOKAROUND.test(pattern.slice(i, i + 4))) return "uses a lookaround, which is not allowed";
  scan.stack.push({ quantified: false, alternation: false });
  if (pattern.startsWith("(?:", i)) scan.i = i + 3;
  else if (pattern.startsWith("(?<", i)) scan.i = pattern.indexOf(">", i) + 1;
  else scan.i = i + 1;
  scan.last = undefined;
  return undefined;
}

function closeGroup(scan: Scan): string | undefined {
  const frame = scan.stack.pop();
  const parent = scan.stack.at(-1);
  if (frame === undefined || parent === undefined) return "has unbalanced parentheses";
  parent.quantified ||= frame.quantified;
  parent.alternation ||= frame.alternation;
  scan.last = frame;
  scan.i += 1;
  return undefined;
}

function quantify(scan: Scan, quantifier: { end: number; unbounded: boolean }): string | undefined {
  const last = scan.last;
  if (typeof last === "object" && (last.quantified || last.alternation)) {
    return "repeats a group that holds a quantifier or an alternation (catastrophic backtracking)";
  }
  scan.quantifiers += 1;
  if (quantifier.unbounded) scan.unbounded += 1;
  if (scan.quantifiers > MAX_QUANTIFIERS) return `has more than ${MAX_QUANTIFIERS} quantifiers`;
  if (scan.unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return `has more than ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers (*, +, {n,})`;
  }
  const top = scan.stack.at(-1);
  if (top !== undefined) top.quantified = true;
  scan.i = quantifier.end + (scan.pattern[quantifier.end] === "?" ? 1 : 0);
  scan.last = undefined;
  return undefined;
}

function skipBraced(pattern: string, from: number): number {
  if (pattern[from] !== "{") return from + 4 <= pattern.length ? from + 4 : pattern.length;
  const close = pattern.indexOf("}", from);
  return close < 0 ? pattern.length : close + 1;
}

/** The index just past the character class starting at `start` (escapes inside honoured). */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
  return i + 1;
}

function readQuantifier(
  pattern: string,
  i: number,
): { end: number; unbounded: boolean } | undefined {
  const ch = pattern[i];
  if (ch === "*" || ch === "+") return { end: i + 1, unbounded: true };
  if (ch === "?") return { end: i + 1, unbounded: false };
  if (ch !== "{") return undefined;
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (match === null) return undefined;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : match[3] === "" ? Infinity : Number(match[3]);
  return { end: i + match[0].length, unbounded: high - low > 10 };
}

/** Why a condition cannot be stored, as [path within the condition, message] pairs. */
export function conditionProblems(condition: Condition): [string, string][] {
  if (condition.field === "payee" || condition.field === "description") {
    if (condition.op !== "matches") return [];
    const problem = regexProblem(condition.value);
    return problem === undefined ? [] : [["value", problem]];
  }
  if (condition.field === "amount") {
    if (condition.min === undefined && condition.max === undefined) {
      return [["min", "give min, max or both"]];
    }
    if (
      condition.min !== undefined &&
      condition.max !== undefined &&
      scaled(condition.min) > scaled(condition.max)
    ) {
      return [["max", "is below min"]];
    }
  }
  if (
    condition.field === "date" &&
    condition.from &&
    condition.to &&
    condition.to < condition.from
  ) {
    return [["to", "is before from"]];
  }
  return [];
}

/** A decimal amount text ("-12.34") as an integer of ten-thousandths, exactly. */
function scaled(text: string): bigint {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace(/^[-+]/, "").split(".");
  const value = BigInt((whole === "" ? "0" : whole) + fraction.padEnd(4, "0").slice(0, 4));
  return negative ? -value : value;
}

/** A decimal amount as rules spell it: sign, digits, at most four decimals. */
export const RULE_AMOUNT = /^-?[0-9]{1,15}(\.[0-9]{1,4})?$/;

/** A rule with its regexes compiled once, ready to run on many transactions. */
export interface CompiledRule {
  rule: Rule;
  tests: ((subject: RuleSubject) => boolean)[];
}

function textTest(condition: TextCondition): (subject: RuleSubject) => boolean {
  const read = (s: RuleSubject) => s[condition.field];
  if (condition.op === "matches") {
    const regex = new RegExp(condition.value, "iu");
    return (s) => regex.test(read(s).slice(0, REGEX_SUBJECT_LIMIT));
  }
  const wanted = condition.value.toLocaleLowerCase("und");
  if (condition.op === "equals") return (s) => read(s).toLocaleLowerCase("und") === wanted;
  return (s) => read(s).toLocaleLowerCase("und").includes(wanted);
}

function conditionTest(condition: Condition): (subject: RuleSubject) => boolean {
  switch (condition.field) {
    case "payee":
    case "description":
      return textTest(condition);
    case "account":
      return (s) => s.accountId === condition.accountId;
    case "date":
      return (s) =>
        (condition.from === undefined || s.date >= condition.from) &&
        (condition.to === undefined || s.date <= condition.to);
    case "amount": {
      const min = condition.min === undefined ? undefined : scaled(condition.min);
      const max = condition.max === undefined ? undefined : scaled(condition.max);
      return (s) => {
        const value = s.amount * 10n ** BigInt(4 - currencyExponent(s.currency));
        return (min === undefined || value >= min) && (max === undefined || value <= max);
      };
    }
  }
}

/**
 * Compiles rules for running: enabled ones only, in order (position, then id). Throws when a
 * stored regex is unsafe, which the API never stores.
 */
export function compileRules(rules: readonly Rule[]): CompiledRule[] {
  return rules
    .filter((rule) => rule.enabled)
    .sort((a, b) => a.position - b.position || compareIds(a.id, b.id))
    .map((rule) => {
      for (const condition of rule.conditions) {
        const problems = conditionProblems(condition);
        if (problems.length > 0) throw new Error(`rule ${rule.id}: ${problems[0]?.[1] ?? ""}`);
      }
      return { rule, tests: rule.conditions.map(conditionTest) };
    });
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function matches(compiled: CompiledRule, subject: RuleSubject): boolean {
  if (compiled.tests.length === 0) return false;
  return compiled.rule.match === "all"
    ? compiled.tests.every((test) => test(subject))
    : compiled.tests.some((test) => test(subject));
}

function applyAction(subject: RuleSubject, action: Action): void {
  switch (action.type) {
    case "setCategory":
      if (!subject.isTransfer && !subject.hasSplits) subject.categoryId = action.categoryId;
      return;
    case "addTag":
      if (!subject.tags.includes(action.tag) && subject.tags.length < 20) {
        subject.tags = [...subject.tags, action.tag];
      }
      return;
    case "setPayee":
      subject.payee = action.payee;
      return;
    case "setNotes":
      subject.notes = action.notes;
      return;
  }
}

/**
 * Runs compiled rules on one transaction, in order. Each matching rule's actions apply to a
 * working copy that later rules see; a matching rule with stopProcessing ends the run. The run
 * stops early (timedOut) once it has taken `budgetMs`, so no transaction holds up a batch.
 */
export function runRules(
  rules: readonly CompiledRule[],
  subject: RuleSubject,
  budgetMs = RULE_BUDGET_MS,
  now: () => number = () => performance.now(),
): RuleOutcome {
  const started = now();
  const working: RuleSubject = { ...subject, tags: [...subject.tags] };
  const matchedRuleIds: string[] = [];
  let timedOut = false;
  for (const compiled of rules) {
    if (now() - started > budgetMs) {
      timedOut = true;
      break;
    }
    if (!matches(compiled, working)) continue;
    matchedRuleIds.push(compiled.rule.id);
    for (const action of compiled.rule.actions) applyAction(working, action);
    if (compiled.rule.stopProcessing) break;
  }
  const changes: RuleChanges = {};
  if (working.categoryId !== subject.categoryId) changes.categoryId = working.categoryId;
  if (working.tags.join("\u0000") !== subject.tags.join("\u0000")) changes.tags = working.tags;
  if (working.payee !== subject.payee) changes.payee = working.payee;
  if (working.notes !== subject.notes) changes.notes = working.notes;
  return { changes, matchedRuleIds, timedOut };
}

/** One transaction a draft rule would change: the transaction as it is, the fields before and after. */
export interface PreviewChange {
  subject: RuleSubject;
  before: RuleChanges;
  after: RuleChanges;
}

/** What a draft rule would change on a batch of transactions. */
export interface PreviewOutcome {
  /** Transactions the draft ran on before the batch ended or the time ran out. */
  examined: number;
  /** Of those, how many it would change. */
  matched: number;
  /** The first `limit` of them, in the batch's order. */
  changes: PreviewChange[];
  /** True when `budgetMs` ran out before the whole batch was examined. */
  outOfTime: boolean;
}

/**
 * Runs one compiled rule on `subjects` in order without changing anything, counting every
 * transaction it would change and keeping the first `limit`. The whole run shares `budgetMs`,
 * so a live preview answers in time even when the batch is large; each transaction's own run
 * keeps the usual per-transaction budget.
 */
export function previewRule(
  rule: CompiledRule,
  subjects: readonly RuleSubject[],
  options: { limit: number; budgetMs: number; now?: () => number },
): PreviewOutcome {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const changes: PreviewChange[] = [];
  let examined = 0;
  let matched = 0;
  for (const subject of subjects) {
    if (now() - started > options.budgetMs) {
      return { examined, matched, changes, outOfTime: true };
    }
    examined += 1;
    const outcome = runRules([rule], subject, RULE_BUDGET_MS, now);
    const change = changeOf(subject, outcome.changes);
    if (change === undefined) continue;
    matched += 1;
    if (changes.length < options.limit) changes.push(change);
  }
  return { examined, matched, changes, outOfTime: false };
}

/** The before and after of the fields `changes` touches, or undefined when it touches none. */
export function changeOf(subject: RuleSubject, changes: RuleChanges): PreviewChange | undefined {
  const keys = Object.keys(changes) as (keyof RuleChanges)[];
  if (keys.length === 0) return undefined;
  const before: RuleChanges = {};
  for (const key of keys) Object.assign(before, { [key]: subject[key] });
  return { subject, before, after: changes };
}
