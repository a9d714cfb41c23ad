import { currencyExponent } from "./currencies.ts";
import { compileRuleRegex, regexProblem } from "./rule-regex.ts";

/**
 * Rules: ordered conditions and actions that categorise, tag and tidy transactions. Pure: the
 * API stores and loads them, this module decides what a rule does to a transaction.
 */

/** A text test on the payee or the description. `matches` takes a regex in RE2 syntax. */
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
  /** True when the time or the work budget ran out before every rule had run. */
  timedOut: boolean;
  /** The matching work the run paid for, in RE2 steps (see RULE_WORK_BUDGET). */
  work: number;
}

/** The time one transaction's rule run may take before the remaining rules are skipped. */
export const RULE_BUDGET_MS = 50;

/**
 * The matching work, in RE2 steps (RuleRegex.cost), one transaction's rule run may spend. The
 * clock alone cannot bound a run: it is read between matches, and one match does not yield.
 * So every regex match is paid for before it starts, at its worst-case cost, and a match the
 * rest of the budget cannot pay for does not start: the run stops there. A run therefore never
 * exceeds this many steps, some 30 ms at re2js's slowest measured pace (about 30 ns a step).
 * It pays for four of the largest regexes on the longest text, or thousands of ordinary ones.
 */
export const RULE_WORK_BUDGET = 1_000_000;

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

/** The matching work a run may still spend, in RE2 steps. */
interface Meter {
  left: number;
}

/** One condition's test: undefined when the meter could not pay for the match it needs. */
type Test = (subject: RuleSubject, meter: Meter) => boolean | undefined;

/** A rule with its regexes compiled once, ready to run on many transactions. */
export interface CompiledRule {
  rule: Rule;
  tests: Test[];
}

function textTest(condition: TextCondition): Test {
  const read = (s: RuleSubject) => s[condition.field];
  if (condition.op === "matches") {
    const regex = compileRuleRegex(condition.value);
    return (s, meter) => {
      const text = read(s);
      const cost = regex.cost(text);
      if (cost > meter.left) return undefined;
      meter.left -= cost;
      return regex.test(text);
    };
  }
  // Plain text tests are linear in the text with no pattern to blow them up: not metered.
  const wanted = condition.value.toLocaleLowerCase("und");
  if (condition.op === "equals") return (s) => read(s).toLocaleLowerCase("und") === wanted;
  return (s) => read(s).toLocaleLowerCase("und").includes(wanted);
}

function conditionTest(condition: Condition): Test {
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
 * Compiles rules for running: enabled ones only, in order (position, then id). A stored rule
 * that no longer passes conditionProblems (a regex saved before rules took RE2 syntax, such
 * as one with a `\u0041` escape) is left out, as if disabled, rather than failing every write
 * and import that runs rules; saving it again reports what to change.
 */
export function compileRules(rules: readonly Rule[]): CompiledRule[] {
  return rules
    .filter(
      (rule) => rule.enabled && rule.conditions.every((c) => conditionProblems(c).length === 0),
    )
    .sort((a, b) => a.position - b.position || compareIds(a.id, b.id))
    .map((rule) => ({ rule, tests: rule.conditions.map(conditionTest) }));
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Whether the rule matches; undefined when the meter ran dry before that was decided. */
function matches(compiled: CompiledRule, subject: RuleSubject, meter: Meter): boolean | undefined {
  if (compiled.tests.length === 0) return false;
  // "all" is decided by the first false, "any" by the first true.
  const all = compiled.rule.match === "all";
  for (const test of compiled.tests) {
    const result = test(subject, meter);
    if (result === undefined || result !== all) return result;
  }
  return all;
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

/** The limits of one transaction's rule run; the defaults suit every caller but tests. */
export interface RunBudget {
  /** Wall-clock milliseconds, checked before each rule. */
  ms?: number;
  /** RE2 steps, paid before each match (see RULE_WORK_BUDGET). */
  work?: number;
  /** The clock in milliseconds; tests pass one that advances as they say. */
  now?: () => number;
}

/**
 * Runs compiled rules on one transaction, in order. Each matching rule's actions apply to a
 * working copy that later rules see; a matching rule with stopProcessing ends the run. The run
 * stops early (timedOut) once it has taken `budget.ms`, or when the next regex match costs
 * more than is left of `budget.work`, so no transaction holds up a batch or the server; the
 * rules that ran before still apply.
 */
export function runRules(
  rules: readonly CompiledRule[],
  subject: RuleSubject,
  budget: RunBudget = {},
): RuleOutcome {
  const { ms = RULE_BUDGET_MS, work = RULE_WORK_BUDGET, now = () => performance.now() } = budget;
  const started = now();
  const meter: Meter = { left: work };
  const working: RuleSubject = { ...subject, tags: [...subject.tags] };
  const matchedRuleIds: string[] = [];
  let timedOut = false;
  for (const compiled of rules) {
    const matched = now() - started > ms ? undefined : matches(compiled, working, meter);
    if (matched === undefined) {
      timedOut = true;
      break;
    }
    if (!matched) continue;
    matchedRuleIds.push(compiled.rule.id);
    for (const action of compiled.rule.actions) applyAction(working, action);
    if (compiled.rule.stopProcessing) break;
  }
  const changes: RuleChanges = {};
  if (working.categoryId !== subject.categoryId) changes.categoryId = working.categoryId;
  if (working.tags.join("\u0000") !== subject.tags.join("\u0000")) changes.tags = working.tags;
  if (working.payee !== subject.payee) changes.payee = working.payee;
  if (working.notes !== subject.notes) changes.notes = working.notes;
  return { changes, matchedRuleIds, timedOut, work: work - meter.left };
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
    const outcome = runRules([rule], subject, { now });
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
