import { describe, expect, it } from "vitest";
import {
  aCamt053,
  anOfx2,
  BILLION_LAUGHS_DOCTYPE,
  EXTERNAL_ENTITY_DOCTYPE,
} from "../../test/fixtures/imports/hostile.ts";
import { MappingSchema } from "./csv-mapping.ts";
import { decodeChunks, textChunks } from "./encoding.ts";
import { readRows } from "./read.ts";
import { ImportFileError, type ImportFormat, type ParsedItem } from "./types.ts";

const mapping = MappingSchema.parse({
  hasHeader: true,
  skipRows: 0,
  delimiter: ",",
  dateColumn: 0,
  dateFormat: "YYYY-MM-DD",
  amountColumn: 2,
  decimalSeparator: ".",
  thousandsSeparator: "",
  payeeColumn: 1,
});

async function read(format: ImportFormat, text: string, chunk = 65_536): Promise<ParsedItem[]> {
  const items: ParsedItem[] = [];
  for await (const item of readRows(format, textChunks(text, chunk), mapping)) items.push(item);
  return items;
}

/** The ImportFileError reading `text` throws; fails the test when it reads instead. */
async function refusal(
  format: ImportFormat,
  text: string,
  chunk?: number,
): Promise<ImportFileError> {
  try {
    await read(format, text, chunk);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return error as ImportFileError;
  }
  throw new Error(`the ${format} file was read, not refused`);
}

const rows = (items: ParsedItem[]) => items.flatMap((i) => ("row" in i ? [i.row] : []));
const TEN_MB = 10 * 1024 * 1024;

describe("XML bombs and external entities", () => {
  it("refuses a billion-laughs and an external-entity CAMT.053", async () => {
    for (const doctype of [BILLION_LAUGHS_DOCTYPE, EXTERNAL_ENTITY_DOCTYPE]) {
      const error = await refusal("camt053", aCamt053({ doctype, remittance: "&lol9;" }));
      expect(error.message).toMatch(/DOCTYPE is refused/);
    }
  });

  it("refuses a DOCTYPE in an OFX 2.x header, which the SGML header drop would otherwise hide", async () => {
    expect(rows(await read("ofx", anOfx2()))).toMatchObject([{ amount: "-12.5", payee: "Shop" }]);
    for (const doctype of [BILLION_LAUGHS_DOCTYPE, EXTERNAL_ENTITY_DOCTYPE]) {
      const error = await refusal("ofx", anOfx2({ doctype, payee: "&xxe;" }));
      expect(error.message).toMatch(/DOCTYPE is refused/);
    }
  });

  it("reads an undeclared entity in OFX as text, never expanding it", async () => {
    expect(rows(await read("ofx", anOfx2({ payee: "A&lol9;B" })))[0]?.payee).toBe("A&lol9;B");
  });

  it("refuses XML nested thousands of levels deep outside and inside a record", async () => {
    const deep = "<a>".repeat(5000);
    const outside = aCamt053().replace("<BkToCstmrStmt>", `<BkToCstmrStmt>${deep}`);
    expect((await refusal("camt053", outside)).message).toMatch(/nested over 100 levels/);
    const inside = aCamt053().replace("<Ntry>", `<Ntry>${deep}`);
    expect((await refusal("camt053", inside)).message).toMatch(/nested over 100 levels/);
  });

  it("refuses a 10 MB tag (attributes without end) before holding it whole", async () => {
    const huge = aCamt053().replace("<Stmt>", `<Stmt x="${"y".repeat(TEN_MB)}">`);
    expect((await refusal("camt053", huge)).message).toMatch(/tag or text is longer than/);
  });
});

