import { describe, expect, it } from "vitest";
import { parseAmount, sum, type Money } from "./money.ts";
import { MAX_SPLITS, evenSplits, validateSplits, type Split, type SplitProblem } from "./splits.ts";

const eur = (text: string): Money => parseAmount(text, "EUR");

function aSplit(amount: Money, overrides: Partial<Split> = {}): Split {
  return { amount, categoryId: "groceries", ...overrides };
}

describe("validateSplits", () => {
  it.each<[string, Money, Split[]]>([
    [
      "accepts lines that add up to the total",
      eur("-12.34"),
      [aSplit(eur("-10")), aSplit(eur("-2.34"))],
    ],
    ["accepts a single line equal to the total", eur("12.34"), [aSplit(eur("12.34"))]],
    ["accepts uncategorised lines", eur("-5"), [aSplit(eur("-5"), { categoryId: null })]],
    [
      "accepts exactly 100 lines",
      eur("-1.00"),
      Array.from({ length: MAX_SPLITS }, () => aSplit(eur("-0.01"))),
    ],
    [
      "accepts amounts beyond Number.MAX_SAFE_INTEGER",
      parseAmount("-18014398509481984", "JPY"),
      [
        aSplit(parseAmount("-9007199254740993", "JPY")),
        aSplit(parseAmount("-9007199254740991", "JPY")),
      ],
    ],
  ])("%s", (_, total, splits) => {
    expect(validateSplits(total, splits)).toEqual([]);
  });

  it.each<[string, Money, Split[], SplitProblem[]]>([
    [
      "reports an unassigned remainder",
      eur("-12.34"),
      [aSplit(eur("-10")), aSplit(eur("-2"))],
      [
        {
          path: "splits",
          index: null,
          message: "splits add up to -12.00 but the transaction is -12.34: 0.34 is unassigned",
        },
      ],
    ],
    [
      "reports lines that assign more than the total",
      eur("-12.34"),
      [aSplit(eur("-10")), aSplit(eur("-3"))],
      [
        {
          path: "splits",
          index: null,
          message:
            "splits add up to -13.00 but the transaction is -12.34: 0.66 too much is assigned",
        },
      ],
    ],
    [
      "reports an unassigned remainder of money in",
      eur("100"),
      [aSplit(eur("99.99"))],
      [
        {
          path: "splits",
          index: null,
          message: "splits add up to 99.99 but the transaction is 100.00: 0.01 is unassigned",
        },
      ],
    ],
    [
      "reports a line in another currency and skips the sum",
      eur("-12.34"),
      [aSplit(eur("-10")), aSplit(parseAmount("-2.34", "USD"))],
      [{ path: "splits[1].amount", index: 1, message: "is in USD but the transaction is in EUR" }],
    ],
    [
      "reports a zero line",
      eur("-12.34"),
      [aSplit(eur("-12.34")), aSplit(eur("0"))],
      [{ path: "splits[1].amount", index: 1, message: "is zero; remove the line instead" }],
    ],
    [
      "reports money in on a money-out transaction",
      eur("-10"),
      [aSplit(eur("-15")), aSplit(eur("5"))],
      [
        {
          path: "splits[1].amount",
          index: 1,
          message:
            "is 5.00 (money in) but the transaction is -10.00 (money out); one transaction cannot mix the two",
        },
      ],
    ],
    [
      "reports money out on a money-in transaction",
      eur("10"),
      [aSplit(eur("-5")), aSplit(eur("15"))],
      [
        {
          path: "splits[0].amount",
          index: 0,
          message:
            "is -5.00 (money out) but the transaction is 10.00 (money in); one transaction cannot mix the two",
        },
      ],
    ],
    [
      "reports non-zero lines on a zero transaction",
      eur("0"),
      [aSplit(eur("5")), aSplit(eur("-5"))],
      [
        {
          path: "splits[0].amount",
          index: 0,
          message: "is 5.00 but the transaction is 0.00, so no line can carry money",
        },
        {
          path: "splits[1].amount",
          index: 1,
          message: "is -5.00 but the transaction is 0.00, so no line can carry money",
        },
      ],
    ],
    [
      "reports an empty list",
      eur("-1"),
      [],
      [
        { path: "splits", index: null, message: "a split needs at least one line" },
        {
          path: "splits",
          index: null,
          message: "splits add up to 0.00 but the transaction is -1.00: 1.00 is unassigned",
        },
      ],
    ],
    [
      "reports more than 100 lines",
      eur("-1.01"),
      Array.from({ length: MAX_SPLITS + 1 }, () => aSplit(eur("-0.01"))),
      [{ path: "splits", index: null, message: "has 101 lines; at most 100 are allowed" }],
    ],
    [
      "formats the gap in the currency's own decimals",
      parseAmount("-1.000", "BHD"),
      [aSplit(parseAmount("-0.995", "BHD"))],
      [
        {
          path: "splits",
          index: null,
          message: "splits add up to -0.995 but the transaction is -1.000: 0.005 is unassigned",
        },
      ],
    ],
  ])("%s", (_, total, splits, problems) => {
    expect(validateSplits(total, splits)).toEqual(problems);
  });

  it("reports every problem of a line at once, with its index", () => {
    const problems = validateSplits(eur("-1"), [
      aSplit(eur("-1")),
      aSplit(parseAmount("0", "USD")),
    ]);
    expect(problems).toEqual([
      { path: "splits[1].amount", index: 1, message: "is in USD but the transaction is in EUR" },
      { path: "splits[1].amount", index: 1, message: "is zero; remove the line instead" },
    ]);
  });
});

