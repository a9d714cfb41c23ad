import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeChunks } from "./encoding.ts";
import { inspect } from "./inspect.ts";
import { readRows } from "./read.ts";
import type { ImportedRow, ParsedItem } from "./types.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/imports/${name}`, import.meta.url));

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield await Promise.resolve(bytes);
}

/** Inspects a fixture as an upload does and reads it as a commit does (suggested mapping). */
async function importFixture(name: string) {
  const bytes = fixture(name);
  const inspection = await inspect(bytes, true);
  const items: ParsedItem[] = [];
  for await (const item of readRows(
    inspection.format,
    decodeChunks(once(bytes), inspection.encoding),
    inspection.suggestedMapping ?? undefined,
  )) {
    items.push(item);
  }
  const rows = items.flatMap((i) => ("row" in i ? [i.row] : []));
  const problems = items.flatMap((i) => ("problem" in i ? [i.problem] : []));
  return { inspection, rows, problems };
}

const brief = (r: ImportedRow) => [r.date, r.amount, r.payee, r.description, r.externalId];

describe("bank files as real banks write them", () => {
  it("reads a US credit card CSV with debit and credit columns and thousands commas", async () => {
    const { inspection, rows, problems } = await importFixture("us-credit-card.csv");
    expect(inspection).toMatchObject({ format: "csv", encoding: "utf-8" });
    expect(inspection.suggestedMapping).toMatchObject({
      dateFormat: "MM/DD/YYYY",
      debitColumn: 5,
      creditColumn: 6,
      decimalSeparator: ".",
    });
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.date, r.amount, r.description])).toEqual([
      ["2026-01-14", "-4.75", "STARBUCKS STORE 123, SEATTLE"],
      ["2026-01-14", "-4.75", "STARBUCKS STORE 123, SEATTLE"],
      ["2026-01-20", "-1299.99", "AMAZON MKTPLACE PMTS"],
      ["2026-01-28", "500", "AUTOPAY PAYMENT - THANK YOU"],
    ]);
  });

  it("reads a German Windows-1252 CSV with a preamble, decimal comma and a closing balance", async () => {
    const { inspection, rows, problems } = await importFixture("german-semicolon-cp1252.csv");
    expect(inspection).toMatchObject({ format: "csv", encoding: "windows-1252" });
    expect(inspection.preview.columns).toContain("Auftraggeber/Empfänger");
    expect(inspection.suggestedMapping).toMatchObject({
      delimiter: ";",
      skipRows: 3,
      dateFormat: "DD.MM.YYYY",
      decimalSeparator: ",",
      thousandsSeparator: ".",
      payeeColumn: 2,
      currencyColumn: 5,
    });
    expect(problems).toEqual([]);
    expect(rows.map(brief)).toEqual([
      ["2026-01-02", "-3.5", "Bäckerei Müller", "Brötchen", undefined],
      ["2026-01-05", "-1234.56", "Stadtwerke München", "Abschlag Strom; Januar", undefined],
      ["2026-01-15", "3456.78", "Arbeitgeber GmbH", "Gehalt Januar", undefined],
    ]);
  });

  it("reads a Dutch CSV whose sign is in an Af/Bij column", async () => {
    const { inspection, rows, problems } = await importFixture("dutch-af-bij.csv");
    expect(inspection.suggestedMapping).toMatchObject({
      dateFormat: "YYYYMMDD",
      amountColumn: 6,
      directionColumn: 5,
      creditValues: ["bij"],
      debitValues: ["af"],
    });
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.date, r.amount, r.payee])).toEqual([
      ["2026-01-03", "-23.45", "Albert Heijn 1234"],
      ["2026-01-05", "2500", "Werkgever BV"],
      ["2026-01-07", "-4.2", "NS Reizigers"],
    ]);
  });

  it("reads OFX 1.x SGML with unclosed tags, FITID as the bank id", async () => {
    const { inspection, rows, problems } = await importFixture("ofx1-sgml.ofx");
    expect(inspection.format).toBe("ofx");
    expect(problems).toEqual([]);
    expect(rows.map(brief)).toEqual([
      ["2026-01-05", "-42.17", "AT&T WIRELESS", "Monthly bill", "2026010500001"],
      ["2026-01-10", "-150", "CHECK 1043", "check 1043", "2026011000002"],
      ["2026-01-15", "2500", "ACME CORP PAYROLL", "Direct deposit", "2026011500003"],
    ]);
    expect(rows[0]?.currency).toBe("USD");
    expect(rows[0]?.line).toBe(39);
  });

  it("reads OFX 2.x XML credit card statements", async () => {
    const { rows } = await importFixture("ofx2.ofx");
    expect(rows.map(brief)).toEqual([
      ["2026-01-12", "-18.9", "Ben & Jerry's", "", "CC-0001"],
      ["2026-01-20", "200", "PAYMENT RECEIVED", "", "CC-0002"],
    ]);
  });

  it("reads QIF bank transactions with splits and skips memorised lists", async () => {
    const { inspection, rows, problems } = await importFixture("splits.qif");
    expect(inspection.format).toBe("qif");
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.date, r.amount, r.payee])).toEqual([
      ["2026-01-03", "-120", "Supermarket"],
      ["2026-01-15", "-85.5", "Hardware Store"],
      ["2026-01-31", "1500", "Employer Inc"],
    ]);
    expect(rows[1]?.splits).toEqual([
      { amount: "-60.5", memo: "Home:Repairs: Paint" },
      { amount: "-25", memo: "Garden: Tools" },
    ]);
  });

  it("reads CAMT.053 with a batch entry split into its payments and pending entries left out", async () => {
    const { inspection, rows, problems } = await importFixture("batch.camt053.xml");
    expect(inspection.format).toBe("camt053");
    expect(problems).toEqual([]);
    expect(rows.map(brief)).toEqual([
      ["2026-01-04", "-45", "Stadtwerke Köln", "Abschlag Januar", "REF-0001"],
      ["2026-01-10", "-120", "Vermieter Schmidt", "Garage Januar", "REF-0002/1"],
      ["2026-01-10", "-180", "Sportverein e.V.", "Beitrag 2026", "REF-0002/2"],
      ["2026-01-28", "2750", "Arbeitgeber AG", "Gehalt 01/2026", "REF-0003"],
    ]);
    expect(rows.every((r) => r.currency === "EUR")).toBe(true);
  });

  it("reads MT940 with multi-line :86: details, the SEPA reference left out", async () => {
    const { inspection, rows, problems } = await importFixture("multiline.mt940");
    expect(inspection.format).toBe("mt940");
    expect(problems).toEqual([]);
    expect(rows.map(brief)).toEqual([
      ["2026-01-05", "-45", "Stadtwerke Koeln", "Abschlag Strom Januar 2026", "BANKREF0001"],
      ["2026-01-12", "2500", "Arbeitgeber AG", "Gehalt Januar", "BANKREF0002"],
      ["2026-01-15", "-12.5", "", "Bargeldauszahlung Automat 123", undefined],
    ]);
  });
});
