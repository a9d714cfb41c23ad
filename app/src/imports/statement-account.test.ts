import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inspect } from "./inspect.ts";
import {
  camt053StatementAccount,
  mt940StatementAccount,
  ofxStatementAccount,
} from "./statement-account.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/imports/${name}`, import.meta.url));

describe("the account a bank file names", () => {
  it("reads CAMT.053's statement IBAN, as the upload's inspection reports it", async () => {
    const inspection = await inspect(fixture("batch.camt053.xml"), true);
    expect(inspection.statementAccount).toBe("DE89370400440532013000");
  });

  it("reads MT940's :25: as the bank gives it (bank code/account number)", async () => {
    const inspection = await inspect(fixture("multiline.mt940"), true);
    expect(inspection.statementAccount).toBe("37040044/0532013000");
  });

  it("reads OFX's ACCTID", async () => {
    expect((await inspect(fixture("ofx1-sgml.ofx"), true)).statementAccount).toBe("1234567890");
    expect((await inspect(fixture("ofx2.ofx"), true)).statementAccount).toBe("4111111111111111");
  });

  it("reports none for CSV", async () => {
    const inspection = await inspect(fixture("dutch-af-bij.csv"), true);
    expect(inspection.statementAccount).toBeNull();
  });

  it("reads an MT940 :25: IBAN inside a SWIFT block header", () => {
    const text = "{1:F01X}{2:I940X}{4:\n:20:1\n:25:DE89370400440532013000EUR\n:28C:1\n";
    expect(mt940StatementAccount(text)).toBe("DE89370400440532013000EUR");
  });

  it("names no account when the statements of one MT940 file name different ones", () => {
    const text = ":20:1\n:25:DE89370400440532013000\n:62F:C1\n:20:2\n:25:GB82WEST12345698765432\n";
    expect(mt940StatementAccount(text)).toBeUndefined();
  });

  it("reads CAMT's other account id, with namespace prefixes, ignoring parties' accounts", () => {
    const text =
      "<c:BkToCstmrStmt><c:Stmt><c:Id>1</c:Id><c:Acct><c:Id><c:Othr><c:Id>0532013000</c:Id>" +
      "</c:Othr></c:Id></c:Acct><c:Ntry><c:CdtrAcct><c:Id><c:IBAN>GB82WEST12345698765432" +
      "</c:IBAN></c:Id></c:CdtrAcct></c:Ntry></c:Stmt></c:BkToCstmrStmt>";
    expect(camt053StatementAccount(text)).toBe("0532013000");
  });

  it("names no account for a CAMT statement without one", () => {
    expect(camt053StatementAccount("<Stmt><Acct><Ccy>EUR</Ccy></Acct></Stmt>")).toBeUndefined();
    expect(ofxStatementAccount("<OFX><STMTRS></STMTRS></OFX>")).toBeUndefined();
  });
});