describe("evenSplits", () => {
  it.each<[string, string, number, string[]]>([
    ["splits evenly when the total divides", "-12.00", 3, ["-4.00", "-4.00", "-4.00"]],
    ["gives the leftover cents to the first lines", "-10.00", 3, ["-3.34", "-3.33", "-3.33"]],
    ["splits money in", "0.05", 2, ["0.03", "0.02"]],
    ["keeps a single category whole", "-12.34", 1, ["-12.34"]],
  ])("%s", (_, total, count, expected) => {
    const ids = Array.from({ length: count }, (_, index) => `cat${index}`);
    const splits = evenSplits(eur(total), ids);
    expect(splits.map(({ amount }) => amount)).toEqual(expected.map(eur));
    expect(splits.map(({ categoryId }) => categoryId)).toEqual(ids);
  });

  it.each([1, 2, 3, 7, 13, 99, 100])(
    "always adds up to the total across %i categories",
    (count) => {
      const ids = Array.from({ length: count }, (_, index) => `cat${index}`);
      for (const text of ["-12.34", "0.01", "1000000.07", "-99999999999999999.99"]) {
        const total = eur(text);
        const splits = evenSplits(total, ids);
        expect(
          sum(
            splits.map(({ amount }) => amount),
            "EUR",
          ),
        ).toEqual(total);
        const magnitude = total.minor < 0n ? -total.minor : total.minor;
        if (magnitude >= BigInt(count)) expect(validateSplits(total, splits)).toEqual([]);
      }
    },
  );

  it("passes validateSplits for a total with enough minor units", () => {
    const total = eur("-12.34");
    expect(validateSplits(total, evenSplits(total, ["a", "b", "c"]))).toEqual([]);
  });

  it("leaves zero lines, which validateSplits reports, when the total is too small", () => {
    const total = eur("0.01");
    const splits = evenSplits(total, ["a", "b"]);
    expect(splits.map(({ amount }) => amount)).toEqual([eur("0.01"), eur("0")]);
    expect(validateSplits(total, splits)).toEqual([
      { path: "splits[1].amount", index: 1, message: "is zero; remove the line instead" },
    ]);
  });

  it("keeps the currency's own minor units", () => {
    const splits = evenSplits(parseAmount("10", "JPY"), ["a", "b", "c"]);
    expect(splits.map(({ amount }) => amount)).toEqual(
      ["4", "3", "3"].map((t) => parseAmount(t, "JPY")),
    );
  });

  it("throws for no categories", () => {
    expect(() => evenSplits(eur("-1"), [])).toThrow(RangeError);
  });
});
