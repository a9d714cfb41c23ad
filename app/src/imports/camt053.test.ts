import { describe, expect, it } from "vitest";
import { parseCamt053 } from "./camt053.ts";
import { textChunks } from "./encoding.ts";
import type { ImportedRow } from "./types.ts";

/** A camt.053 statement around the given `Ntry` elements, read into its rows. */
async function rowsOf(version: string, ...entries: string[]): Promise<ImportedRow[]> {
  const text = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>053D2026-02-01T06:00:00.0N260000001</MsgId></GrpHdr>
    <Stmt>
      <Id>0352C5320260201060000</Id>
      <Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
      ${entries.join("\n")}
    </Stmt>
  </BkToCstmrStmt>
</Document>`;
  const rows: ImportedRow[] = [];
  for await (const item of parseCamt053(textChunks(text))) {
    if ("problem" in item) throw new Error(item.problem.message);
    rows.push(item.row);
  }
  return rows;
}

const brief = (r: ImportedRow) => [r.amount, r.payee, r.description, r.externalId];

describe("CAMT.053 remittance and related parties", () => {
  it("names the ultimate creditor of a direct debit (v8: UltmtCdtr/Pty) and its Ustrd purpose", async () => {
    const rows = await rowsOf(
      "08",
      `<Ntry>
        <Amt Ccy="EUR">29.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-01-05</Dt></BookgDt><ValDt><Dt>2026-01-05</Dt></ValDt>
        <AcctSvcrRef>2026010512345678</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>1048822194711 PP.8174.PP PAYPAL</EndToEndId><MndtId>5F2J224QFKR4A</MndtId></Refs>
          <RltdPties>
            <Cdtr><Pty><Nm>PayPal Europe S.a.r.l. et Cie S.C.A</Nm></Pty></Cdtr>
            <UltmtCdtr><Pty><Nm>Spotify AB</Nm></Pty></UltmtCdtr>
          </RltdPties>
          <RmtInf><Ustrd>PP.8174.PP . SPOTIFY, Ihr Einkauf bei Spotify AB</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`,
    );
    expect(rows.map(brief)).toEqual([
      [
        "-29.99",
        "Spotify AB",
        "PP.8174.PP . SPOTIFY, Ihr Einkauf bei Spotify AB",
        "2026010512345678",
      ],
    ]);
  });

  it("names the ultimate debtor of money in (v2: UltmtDbtr/Nm) over the debtor", async () => {
    const rows = await rowsOf(
      "02",
      `<Ntry>
        <Amt Ccy="EUR">2480.55</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-01-30</Dt></BookgDt>
        <AcctSvcrRef>2026013000000042</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>LG-2026-01-0815</EndToEndId></Refs>
          <RltdPties>
            <Dbtr><Nm>Lohnbuero Meier GmbH</Nm></Dbtr>
            <UltmtDbtr><Nm>Baeckerei Schmidt KG</Nm></UltmtDbtr>
            <Cdtr><Nm>Max Mustermann</Nm></Cdtr>
          </RltdPties>
          <RmtInf><Ustrd>Lohn/Gehalt 01/2026 Personalnr 0815</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`,
    );
    expect(rows.map(brief)).toEqual([
      [
        "2480.55",
        "Baeckerei Schmidt KG",
        "Lohn/Gehalt 01/2026 Personalnr 0815",
        "2026013000000042",
      ],
    ]);
  });

  it("keeps only the SVWZ+ purpose of a Ustrd that carries SEPA keys", async () => {
    const rows = await rowsOf(
      "02",
      `<Ntry>
        <Amt Ccy="EUR">15.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-01-22</Dt></BookgDt>
        <NtryDtls><TxDtls>
          <RltdPties><Cdtr><Nm>Turnverein 1860 e.V.</Nm></Cdtr></RltdPties>
          <RmtInf><Ustrd>EREF+A1B2C3 MREF+M-42 CRED+DE98ZZZ09999999999 SVWZ+Mitgliedsbeitrag</Ustrd><Ustrd>Q1 2026</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`,
    );
    expect(rows.map(brief)).toEqual([
      ["-15", "Turnverein 1860 e.V.", "Mitgliedsbeitrag Q1 2026", undefined],
    ]);
  });

  it("describes structured remittance by its free text and creditor reference", async () => {
    const rows = await rowsOf(
      "02",
      `<Ntry>
        <Amt Ccy="EUR">84.70</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-01-18</Dt></BookgDt>
        <AcctSvcrRef>2026011800000007</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties><Cdtr><Nm>Energie Vlaanderen NV</Nm></Cdtr></RltdPties>
          <RmtInf><Strd>
            <CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>RF18539007547034</Ref></CdtrRefInf>
            <AddtlRmtInf>Voorschot januari</AddtlRmtInf>
          </Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>`,
    );
    expect(rows.map(brief)).toEqual([
      ["-84.7", "Energie Vlaanderen NV", "Voorschot januari RF18539007547034", "2026011800000007"],
    ]);
  });
});
