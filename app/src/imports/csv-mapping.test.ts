import { describe, expect, it } from "vitest";
import { inspect } from "./inspect.ts";

/** The mapping an upload suggests for a file of these lines (header first). */
async function suggest(...lines: string[]) {
  const inspection = await inspect(Buffer.from(`${lines.join("\r\n")}\r\n`), true);
  return inspection.suggestedMapping;
}

describe("suggested columns of real bank exports", () => {
  it("takes ING NL's English 'Name / Description' as the payee, not the counterparty's account", async () => {
    const mapping = await suggest(
      '"Date";"Name / Description";"Account";"Counterparty";"Code";"Debit/credit";"Amount (EUR)";"Transaction type";"Notifications";"Resulting balance";"Tag"',
      '"20260103";"Albert Heijn 1234 AMSTERDAM NLD";"NL20INGB0001234567";"";"BA";"Debit";"23,45";"Payment terminal";"Pasvolgnr: 003 03-01-2026 18:12 Transactie: 1X2Y3Z Term: AB1234";"1976,55";""',
      '"20260105";"Werkgever BV";"NL20INGB0001234567";"NL91ABNA0417164300";"GT";"Credit";"2500,00";"Transfer";"Naam: Werkgever BV Omschrijving: Salaris januari IBAN: NL91ABNA0417164300";"4476,55";""',
    );
    expect(mapping).toMatchObject({
      dateColumn: 0,
      payeeColumn: 1,
      amountColumn: 6,
      directionColumn: 5,
      descriptionColumns: [8],
    });
  });

  it("reads Rabobank's 'Naam tegenpartij' and all three 'Omschrijving-n' columns", async () => {
    const mapping = await suggest(
      '"IBAN/BBAN","Munt","BIC","Volgnr","Datum","Rentedatum","Bedrag","Saldo na trn","Tegenrekening IBAN/BBAN","Naam tegenpartij","Naam uiteindelijke partij","Naam initiërende partij","BIC tegenpartij","Code","Batch ID","Transactiereferentie","Machtigingskenmerk","Incassant ID","Betalingskenmerk","Omschrijving-1","Omschrijving-2","Omschrijving-3","Reden retour","Oorspr bedrag","Oorspr munt","Koers"',
      '"NL11RABO0123456789","EUR","RABONL2U","000000000000007213","2026-01-03","2026-01-03","-23,45","+1976,55","NL20INGB0001234567","Albert Heijn 1234","","","INGBNL2A","bc","","","","","","Albert Heijn 1234 AMSTERDAM","Pasnr. 012 03-01-2026 18:12","","","","",""',
    );
    expect(mapping).toMatchObject({
      dateColumn: 4,
      amountColumn: 6,
      currencyColumn: 1,
      payeeColumn: 9,
      descriptionColumns: [19, 20, 21],
    });
  });

  it("reads Deutsche Bank's 'Begünstigter / Auftraggeber' with its Soll and Haben columns", async () => {
    const mapping = await suggest(
      "Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN;BIC;Kundenreferenz;Mandatsreferenz ;Gläubiger ID;Fremde Gebühren;Betrag;Abweichender Empfänger;Anzahl der Aufträge;Anzahl der Schecks;Soll;Haben;Währung",
      "05.01.2026;05.01.2026;SEPA-Lastschrift;PayPal Europe S.a.r.l. et Cie S.C.A;PP.8174.PP . SPOTIFY, Ihr Einkauf bei Spotify AB;LU89751000135104200E;PPLXLUL2;1048822194711 PP.8174.PP PAYPAL;5F2J224QFKR4A;LU96ZZZ0000000000000000058;;;;;;-29,99;;EUR",
      "30.01.2026;30.01.2026;SEPA-Gutschrift;Lohnbuero Meier GmbH;Lohn/Gehalt 01/2026;DE12500105170648489890;INGDDEFFXXX;;;;;;;;;;2.480,55;EUR",
    );
    expect(mapping).toMatchObject({
      dateColumn: 0,
      payeeColumn: 3,
      descriptionColumns: [4],
      debitColumn: 15,
      creditColumn: 16,
      currencyColumn: 17,
      decimalSeparator: ",",
    });
    // Kundenreferenz is the payer's end-to-end reference: it repeats, so it is no bank id.
    expect(mapping?.externalIdColumn ?? null).toBeNull();
  });

  it("reads Crédit Agricole's 'Libellé' and its 'Débit euros' / 'Crédit euros' columns", async () => {
    const mapping = await suggest(
      "Date;Libellé;Débit euros;Crédit euros;",
      '05/01/2026;"PRLV SEPA SPOTIFY AB";29,99;;',
      '28/01/2026;"VIR SEPA EMPLOYEUR SARL SALAIRE JANVIER";;2480,55;',
    );
    expect(mapping).toMatchObject({
      dateColumn: 0,
      dateFormat: "DD/MM/YYYY",
      payeeColumn: null,
      descriptionColumns: [1],
      amountColumn: null,
      debitColumn: 2,
      creditColumn: 3,
    });
  });

  it("takes BBVA's 'Concepto' as the description, not the payee", async () => {
    const mapping = await suggest(
      "F.Valor;Fecha;Concepto;Movimiento;Importe;Divisa;Disponible;Divisa;Observaciones",
      "05/01/2026;05/01/2026;MERCADONA AV. DE AMERICA;Pago con tarjeta;-23,45;EUR;1.976,55;EUR;4940XXXXXXXX1234",
    );
    expect(mapping).toMatchObject({
      dateColumn: 1,
      amountColumn: 4,
      currencyColumn: 5,
      payeeColumn: null,
      descriptionColumns: [2],
    });
  });

  it("recognises payee headers in five languages whatever their case, accents and spacing", async () => {
    const headers = [
      "Payee",
      "COUNTERPARTY",
      "Beneficiary",
      " Name ",
      "Counterparty name",
      "Auftraggeber/Empfänger",
      "Beguenstigter/Zahlungspflichtiger",
      "Empfänger",
      "Zahlungsempfänger",
      "ZAHLUNGSEMPFAENGER",
      "Naam / Omschrijving",
      "Tegenrekening naam",
      "Naam tegenpartij",
      "Bénéficiaire",
      "beneficiaire",
      "Tiers",
      "Beneficiario",
      "Ordenante",
    ];
    const payees = await Promise.all(
      headers.map(
        async (h) => (await suggest(`Datum;${h};Betrag`, "05.01.2026;x;-1,00"))?.payeeColumn,
      ),
    );
    expect(Object.fromEntries(headers.map((h, i) => [h, payees[i]]))).toEqual(
      Object.fromEntries(headers.map((h) => [h, 1])),
    );
  });

  it("recognises purpose headers as description columns", async () => {
    const headers = [
      "Verwendungszweck",
      "Buchungstext",
      "Mededelingen",
      "Omschrijving",
      "Omschrijving-2",
      "Communication",
      "Libellé",
      "Concepto",
      "Memo",
      "Reference",
      "Notifications",
    ];
    const descriptions = await Promise.all(
      headers.map(
        async (h) => (await suggest(`Datum;${h};Betrag`, "05.01.2026;x;-1,00"))?.descriptionColumns,
      ),
    );
    expect(Object.fromEntries(headers.map((h, i) => [h, descriptions[i]]))).toEqual(
      Object.fromEntries(headers.map((h) => [h, [1]])),
    );
  });
});
