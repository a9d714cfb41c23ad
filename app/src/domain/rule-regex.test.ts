import { describe, expect, it } from "vitest";
import {
  compileRuleRegex,
  MAX_PROGRAM_SIZE,
  MAX_REGEX_LENGTH,
  REGEX_SUBJECT_LIMIT,
  regexProblem,
} from "./rule-regex.ts";

describe("regexProblem", () => {
  it.each([
    "^rewe",
    "amazon\\.(de|com)",
    "[a-z]+ gmbh",
    "(?:ab)+c",
    "\\d{4}-\\d{2}",
    "a.*b",
    "\\p{L}+",
    "(?<x>ab)*",
    "(?P<x>ab)*",
    "\\x{41}",
    // Shapes the old backtracking checks refused: harmless on a linear engine.
    "(a+)+$",
    "(a|aa)+b",
    "(?:\\w+\\s?)*$",
    `${"\\w{0,10}".repeat(6)}!`,
  ])("accepts %j", (pattern) => {
    expect(regexProblem(pattern)).toBeUndefined();
  });

  it.each<[string, RegExp]>([
    ["(a)\\1", /^uses a backreference, which RE2 syntax does not support$/],
    ["(?<x>a)\\k<x>", /backreference/],
    ["(?=a)b", /^uses a lookaround .*RE2 syntax does not support$/],
    ["(?!a)b", /lookaround/],
    ["(?<=a)b", /lookaround/],
    ["(?<!a)b", /lookaround/],
    ["[(?=a)]\\1", /backreference/],
    ["(?>a)", /not a valid RE2 regular expression: invalid or unsupported Perl syntax: `\(\?>`/],
    ["a++", /not a valid RE2 regular expression: invalid nested repetition operator/],
    ["(unclosed", /not a valid RE2 regular expression: missing closing \): `\(unclosed`/],
    ["\\u0041", /invalid escape sequence: `\\u`/],
    ["a{1001}", /invalid repeat count/],
    ["(\\w{0,100}){10}", new RegExp(`too large: .* more than ${MAX_PROGRAM_SIZE}`)],
    ["", /empty/],
    ["a".repeat(MAX_REGEX_LENGTH + 1), /longer/],
  ])("refuses %j", (pattern, reason) => {
    expect(regexProblem(pattern)).toMatch(reason);
  });
});

describe("compileRuleRegex", () => {
  it("ignores case, honours anchors and reads only the first REGEX_SUBJECT_LIMIT characters", () => {
    const regex = compileRuleRegex("^rewe.*gmbh$");
    expect(regex.test("REWE Markt GmbH")).toBe(true);
    expect(regex.test("REWE Markt GmbH!")).toBe(false);
    const tail = compileRuleRegex("tail");
    expect(tail.test(`${"x".repeat(REGEX_SUBJECT_LIMIT)}tail`)).toBe(false);
  });

  it("costs program size times the characters it reads, whatever the text holds", () => {
    const regex = compileRuleRegex(`${"\\w{0,10}".repeat(6)}!`);
    const short = regex.cost("abc");
    expect(short % 4).toBe(0);
    const size = short / 4;
    expect(size).toBeLessThanOrEqual(MAX_PROGRAM_SIZE);
    expect(regex.cost("a".repeat(5000))).toBe(size * (REGEX_SUBJECT_LIMIT + 1));
  });

  it("throws with the reason on a pattern it refuses", () => {
    expect(() => compileRuleRegex("(?=a)")).toThrow(/lookaround/);
  });
});
