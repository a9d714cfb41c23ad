import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DATE_FORMATS,
  type DateFormat,
  type DecimalSeparator,
  detectSeparators,
  parseDate,
  parseDecimal,
  type ThousandsSeparator,
} from "./values.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const MONTH_NAMES = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A plain date as `format` writes it; two-digit formats write the year's last two digits. */
function formatDate(format: DateFormat, y: number, m: number, d: number): string {
  const yy = pad(y % 100);
  const text: Record<DateFormat, string> = {
    "YYYY-MM-DD": `${y}-${pad(m)}-${pad(d)}`,
    "DD.MM.YYYY": `${pad(d)}.${pad(m)}.${y}`,
    "DD/MM/YYYY": `${pad(d)}/${pad(m)}/${y}`,
    "MM/DD/YYYY": `${pad(m)}/${pad(d)}/${y}`,
    "DD-MM-YYYY": `${pad(d)}-${pad(m)}-${y}`,
    YYYYMMDD: `${y}${pad(m)}${pad(d)}`,
    "DD MMM YYYY": `${d} ${MONTH_NAMES[m - 1] ?? ""} ${y}`,
    "DD.MM.YY": `${pad(d)}.${pad(m)}.${yy}`,
    "DD/MM/YY": `${pad(d)}/${pad(m)}/${yy}`,
    "MM/DD/YY": `${pad(m)}/${pad(d)}/${yy}`,
  };
  return text[format];
}

const twoDigitYear = (format: DateFormat) => format.endsWith("YY") && !format.endsWith("YYYY");

/** A real calendar date in the years `format` can write: 1970-2069 for two-digit years. */
const plainDate = (format: DateFormat) =>
  fc
    .record({
      y: twoDigitYear(format)
        ? fc.integer({ min: 1970, max: 2069 })
        : fc.integer({ min: 1900, max: 2199 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
    })
    .filter(({ y, m, d }) => d <= daysIn(y, m));

describe("parseDate", () => {
  for (const format of DATE_FORMATS) {
    it(`${format}: every plain date it writes reads back as the same date`, () => {
      fc.assert(
        fc.property(plainDate(format), ({ y, m, d }) => {
          expect(parseDate(formatDate(format, y, m, d), format)).toBe(`${y}-${pad(m)}-${pad(d)}`);
        }),
        { numRuns: 300 },
      );
    });

    it(`${format}: a day past the end of its month, or month 0 or 13, is refused`, () => {
      const impossible = fc.oneof(
        fc
          .record({ y: fc.integer({ min: 1970, max: 2069 }), m: fc.integer({ min: 1, max: 12 }) })
          .filter(({ y, m }) => daysIn(y, m) < 31)
          .chain(({ y, m }) =>
            fc.integer({ min: daysIn(y, m) + 1, max: 31 }).map((d) => ({ y, m, d })),
          ),
        fc.record({
          y: fc.integer({ min: 1970, max: 2069 }),
          m: fc.constantFrom(0, 13),
          d: fc.integer({ min: 1, max: 28 }),
        }),
      );
      fc.assert(
        fc.property(impossible, ({ y, m, d }) => {
          const noMonth = format === "DD MMM YYYY" && (m < 1 || m > 12);
          const text = noMonth ? `${d} Foo ${y}` : formatDate(format, y, m, d);
          expect(parseDate(text, format), text).toBeUndefined();
        }),
        { numRuns: 200 },
      );
    });
  }

  it("refuses 31.02.2026, 30.02.2024 and 29.02 outside leap years, and takes 29.02 in them", () => {
    expect(parseDate("31.02.2026", "DD.MM.YYYY")).toBeUndefined();
    expect(parseDate("30.02.2024", "DD.MM.YYYY")).toBeUndefined();
    expect(parseDate("29.02.2026", "DD.MM.YYYY")).toBeUndefined();
    expect(parseDate("29.02.2100", "DD.MM.YYYY")).toBeUndefined();
    expect(parseDate("29.02.2024", "DD.MM.YYYY")).toBe("2024-02-29");
    expect(parseDate("29.02.2000", "DD.MM.YYYY")).toBe("2000-02-29");
    expect(parseDate("02/31/2026", "MM/DD/YYYY")).toBeUndefined();
    expect(parseDate("20260231", "YYYYMMDD")).toBeUndefined();
  });

  it("reads two-digit years 00-69 as 20xx and 70-99 as 19xx", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), (yy) => {
        const year = yy < 70 ? 2000 + yy : 1900 + yy;
        for (const format of ["DD.MM.YY", "DD/MM/YY"] as const) {
          expect(parseDate(`15.06.${pad(yy)}`.replace(/\./g, format[2] ?? "."), format)).toBe(
            `${year}-06-15`,
          );
        }
        expect(parseDate(`06/15/${pad(yy)}`, "MM/DD/YY")).toBe(`${year}-06-15`);
      }),
    );
    expect(parseDate("01.01.69", "DD.MM.YY")).toBe("2069-01-01");
    expect(parseDate("01.01.70", "DD.MM.YY")).toBe("1970-01-01");
  });

  it("reads month names in several languages and a time after an ISO date", () => {
    expect(parseDate("3 Mär 2026", "DD MMM YYYY")).toBe("2026-03-03");
    expect(parseDate("03-déc-25", "DD MMM YYYY")).toBe("2025-12-03");
    expect(parseDate("2026-01-05T23:59:59+01:00", "YYYY-MM-DD")).toBe("2026-01-05");
    expect(parseDate("3 Foo 2026", "DD MMM YYYY")).toBeUndefined();
  });
});

