import { describe, expect, it } from "vitest";
import {
  compileRules,
  conditionProblems,
  previewRule,
  type Rule,
  RULE_WORK_BUDGET,
  type RuleSubject,
  runRules,
} from "./rules.ts";
import { compileRuleRegex, REGEX_SUBJECT_LIMIT } from "./rule-regex.ts";

function aRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "1",
    name: "rule",
    position: 0,
    enabled: true,
    match: "all",
    stopProcessing: false,
    conditions: [{ field: "payee", op: "contains", value: "rewe" }],
    actions: [{ type: "setCategory", categoryId: "10" }],
    ...overrides,
  };
}

function aSubject(overrides: Partial<RuleSubject> = {}): RuleSubject {
  return {
    id: "100",
    accountId: "1",
    date: "2026-01-15",
    amount: -1234n,
    currency: "EUR",
    payee: "REWE Markt GmbH",
    description: "card payment",
    notes: "",
    categoryId: null,
    tags: [],
    isTransfer: false,
    hasSplits: false,
    ...overrides,
  };
}

const run = (rules: Rule[], subject = aSubject()) => runRules(compileRules(rules), subject);

describe("runRules", () => {
  it("applies a matching rule's actions and reports only what changed", () => {
    const outcome = run([
      aRule({
        actions: [
          { type: "setCategory", categoryId: "10" },
          { type: "addTag", tag: "food" },
          { type: "setPayee", payee: "REWE Markt GmbH" },
        ],
      }),
    ]);
    expect(outcome).toEqual({
      changes: { categoryId: "10", tags: ["food"] },
      matchedRuleIds: ["1"],
      timedOut: false,
      work: 0,
    });
  });

  it("leaves a transaction no rule matches unchanged", () => {
    const outcome = run([aRule({ conditions: [{ field: "payee", op: "equals", value: "rewe" }] })]);
    expect(outcome.changes).toEqual({});
    expect(outcome.matchedRuleIds).toEqual([]);
  });

  it("runs rules by position, later ones overriding earlier ones unless one stops the run", () => {
    const first = aRule({
      id: "2",
      position: 1,
      actions: [{ type: "setCategory", categoryId: "a" }],
    });
    const second = aRule({
      id: "1",
      position: 2,
      actions: [{ type: "setCategory", categoryId: "b" }],
    });
    expect(run([second, first]).changes.categoryId).toBe("b");
    expect(run([second, { ...first, stopProcessing: true }])).toMatchObject({
      changes: { categoryId: "a" },
      matchedRuleIds: ["2"],
    });
  });

  it("lets a later rule see what an earlier rule changed", () => {
    const rename = aRule({ id: "1", actions: [{ type: "setPayee", payee: "Supermarket" }] });
    const tag = aRule({
      id: "2",
      position: 1,
      conditions: [{ field: "payee", op: "equals", value: "supermarket" }],
      actions: [{ type: "addTag", tag: "groceries" }],
    });
    expect(run([rename, tag]).changes).toEqual({ payee: "Supermarket", tags: ["groceries"] });
  });

  it("requires every condition for match all and one for match any", () => {
    const conditions: Rule["conditions"] = [
      { field: "payee", op: "contains", value: "rewe" },
      { field: "account", accountId: "2" },
    ];
    expect(run([aRule({ conditions })]).matchedRuleIds).toEqual([]);
    expect(run([aRule({ conditions, match: "any" })]).matchedRuleIds).toEqual(["1"]);
  });

  it("compares amounts exactly in the transaction's currency, bounds inclusive", () => {
    const rule = (min?: string, max?: string) =>
      aRule({ conditions: [{ field: "amount", min, max }] });
    expect(run([rule("-12.34", "-12.34")]).matchedRuleIds).toEqual(["1"]);
    expect(run([rule(undefined, "-12.35")]).matchedRuleIds).toEqual([]);
    expect(run([rule("-12.3399")]).matchedRuleIds).toEqual([]);
    const yen = aSubject({ amount: -1200n, currency: "JPY" });
    expect(run([rule("-1200", "-1199.5")], yen).matchedRuleIds).toEqual(["1"]);
    const dinar = aSubject({ amount: -1234n, currency: "BHD" });
    expect(run([rule("-1.234", "-1.234")], dinar).matchedRuleIds).toEqual(["1"]);
  });

  it("matches date ranges inclusively and the account by id", () => {
    const dates = aRule({ conditions: [{ field: "date", from: "2026-01-15", to: "2026-01-15" }] });
    expect(run([dates]).matchedRuleIds).toEqual(["1"]);
    const later = aRule({ conditions: [{ field: "date", from: "2026-01-16" }] });
    expect(run([later]).matchedRuleIds).toEqual([]);
    const account = aRule({ conditions: [{ field: "account", accountId: "1" }] });
    expect(run([account]).matchedRuleIds).toEqual(["1"]);
  });

  it.each<[string, string, boolean]>([
    ["^rewe\\s+m", "REWE Markt GmbH", true],
    ["gmbh$", "REWE Markt GmbH", true],
    ["^markt", "REWE Markt GmbH", false],
    ["\\bmarkt\\b", "REWE Markt GmbH", true],
    ["\\bmark\\b", "REWE Markt GmbH", false],
    ["^[a-z]+ [[:alpha:]]+ g(m|n)bh$", "REWE Markt GmbH", true],
    ["\\d{4}-\\d{2}", "Rent 2026-01", true],
    ["^bäckerei\\s", "BÄCKEREI Müller", true],
    ["\\p{L}+\\.(de|com)", "amazon.DE", true],
  ])("matches %j case-insensitively on %j: %s", (pattern, payee, expected) => {
    const rule = aRule({ conditions: [{ field: "payee", op: "matches", value: pattern }] });
    expect(run([rule], aSubject({ payee })).matchedRuleIds).toEqual(expected ? ["1"] : []);
  });

  it("matches a pattern of many bounded groups on a long payee in linear time (issue 16)", () => {
    // Six `\w{0,10}` groups before a literal: a backtracking engine tries about 11^6 ways at
    // each of the 200 start positions (some 15 s with RegExp), which froze the server. Under
    // RE2 semantics the match is linear in the text, so this returns at once, either way.
    const pattern = `${"\\w{0,10}".repeat(6)}!`;
    const rule = aRule({ conditions: [{ field: "payee", op: "matches", value: pattern }] });
    const long = aSubject({ payee: "a".repeat(REGEX_SUBJECT_LIMIT) });
    expect(run([rule], long)).toMatchObject({ matchedRuleIds: [], timedOut: false });
    const hit = aSubject({ payee: `${"a".repeat(REGEX_SUBJECT_LIMIT - 10)}abc!` });
    expect(run([rule], hit).matchedRuleIds).toEqual(["1"]);
  });

  it("does not set a category on a transfer or a split transaction, but still tags it", () => {
    const rule = aRule({
      actions: [
        { type: "setCategory", categoryId: "10" },
        { type: "addTag", tag: "x" },
      ],
    });
    expect(run([rule], aSubject({ isTransfer: true })).changes).toEqual({ tags: ["x"] });
    expect(run([rule], aSubject({ hasSplits: true })).changes).toEqual({ tags: ["x"] });
  });

  it("skips disabled rules and rules without conditions", () => {
    expect(run([aRule({ enabled: false })]).matchedRuleIds).toEqual([]);
    expect(run([aRule({ conditions: [] })]).matchedRuleIds).toEqual([]);
  });

  it("leaves out a stored rule whose regex RE2 refuses instead of failing the run", () => {
    const legacy = aRule({
      id: "1",
      conditions: [{ field: "payee", op: "matches", value: "\\u0052" }],
    });
    expect(compileRules([legacy, aRule({ id: "2", position: 1 })]).map((c) => c.rule.id)).toEqual([
      "2",
    ]);
  });

  it("stops once the time budget is spent and says so", () => {
    let clock = 0;
    const rules = compileRules([aRule({ id: "1" }), aRule({ id: "2", position: 1 })]);
    const outcome = runRules(rules, aSubject(), { ms: 50, now: () => (clock += 40) });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.matchedRuleIds).toEqual(["1"]);
  });

  it("pays for each match before it starts and stops where the work budget cannot pay", () => {
    const payee = "x".repeat(REGEX_SUBJECT_LIMIT + 50);
    const cost = compileRuleRegex("x{0,10}y").cost(payee);
    const regexRule = (id: string) =>
      aRule({
        id,
        position: Number(id),
        conditions: [{ field: "payee", op: "matches", value: "x{0,10}y" }],
      });
    const rules = compileRules([
      aRule({ id: "0", conditions: [{ field: "payee", op: "contains", value: "x" }] }),
      regexRule("1"),
      regexRule("2"),
    ]);
    // Enough for one match, not two: the second regex rule never starts.
    const outcome = runRules(rules, aSubject({ payee }), { work: cost * 2 - 1 });
    expect(outcome).toMatchObject({ matchedRuleIds: ["0"], timedOut: true, work: cost });
    expect(runRules(rules, aSubject({ payee }), { work: cost * 2 })).toMatchObject({
      timedOut: false,
      work: cost * 2,
    });
  });

  it("never spends more than the work budget, however many regex rules there are", () => {
    const pattern = `${"\\w{0,10}".repeat(20)}!`;
    const rules = compileRules(
      Array.from({ length: 100 }, (_, i) =>
        aRule({
          id: String(i),
          position: i,
          conditions: [{ field: "payee", op: "matches", value: pattern }],
        }),
      ),
    );
    const outcome = runRules(rules, aSubject({ payee: "a".repeat(1000) }));
    expect(outcome.timedOut).toBe(true);
    expect(outcome.work).toBeGreaterThan(0);
    expect(outcome.work).toBeLessThanOrEqual(RULE_WORK_BUDGET);
  });
});

