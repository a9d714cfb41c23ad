import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvField, csvLine } from "./csv.ts";

/** One CSV line read back as RFC 4180 says, with ",". */
function cells(line: string): string[] {
  const records: string[][] = parse(line, { relax_column_count: true });
  return records[0] ?? [];
}

/**
 * Where cells begin when a spreadsheet in a ';' locale opens the line, at worst: split at every
 * ";" and line break with no regard for quotes (a quote only counts at a cell's very start there,
 * and the cell before may not have one), opening quotes and spaces stripped.
 */
function semicolonCellStarts(line: string): string[] {
  return line.split(/[;\r\n]/).map((piece) => piece.replace(/^["\s]*/, ""));
}

const FORMULA = /^[=+\-@\t\r]/;

describe("csvField", () => {
  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ["+491701234567", "'+491701234567"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1+1", '"\'\t=1+1"'],
    ["\r=1+1", "\"'\r'=1+1\""],
  ])("prefixes %j with an apostrophe so it stays text", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("leaves a negative amount a number when asked not to neutralise", () => {
    expect(csvField("-12.50", false)).toBe("-12.50");
    expect(csvField("-12.50")).toBe("'-12.50");
  });

  it("leaves ordinary text as it is and quotes delimiters, quotes and line breaks", () => {
    expect(csvField("Bäckerei Müller")).toBe("Bäckerei Müller");
    expect(csvField("Rent; March")).toBe('"Rent; March"');
    expect(csvField("a, b")).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
  });

  it("neutralises a formula after a semicolon or line break, where ';' locales start a cell", () => {
    expect(csvField("Shop;=cmd|' /C calc'!A0")).toBe(`"Shop;'=cmd|' /C calc'!A0"`);
    expect(csvField('Shop; "@SUM(A1)"')).toBe(`"Shop;' ""@SUM(A1)"""`);
    expect(csvField("Shop\n-1+1")).toBe(`"Shop\n'-1+1"`);
  });

  it("never yields a cell that starts a formula, with ',' or ';' as the delimiter", () => {
    const risky = fc.constantFrom("=", "+", "-", "@", "\t", "\r", ";", ",", '"', "\n", "a", " ");
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(risky, { maxLength: 12 }).map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 5 }), (values) => {
        const line = csvLine(["1", ...values.map((v) => csvField(v)), "-12.50"]);
        const read = cells(line);
        for (const cell of read.slice(0, -1)) expect(cell).not.toMatch(FORMULA);
        for (const start of semicolonCellStarts(line).slice(1)) expect(start).not.toMatch(FORMULA);
        // Read with ",", every text comes back, apostrophes aside, and the amount stays a number.
        const strip = (t: string) => t.replace(/(^|[;\r\n])'/g, "$1");
        expect(read.slice(1, -1).map(strip)).toEqual(values.map(strip));
        expect(read.at(-1)).toBe("-12.50");
      }),
      { numRuns: 500 },
    );
  });
});
