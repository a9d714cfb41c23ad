import { describe, expect, it } from "vitest";
import { textChunks } from "./encoding.ts";
import { parseMt940 } from "./mt940.ts";
import type { ImportedRow } from "./types.ts";

/** One statement around the given `:61:`/`:86:` lines, read into its rows. */
async function rowsOf(...entries: string[]): Promise<ImportedRow[]> {
  const text = [
    ":20:STARTUMSE",
    ":25:50050201/0123456789",
    ":28C:00001/001",
    ":60F:C260101EUR1500,00",
    ...entries,
    ":62F:C260131EUR1000,00",
    "-",
  ].join("\r\n");
  const rows: ImportedRow[] = [];
  for await (const item of parseMt940(textChunks(text))) {
    if ("problem" in item) throw new Error(item.problem.message);
    rows.push(item.row);
  }
  return rows;
}

const texts = (rows: ImportedRow[]) => rows.map((r) => [r.payee, r.description]);

describe("MT940 :86: SEPA structured remittance", () => {
  it("names the shop behind a PayPal direct debit (ABWA+) and keeps only the SVWZ+ purpose", async () => {
    // Sparkasse: every key opens a ?2x line, values run on over full 27-character lines.
    const rows = await rowsOf(
      ":61:2601050105D29,99N005NONREF",
      ":86:105?00FOLGELASTSCHRIFT?109248",
      "?20EREF+1048822194711 PP.8174.?21PP PAYPAL?22MREF+5F2J224QFKR4A",
      "?23CRED+LU96ZZZ000000000000000?240058",
      "?25SVWZ+PP.8174.PP . SPOTIFY,?26Ihr Einkauf bei Spotify AB",
      "?27ABWA+Spotify AB?30PBNKDEFFXXX?31LU89751000135104200E",
      "?32PayPal Europe S.a.r.l. et C?33ie S.C.A?34992",
    );
    expect(texts(rows)).toEqual([
      ["Spotify AB", "PP.8174.PP . SPOTIFY, Ihr Einkauf bei Spotify AB"],
    ]);
    expect(rows[0]?.externalId).toBeUndefined();
  });

  it("joins a purpose cut mid-word at 27 characters and names the counterparty from ?32/?33", async () => {
    // Deutsche Bank: an outgoing transfer with KREF+ and EREF+NOTPROVIDED before the purpose.
    const rows = await rowsOf(
      ":61:2601020102D850,00NMSCNONREF//DB0000012345",
      ":86:116?00SEPA-UEBERWEISUNG?100599?20KREF+2026010212345?21EREF+NOTPROVIDED",
      "?22SVWZ+Miete Januar 2026 Wohn?23ung 3 links, Mieternr. 4711",
      "?30DEUTDEFFXXX?31DE02100100100006820101?32Hausverwaltung Schulz Immob",
      "?33ilien GmbH",
    );
    expect(texts(rows)).toEqual([
      [
        "Hausverwaltung Schulz Immobilien GmbH",
        "Miete Januar 2026 Wohnung 3 links, Mieternr. 4711",
      ],
    ]);
    expect(rows[0]?.externalId).toBe("DB0000012345");
  });

  it("takes the payer's ultimate party (ABWA+) for money in, not the receiver's (ABWE+)", async () => {
    const rows = await rowsOf(
      ":61:2601300130C2480,55NTRFNONREF",
      ":86:153?00LOHN GEHALT?20EREF+LG-2026-01-0815?21SVWZ+Lohn/Gehalt 01/2026 Pe",
      "?22rsonalnr 0815?23ABWA+Baeckerei Schmidt KG?24ABWE+Max Mustermann",
      "?32Lohnbuero Meier GmbH",
    );
    expect(texts(rows)).toEqual([["Baeckerei Schmidt KG", "Lohn/Gehalt 01/2026 Personalnr 0815"]]);
  });

  it("takes the receiver's ultimate party (ABWE+) for a transfer out, not our own (ABWA+)", async () => {
    const rows = await rowsOf(
      ":61:2601120112D49,90NTRFNONREF",
      ":86:177?00ONLINE-UEBERWEISUNG?20SVWZ+Rechnung RE-2026-0042?21ABWA+Erika Mustermann",
      "?22ABWE+Fahrradladen Speiche?32Zahlungsdienst XY GmbH",
      ":61:2601130113D12,00NTRFNONREF",
      ":86:177?00ONLINE-UEBERWEISUNG?20SVWZ+Geschenk?21ABWA+Erika Mustermann?32Oma Inge",
    );
    expect(texts(rows)).toEqual([
      ["Fahrradladen Speiche", "Rechnung RE-2026-0042"],
      ["Oma Inge", "Geschenk"],
    ]);
  });

  it("describes a payment with references but no purpose by its booking text", async () => {
    const rows = await rowsOf(
      ":61:2601150115D9,99N005NONREF",
      ":86:105?00SEPA-LASTSCHRIFT?20EREF+NOTPROVIDED?21MREF+MND-77?22CRED+DE98ZZZ09999999999",
      "?32Streamingdienst GmbH",
    );
    expect(texts(rows)).toEqual([["Streamingdienst GmbH", "SEPA-LASTSCHRIFT"]]);
  });

  it("joins purpose lines without keys as written and leaves free text as it was", async () => {
    const rows = await rowsOf(
      ":61:2601200120D20,00NTRFNONREF",
      ":86:166?00UEBERWEISUNG?20Taschengeld Januar?21fuer Max und Lena, danke Om",
      "?22a! Bis bald?32Inge Beispiel",
      ":61:2601210121D50,00NMSCNONREF",
      ":86:Bargeldauszahlung GA 123456 Hauptstr. 1",
    );
    expect(texts(rows)).toEqual([
      ["Inge Beispiel", "Taschengeld Januar fuer Max und Lena, danke Oma! Bis bald"],
      ["", "Bargeldauszahlung GA 123456 Hauptstr. 1"],
    ]);
  });

  it("reads SEPA keys in an unstructured :86: text", async () => {
    const rows = await rowsOf(
      ":61:2601220122D15,00NDDTNONREF",
      ":86:EREF+A1B2C3 MREF+M-42 CRED+DE98ZZZ09999999999 SVWZ+Mitgliedsbeitrag Q1",
    );
    expect(texts(rows)).toEqual([["", "Mitgliedsbeitrag Q1"]]);
  });
});