describe("previewRule", () => {
  const [grocer] = compileRules([
    aRule({
      conditions: [{ field: "payee", op: "contains", value: "grocer" }],
      actions: [
        { type: "setCategory", categoryId: "10" },
        { type: "addTag", tag: "food" },
      ],
    }),
  ]);
  const subjects = [
    aSubject({ id: "1", payee: "Corner Grocer" }),
    aSubject({ id: "2", payee: "Bakery" }),
    aSubject({ id: "3", payee: "Grocer Two", categoryId: "10", tags: ["food"] }),
    aSubject({ id: "4", payee: "grocer three", tags: ["x"] }),
    aSubject({ id: "5", payee: "Grocer four" }),
  ];

  it("counts every change, lists the first `limit` in order with before and after", () => {
    if (grocer === undefined) throw new Error("no compiled rule");
    const outcome = previewRule(grocer, subjects, { limit: 2, budgetMs: 1000 });
    expect(outcome).toMatchObject({ examined: 5, matched: 3, outOfTime: false });
    // Subject 3 already has what the rule sets: a match that changes nothing is not a change.
    expect(outcome.changes.map((c) => [c.subject.id, c.before, c.after])).toEqual([
      ["1", { categoryId: null, tags: [] }, { categoryId: "10", tags: ["food"] }],
      ["4", { categoryId: null, tags: ["x"] }, { categoryId: "10", tags: ["x", "food"] }],
    ]);
  });

  it("stops when the shared time budget is spent and says how far it got", () => {
    if (grocer === undefined) throw new Error("no compiled rule");
    let clock = 0;
    // Every clock reading advances 10 ms: the loop reads it once per transaction and runRules
    // twice, so the third transaction would start 70 ms in, past the 50 ms budget.
    const outcome = previewRule(grocer, subjects, {
      limit: 50,
      budgetMs: 50,
      now: () => (clock += 10),
    });
    expect(outcome).toMatchObject({ examined: 2, matched: 1, outOfTime: true });
    expect(outcome.changes.map((c) => c.subject.id)).toEqual(["1"]);
  });
});

describe("conditionProblems", () => {
  it("names the bad part of a condition", () => {
    expect(conditionProblems({ field: "payee", op: "matches", value: "(a)\\1" })).toEqual([
      ["value", expect.stringMatching(/backreference/)],
    ]);
    expect(conditionProblems({ field: "amount" })).toEqual([["min", "give min, max or both"]]);
    expect(conditionProblems({ field: "amount", min: "5", max: "-5" })).toEqual([
      ["max", "is below min"],
    ]);
    expect(conditionProblems({ field: "date", from: "2026-02-01", to: "2026-01-01" })).toEqual([
      ["to", "is before from"],
    ]);
  });
});
