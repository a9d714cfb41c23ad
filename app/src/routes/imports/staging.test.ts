import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MoneyParseError } from "../../domain/money.ts";
import { minorText, toMinor } from "./staging.ts";

/** What toMinor makes of an amount, as text, or the message it refuses it with. */
function viaBigint(amount: string, currency: string): string {
  try {
    return toMinor(amount, currency).toString();
  } catch (error) {
    if (error instanceof MoneyParseError) return `refused: ${error.message}`;
    throw error;
  }
}

function viaText(amount: string, currency: string): string {
  try {
    return minorText(amount, currency);
  } catch (error) {
    if (error instanceof MoneyParseError) return `refused: ${error.message}`;
    throw error;
  }
}

describe("minorText", () => {
  it("shifts plain amounts as text", () => {
    expect(minorText("-3.5", "EUR")).toBe("-350");
    expect(minorText("1200", "EUR")).toBe("120000");
    expect(minorText("0.05", "EUR")).toBe("5");
    expect(minorText("-0", "EUR")).toBe("0");
    expect(minorText("007.1", "KWD")).toBe("7100");
    expect(minorText("12", "JPY")).toBe("12");
  });

  it("agrees with toMinor on every amount, refusals included", () => {
    const amount = fc
      .tuple(
        fc.constantFrom("", "-", "+"),
        fc.stringMatching(/^[0-9]{0,18}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,5}$/)),
      )
      .map(
        ([sign, whole, fraction]) => `${sign}${whole}${fraction === null ? "" : `.${fraction}`}`,
      );
    fc.assert(
      fc.property(amount, fc.constantFrom("EUR", "JPY", "KWD", "USD"), (text, currency) => {
        expect(viaText(text, currency)).toBe(viaBigint(text, currency));
      }),
      { numRuns: 5000 },
    );
  });
});
