import { type ImportedRow, ImportFileError, type ParsedItem } from "./types.ts";
import { splitSepaKeys } from "./sepa.ts";
import { parseDecimal } from "./values.ts";
import { all, find, textAt, xmlRecords, type XmlNode } from "./xml.ts";

function date(node: XmlNode | undefined): string | undefined {
  const text = textAt(node, "Dt") || textAt(node, "DtTm");
  return /^(\d{4}-\d{2}-\d{2})/.exec(text)?.[1];
}

function signed(amount: string, indicator: string): string {
  return indicator === "DBIT" && amount !== "0" ? `-${amount}` : amount;
}

// A party's name: CAMT v2 puts it right under the party, v8+ under Pty.
function partyName(details: XmlNode | undefined, path: string): string {
  return textAt(details, `${path}/Nm`) || textAt(details, `${path}/Pty/Nm`);
}

// The other party: for money out the creditor, for money in the debtor; its ultimate party
// (UltmtCdtr, UltmtDbtr: the shop behind a payment provider) when the bank names one.
function counterparty(details: XmlNode | undefined, indicator: string): string {
  const role = indicator === "DBIT" ? "Cdtr" : "Dbtr";
  return partyName(details, `RltdPties/Ultmt${role}`) || partyName(details, `RltdPties/${role}`);
}

// The purpose for people: unstructured lines (without the SEPA keys some banks copy into them),
// then each structured block's free text and creditor reference. The end-to-end and mandate
// references are left out: they repeat (a returned debit carries its original's), so they
// cannot be the bank id that AcctSvcrRef is.
function remittance(details: XmlNode | undefined): string {
  const info = find(details, "RmtInf");
  const lines = all(info, "Ustrd").map((n) => n.text.trim());
  const unstructured = splitSepaKeys([lines.join(" ")]).purpose;
  const structured = all(info, "Strd").flatMap((s) => [
    ...all(s, "AddtlRmtInf").map((n) => n.text.trim()),
    textAt(s, "CdtrRefInf/Ref"),
  ]);
  return [unstructured, ...structured].filter(Boolean).join(" ");
}

function entryRows(entry: XmlNode, currency: string | undefined): ParsedItem[] {
  const indicator = textAt(entry, "CdtDbtInd");
  const amountNode = find(entry, "Amt");
  const amount = parseDecimal(amountNode?.text.trim() ?? "", ".", "");
  const booked = date(find(entry, "BookgDt")) ?? date(find(entry, "ValDt"));
  if (
    amount === undefined ||
    booked === undefined ||
    (indicator !== "CRDT" && indicator !== "DBIT")
  ) {
    return [
      {
        problem: {
          line: entry.line,
          message: "the entry lacks a valid amount, credit/debit indicator or booking date",
        },
      },
    ];
  }
  const entryRef = textAt(entry, "AcctSvcrRef");
  const ccy = amountNode?.attributes.Ccy ?? currency;
  const details =
    all(find(entry, "NtryDtls"), "TxDtls").length > 0
      ? all(find(entry, "NtryDtls"), "TxDtls")
      : all(entry, "NtryDtls").flatMap((d) => all(d, "TxDtls"));
  const base = (row: Omit<ImportedRow, "date" | "line">): ParsedItem => ({
    row: { line: entry.line, date: booked, ...row, ...(ccy ? { currency: ccy } : {}) },
  });
  const extra = textAt(entry, "AddtlNtryInf");
  if (details.length <= 1) {
    const tx = details[0];
    const externalId = entryRef || textAt(tx, "Refs/AcctSvcrRef");
    return [
      base({
        amount: signed(amount, indicator),
        payee: counterparty(tx, indicator).slice(0, 200),
        description: (remittance(tx) || extra).slice(0, 1000),
        ...(externalId ? { externalId } : {}),
      }),
    ];
  }
  // A batch entry: one booking on the statement, several payments inside; each becomes a
  // transaction so categories and payees stay right.
  return details.map((tx, index): ParsedItem => {
    const txIndicator = textAt(tx, "CdtDbtInd") || indicator;
    const txAmountNode = find(tx, "AmtDtls/TxAmt/Amt") ?? find(tx, "Amt");
    const txAmount = parseDecimal(txAmountNode?.text.trim() ?? "", ".", "");
    if (txAmount === undefined)
      return { problem: { line: tx.line, message: "a batch payment lacks its amount" } };
    const ref = textAt(tx, "Refs/AcctSvcrRef");
    const externalId = ref || (entryRef ? `${entryRef}/${index + 1}` : "");
    return {
      row: {
        line: tx.line,
        date: booked,
        amount: signed(txAmount, txIndicator),
        payee: counterparty(tx, txIndicator).slice(0, 200),
        description: (remittance(tx) || extra).slice(0, 1000),
        ...(ccy ? { currency: ccy } : {}),
        ...(externalId ? { externalId } : {}),
      },
    };
  });
}

/**
 * Parses an ISO 20022 CAMT.053 statement file: every `Ntry` of every `Stmt`, batch entries split
 * into their `TxDtls`, `AcctSvcrRef` as the bank id. Entries not yet booked (`Sts` PDNG) are
 * skipped: they may still change.
 */
export async function* parseCamt053(text: AsyncIterable<string>): AsyncGenerator<ParsedItem> {
  let currency: string | undefined;
  let sawStatement = false;
  for await (const event of xmlRecords(text, "Ntry", new Set(["Ccy", "BkToCstmrStmt"]))) {
    if ("context" in event) {
      if (event.context === "Ccy") currency = event.text;
      sawStatement = true;
      continue;
    }
    sawStatement = true;
    const status = textAt(event.record, "Sts") || textAt(event.record, "Sts/Cd");
    if (status === "PDNG") continue;
    yield* entryRows(event.record, currency);
  }
  if (!sawStatement) throw new ImportFileError("no CAMT.053 statement found");
}
