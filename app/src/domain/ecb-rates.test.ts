import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crossRates, EcbFormatError, parseEcbXml, type EcbDay } from "./ecb-rates.ts";

const history = readFileSync(
  new URL("../../test/fixtures/fx/eurofxref-hist-90d.xml", import.meta.url),
  "utf8",
);

const day = (date: string, perEuro: Record<string, string>): EcbDay => ({
  date,
  perEuro: new Map(Object.entries(perEuro)),
});

describe("parseEcbXml", () => {
  it("reads every dated Cube of the 90-day history, oldest first", () => {
    const days = parseEcbXml(history);
    expect(days.map((d) => d.date)).toEqual(["2026-03-05", "2026-03-06"]);
    expect(Object.fromEntries(days[1]?.perEuro ?? [])).toEqual({
      USD: "1.0834",
      JPY: "160",
      GBP: "0.8",
      CHF: "1.5",
    });
  });

  it("reads the daily feed's single day, with attributes in single quotes", () => {
    const daily =
      "<?xml version='1.0' encoding='UTF-8'?><gesmes:Envelope xmlns:gesmes='g' xmlns='e'>" +
      "<Cube><Cube time='2026-03-06'><Cube currency='USD' rate='1.0834'/></Cube></Cube>" +
      "</gesmes:Envelope>";
    expect(parseEcbXml(daily)).toEqual([day("2026-03-06", { USD: "1.0834" })]);
  });

  it("skips unknown currencies, bad rates and rates outside a day", () => {
    const xml =
      "<E><Cube><Cube currency='USD' rate='9'/><Cube time='2026-03-06'>" +
      "<Cube currency='ZZZ' rate='2'/><Cube currency='GBP' rate='-1'/>" +
      "<Cube currency='CHF' rate='0.94'/></Cube><Cube currency='JPY' rate='160'/></Cube></E>";
    expect(parseEcbXml(xml)).toEqual([day("2026-03-06", { CHF: "0.94" })]);
  });

  it.each([
    ["an HTML error page", "<html><body>Service unavailable</body></html>"],
    ["a truncated feed", "<E><Cube><Cube time='2026-03-06'><Cube currency='USD' rate='1"],
    ["not XML at all", "date,currency,rate\n2026-03-06,USD,1.08\n"],
    ["a DOCTYPE", "<!DOCTYPE x [<!ENTITY a 'b'>]><E><Cube time='2026-03-06'/></E>"],
    ["a day that is no date", "<E><Cube time='2026-02-30'/></E>"],
  ])("refuses %s", (_what, xml) => {
    expect(() => parseEcbXml(xml)).toThrow(EcbFormatError);
  });
});

describe("crossRates", () => {
  it("inverts the per-euro rates for a euro household, rounding to 12 decimals half up", () => {
    const rates = crossRates(
      day("2026-03-06", { USD: "1.0834", JPY: "160", GBP: "0.8", CHF: "1.5", SEK: "3" }),
      "EUR",
    );
    expect(rates).toEqual([
      // 1 / 1.5 = 0.666666666666|66... -> rounds up.
      { currency: "CHF", rate: "0.666666666667" },
      // 1 / 0.8 = 1.25 exactly.
      { currency: "GBP", rate: "1.25" },
      // 1 / 160 = 0.00625 exactly.
      { currency: "JPY", rate: "0.00625" },
      // 1 / 3 = 0.333333333333|33... -> rounds down.
      { currency: "SEK", rate: "0.333333333333" },
      // 1 / 1.0834 = 0.923020121838|656... -> rounds up.
      { currency: "USD", rate: "0.923020121839" },
    ]);
  });

  it("crosses over the euro for another base, the euro itself at the base's rate exactly", () => {
    const rates = crossRates(
      day("2026-03-06", { USD: "1.0834", JPY: "160", GBP: "0.8", CHF: "1.5" }),
      "USD",
    );
    expect(rates).toEqual([
      // 1.0834 / 1.5 = 0.722266666666|66... -> rounds up.
      { currency: "CHF", rate: "0.722266666667" },
      // One euro buys 1.0834 USD.
      { currency: "EUR", rate: "1.0834" },
      // 1.0834 / 0.8 = 1.35425 exactly.
      { currency: "GBP", rate: "1.35425" },
      // 1.0834 / 160 = 0.00677125 exactly.
      { currency: "JPY", rate: "0.00677125" },
    ]);
  });

  it("gives nothing for a day without the base currency's rate", () => {
    expect(crossRates(day("2026-03-06", { USD: "1.0834" }), "ISK")).toEqual([]);
  });

  it("leaves out a rate too small for 12 decimals rather than storing zero", () => {
    // 1 / 4e12 = 0.00000000000025 -> rounds to 0 at 12 decimals.
    expect(crossRates(day("2026-03-06", { VND: "4000000000000" }), "EUR")).toEqual([]);
  });
});