describe("truncated files", () => {
  it("refuses a CAMT.053 cut in the middle of an element, naming the element", async () => {
    const camt = aCamt053();
    const error = await refusal("camt053", camt.slice(0, camt.indexOf("2026-01-06") + 4));
    expect(error.message).toMatch(/ends before <Dt> is closed: it is truncated/);
    expect(error.line).toBeGreaterThan(0);
  });

  it("refuses a CAMT.053 cut between entries", async () => {
    const camt = aCamt053();
    const error = await refusal("camt053", camt.slice(0, camt.indexOf("</Stmt>")));
    expect(error.message).toMatch(/ends before <Stmt> is closed/);
  });

  it("refuses an OFX 2.x whose aggregates are never closed", async () => {
    const unclosed = anOfx2().replace(/<\/(BANKTRANLIST|STMTRS|STMTTRNRS|BANKMSGSRSV1|OFX)>/g, "");
    expect((await refusal("ofx", unclosed)).message).toMatch(
      /ends before <BANKTRANLIST> is closed/,
    );
  });

  it("refuses an OFX cut in the middle of a tag", async () => {
    const ofx = anOfx2();
    expect((await refusal("ofx", ofx.slice(0, ofx.indexOf("</STMTTRN>") + 4))).message).toMatch(
      /truncated/,
    );
  });

  it("refuses a QIF that ends inside a transaction, whose amount may be cut short", async () => {
    const qif = "!Type:Bank\nD01/05/2026\nT-12.50\nPShop\n^\nD01/06/2026\nT-7";
    const error = await refusal("qif", qif);
    expect(error.message).toMatch(/ends inside a transaction \(no closing \^\)/);
    expect(error.line).toBe(6);
    expect(rows(await read("qif", `${qif}.25\n^\n`)).map((r) => r.amount)).toEqual([
      "-12.5",
      "-7.25",
    ]);
  });

  it("refuses an MT940 statement that ends before its closing balance", async () => {
    const mt940 =
      ":20:STMT\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C260101EUR100,00\n" +
      ":61:2601050105D12,50NTRFNONREF\n:86:Shop\n";
    const error = await refusal("mt940", mt940);
    expect(error.message).toMatch(/without its closing balance \(:62F:\)/);
    expect(error.line).toBe(1);
    const whole = `${mt940}:62F:C260131EUR87,50\n-\n`;
    expect(rows(await read("mt940", whole)).map((r) => r.amount)).toEqual(["-12.5"]);
  });
});

describe("10 MB lines and endless records", () => {
  it.each<[ImportFormat, string]>([
    ["csv", "Date,Payee,Amount\n"],
    ["qif", "!Type:Bank\n"],
    ["mt940", ":20:X\n"],
    ["csv", ""],
  ])("%s: refuses a 10 MB line without a newline", async (format, head) => {
    const error = await refusal(format, head + "x".repeat(TEN_MB), 1024 * 1024);
    expect(error.message).toMatch(/longer than 100000 characters/);
  });

  it("refuses a 10 MB OFX element and a 10 MB CAMT.053 text", async () => {
    const ofx = anOfx2({ payee: "x".repeat(TEN_MB) });
    expect((await refusal("ofx", ofx, 1024 * 1024)).message).toMatch(/too long/);
    const camt = aCamt053({ remittance: "x".repeat(TEN_MB) });
    expect((await refusal("camt053", camt, 1024 * 1024)).message).toMatch(/longer than|too long/);
  });

  it("tokenises OFX in linear time, however many '<' open no tag", async () => {
    const started = performance.now();
    const error = await refusal("ofx", `<OFX>${"<".repeat(1_000_000)}>`, 1024 * 1024);
    expect(error.message).toMatch(/opens no tag/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("refuses a QIF transaction and an MT940 entry of endless lines instead of holding them", async () => {
    const qif = `!Type:Bank\nD01/05/2026\n${"SFood\n$-1\n".repeat(5000)}^\n`;
    expect((await refusal("qif", qif)).message).toMatch(/over 2000 lines without a closing \^/);
    const mt940 = `:20:X\n:61:2601050105D1,00NTRFNONREF\n:86:a\n${"more\n".repeat(5000)}:62F:C260131EUR1,00\n`;
    expect((await refusal("mt940", mt940)).message).toMatch(/entry has over 1000 lines/);
  });

  it("reports trailing unreadable CSV records once they are too many to be a summary", async () => {
    const good = "Date,Payee,Amount\n2026-01-05,Shop,-1.00\n";
    const summary = await read("csv", `${good}Closing balance,,\n`);
    expect(summary.filter((i) => "problem" in i)).toEqual([]);
    const junk = await read("csv", good + "junk\n".repeat(2_000));
    expect(junk.filter((i) => "problem" in i).length).toBeGreaterThanOrEqual(2_000);
  });

  it("ends a CSV parse with the decoder's typed error, never an unhandled stream error", async () => {
    async function* bytes(): AsyncGenerator<Buffer> {
      yield await Promise.resolve(Buffer.from("Date,Payee,Amount\n2026-01-05,Bäcker,-1.00\n"));
      yield Buffer.from([0x32, 0x30, 0xe4, 0x0a]);
    }
    const items = readRows("csv", decodeChunks(bytes(), "utf-8"), mapping);
    await expect(
      (async () => {
        for await (const item of items) expect(item).toBeDefined();
      })(),
    ).rejects.toThrow(/mixes encodings/);
  });
});
