import { describe, expect, it } from "vitest";
import {
  compileQuery,
  isPlainText,
  MAX_DEPTH,
  MAX_TERMS,
  parseQuery,
  QueryError,
  type QueryNode,
} from "./query-language.ts";

function errorOf(input: string): QueryError {
  try {
    parseQuery(input);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} parsed`);
}

function compile(node: QueryNode): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const sql = compileQuery(node, (value) => {
    values.push(value);
    return `$${values.length}`;
  });
  return { sql, values };
}

describe("parseQuery", () => {
  it("parses the issue's example into five conditions that must all hold", () => {
    expect(
      parseQuery("payee:amazon category:groceries amount:<-50 after:2026-01-01 tag:trip"),
    ).toEqual({
      kind: "and",
      items: [
        { kind: "field", field: "payee", value: "amazon", position: 0 },
        { kind: "field", field: "category", value: "groceries", position: 13 },
        { kind: "amount", op: "<", value: "-50", position: 32 },
        { kind: "date", op: ">=", value: "2026-01-01", position: 44 },
        { kind: "field", field: "tag", value: "trip", position: 61 },
      ],
    });
  });

  it("reads quoted values, escapes, free words and aliases", () => {
    expect(parseQuery('payee:"whole foods" "say \\"hi\\"" coffee desc:x')).toEqual({
      kind: "and",
      items: [
        { kind: "field", field: "payee", value: "whole foods", position: 0 },
        { kind: "text", value: 'say "hi"', position: 20 },
        { kind: "text", value: "coffee", position: 33 },
        { kind: "field", field: "description", value: "x", position: 40 },
      ],
    });
  });

  it("binds OR looser than side by side, and reads negation and parentheses", () => {
    expect(parseQuery("a b OR -(c OR tag:d)")).toEqual({
      kind: "or",
      items: [
        {
          kind: "and",
          items: [
            { kind: "text", value: "a", position: 0 },
            { kind: "text", value: "b", position: 2 },
          ],
        },
        {
          kind: "not",
          item: {
            kind: "or",
            items: [
              { kind: "text", value: "c", position: 9 },
              { kind: "field", field: "tag", value: "d", position: 14 },
            ],
          },
        },
      ],
    });
  });

  it.each([
    ["amount:-12.34", { op: "=", value: "-12.34" }],
    ["amount:>=100", { op: ">=", value: "100" }],
    ["amount:<=0.001", { op: "<=", value: "0.001" }],
    ["amount:=5", { op: "=", value: "5" }],
  ])("reads %s as a comparison", (input, expected) => {
    expect(parseQuery(input)).toMatchObject({ kind: "amount", ...expected });
  });

  it("reads account: with a bare or a quoted name, and its negation", () => {
    expect(parseQuery("account:Checking")).toEqual({
      kind: "field",
      field: "account",
      value: "Checking",
      position: 0,
    });
    expect(parseQuery('ACCOUNT:"Joint savings" -account:"credit card"')).toEqual({
      kind: "and",
      items: [
        { kind: "field", field: "account", value: "Joint savings", position: 0 },
        {
          kind: "not",
          item: { kind: "field", field: "account", value: "credit card", position: 25 },
        },
      ],
    });
  });

  it("reads an amount range with negative ends", () => {
    expect(parseQuery("amount:-100..-50")).toMatchObject({
      kind: "amountRange",
      low: "-100",
      high: "-50",
    });
  });

  it.each<[string, number, RegExp]>([
    ["", 0, /empty/],
    ["payee:", 6, /expected a value after "payee:"/],
    ["account:", 8, /expected a value after "account:"/],
    ["foo:bar", 0, /unknown field "foo"/],
    ["amount:<abc", 7, /amount: needs a number/],
    ["amount:1.23456", 7, /amount: needs a number/],
    ["amount:-50..-100", 7, /low end is above its high end/],
    ["after:2026-02-30", 6, /YYYY-MM-DD/],
    ["status:open", 7, /status is one of/],
    ['x "unclosed', 2, /quote is never closed/],
    ["(a b", 0, /'\(' is never closed/],
    ["a b)", 3, /'\)' closes no '\('/],
    ["a OR", 2, /OR needs a term on both sides/],
    ["OR a", 0, /OR needs a term on both sides/],
    ["()", 1, /empty parentheses/],
    ['""', 0, /empty quotes/],
  ])("refuses %j naming position %i", (input, position, reason) => {
    const error = errorOf(input);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(`at character ${position + 1}`);
  });

  it("refuses nesting deeper than the limit instead of overflowing the stack", () => {
    expect(errorOf("(".repeat(MAX_DEPTH + 1) + "a" + ")".repeat(MAX_DEPTH + 1)).message).toMatch(
      /nests deeper/,
    );
    expect(errorOf("-".repeat(900) + "a").message).toMatch(/nests deeper/);
    expect(parseQuery("(".repeat(MAX_DEPTH) + "a" + ")".repeat(MAX_DEPTH))).toMatchObject({
      kind: "text",
    });
  });

  it("refuses more terms than the limit", () => {
    const words = Array.from({ length: MAX_TERMS + 1 }, (_, i) => `w${i}`).join(" ");
    expect(errorOf(words).message).toMatch(/at most/);
  });

  it("either parses or throws a QueryError, quickly, for random hostile input", () => {
    // A seeded generator: the same cases on every run, so a failure reproduces.
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    const alphabet = [
      '"',
      "\\",
      "(",
      ")",
      "-",
      ":",
      " ",
      "OR",
      "a",
      "amount:",
      "<",
      "..",
      "é",
      "\u0000",
      "payee:",
      "1",
    ];
    const started = performance.now();
    for (let i = 0; i < 5000; i++) {
      const length = next() % 60;
      let input = "";
      for (let j = 0; j < length; j++) input += alphabet[next() % alphabet.length] ?? "";
      try {
        const node = parseQuery(input);
        const { sql } = compile(node);
        // Nothing typed reaches the SQL text: only placeholders and our own keywords.
        for (const typed of ["é", "\u0000", '"']) expect(sql).not.toContain(typed);
      } catch (error) {
        expect(error).toBeInstanceOf(QueryError);
        const position = (error as QueryError).position;
        expect(position).toBeGreaterThanOrEqual(0);
        expect(position).toBeLessThanOrEqual(input.length);
      }
    }
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("parses a query of the longest allowed length in linear time", () => {
    const started = performance.now();
    expect(() => parseQuery('"'.repeat(999))).toThrow(QueryError);
    expect(() => parseQuery("a".repeat(1000))).not.toThrow();
    expect(() => parseQuery("a".repeat(1001))).toThrow(/at most 1000/);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("isPlainText", () => {
  it.each(["rewe", "markt gmbh", "5%", "off_peak", "\\", "CAFé Ö", "-", "a - b", "12:30"])(
    "keeps %j on the substring search",
    (q) => {
      expect(isPlainText(q)).toBe(true);
    },
  );

  it.each(["payee:x", '"x y"', "a OR b", "-word", "(a)"])("sends %j to the parser", (q) => {
    expect(isPlainText(q)).toBe(false);
  });
});

describe("compileQuery", () => {
  it("passes every value as a parameter, LIKE wildcards escaped", () => {
    const { sql, values } = compile(parseQuery('payee:"50%_off\'; drop table x" tag:trip'));
    expect(sql).not.toContain("drop table");
    expect(values).toContain("50\\%\\_off'; drop table x");
    expect(values).toContain("trip");
  });

  it("compares amounts as decimals scaled by the row's currency exponent", () => {
    const { sql, values } = compile(parseQuery("amount:<-50"));
    expect(sql).toMatch(/power\(10::numeric/);
    expect(sql).toMatch(/< \$\d+::numeric$/);
    expect(values.at(-1)).toBe("-50");
    expect(values[0]).toContain("JPY");
  });

  it("matches account: against account names case-insensitively, the name a parameter", () => {
    const { sql, values } = compile(parseQuery('account:"Joint Savings"'));
    expect(sql).toBe(
      "t.account_id in (select a.id from accounts a where lower(a.name) = lower($1))",
    );
    expect(values).toEqual(["Joint Savings"]);
    expect(compile(parseQuery("-account:cash")).sql).toMatch(/^not coalesce\(t\.account_id in/);
  });

  it("keeps rows whose compared column is null out of a negation's match", () => {
    expect(compile(parseQuery("-category:food")).sql).toMatch(/^not coalesce\(/);
  });
});