interface AmountStyle {
  decimal: DecimalSeparator;
  thousands: ThousandsSeparator;
  sign: "leading" | "trailing" | "parentheses";
  plus: boolean;
  currency: "" | "€ " | " EUR";
}

const amountStyle: fc.Arbitrary<AmountStyle> = fc
  .record({
    decimal: fc.constantFrom<DecimalSeparator>(".", ","),
    thousands: fc.constantFrom<ThousandsSeparator>("", ",", ".", " ", "'"),
    sign: fc.constantFrom("leading" as const, "trailing" as const, "parentheses" as const),
    plus: fc.boolean(),
    currency: fc.constantFrom("" as const, "€ " as const, " EUR" as const),
  })
  .filter((s) => s.decimal !== s.thousands);

/** Minor units written as a bank would: grouped, with its decimal mark, sign and currency. */
function formatAmount(minor: bigint, exponent: number, style: AmountStyle): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, style.thousands);
  const number = fraction === "" ? grouped : `${grouped}${style.decimal}${fraction}`;
  const signed = !negative
    ? `${style.plus ? "+" : ""}${number}`
    : style.sign === "leading"
      ? `-${number}`
      : style.sign === "trailing"
        ? `${number}-`
        : `(${number})`;
  return style.currency === "€ " ? `€ ${signed}` : `${signed}${style.currency}`;
}

/** The canonical decimal string of minor units: no trailing zeros, "-" only when not zero. */
function canonical(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent).replace(/0+$/, "");
  const magnitude = fraction === "" ? whole : `${whole}.${fraction}`;
  return negative ? `-${magnitude}` : magnitude;
}

/** Back from the canonical string to minor units: the inverse the commit's toMinor performs. */
function toMinorUnits(decimal: string, exponent: number): bigint {
  const negative = decimal.startsWith("-");
  const [whole = "", fraction = ""] = decimal.replace(/^-/, "").split(".");
  const minor = BigInt(whole + fraction.padEnd(exponent, "0"));
  return negative ? -minor : minor;
}

const minorUnits = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });
const exponent = fc.constantFrom(0, 2, 3);

describe("parseDecimal", () => {
  it("reads back exactly any amount written with any separators, sign style and currency", () => {
    fc.assert(
      fc.property(minorUnits, exponent, amountStyle, (minor, exp, style) => {
        const text = formatAmount(minor, exp, style);
        const read = parseDecimal(text, style.decimal, style.thousands);
        expect(read, text).toBe(canonical(minor, exp));
        expect(toMinorUnits(read ?? "", exp)).toBe(minor);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads amounts with no-break and narrow spaces as thousands groups", () => {
    expect(parseDecimal("1\u00a0234\u202f567,89", ",", " ")).toBe("1234567.89");
    expect(parseDecimal("-1\u2009000,5", ",", " ")).toBe("-1000.5");
  });

  it("refuses misplaced groups, two decimal marks and non-numbers", () => {
    expect(parseDecimal("1.23.456", ",", ".")).toBeUndefined();
    expect(parseDecimal("1234.567,8", ",", ".")).toBeUndefined();
    expect(parseDecimal("1,2,3", ",", ".")).toBeUndefined();
    expect(parseDecimal("12.34.56", ".", "")).toBeUndefined();
    expect(parseDecimal("1e5", ".", "")).toBeUndefined();
    expect(parseDecimal("abc", ".", ",")).toBeUndefined();
    expect(parseDecimal("", ".", ",")).toBeUndefined();
    expect(parseDecimal("--5", ".", "")).toBeUndefined();
  });

  it("detects the decimal mark of any sample written with two decimals", () => {
    fc.assert(
      fc.property(
        fc.array(minorUnits, { minLength: 1, maxLength: 10 }),
        amountStyle,
        (amounts, style) => {
          const samples = amounts.map((m) => formatAmount(m, 2, style));
          expect(detectSeparators(samples).decimal).toBe(style.decimal);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("values on hostile input", () => {
  // Each of these took seconds (quadratic regular expressions) before it was bounded.
  it("reads 100,000-character cells in linear time", () => {
    const cells = [
      `1${".123".repeat(25_000)}`,
      `1${",123".repeat(25_000)}`,
      `1 abc${" ".repeat(100_000)}x`,
      "(".repeat(100_000),
      `${"1".repeat(100_000)}-`,
    ];
    const started = performance.now();
    detectSeparators(cells);
    for (const cell of cells) {
      parseDecimal(cell, ",", ".");
      for (const format of DATE_FORMATS) parseDate(cell, format);
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
