import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inspect } from "./inspect.ts";
import { readRows } from "./read.ts";
import { decodeText, textChunks } from "./encoding.ts";
import { ImportFileError, type ImportFormat } from "./types.ts";
import { MappingSchema } from "./csv-mapping.ts";

const mapping = MappingSchema.parse({
  hasHeader: true,
  skipRows: 0,
  delimiter: ";",
  dateColumn: 0,
  dateFormat: "DD.MM.YYYY",
  amountColumn: 1,
  decimalSeparator: ",",
  thousandsSeparator: ".",
  payeeColumn: 2,
});

// Any input must end in rows/problems or an ImportFileError: never another exception, never a hang.
async function readsOrFailsTyped(format: ImportFormat, text: string): Promise<void> {
  try {
    for await (const item of readRows(format, textChunks(text, 7), mapping)) {
      expect("row" in item || "problem" in item).toBe(true);
    }
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
  }
}

const formats: ImportFormat[] = ["csv", "ofx", "qif", "camt053", "mt940"];
// Fragments of each format, so the fuzzer reaches the parsers' inner states, not just the entry.
const pieces = fc.constantFrom(
  "<OFX>",
  "<STMTTRN>",
  "<TRNAMT>-1.00",
  "<DTPOSTED>20260101",
  "</STMTTRN>",
  "<Ntry>",
  "</Ntry>",
  '<Amt Ccy="EUR">1.00</Amt>',
  "<CdtDbtInd>DBIT</CdtDbtInd>",
  "<BookgDt><Dt>2026-01-01</Dt></BookgDt>",
  ":20:X\n",
  ":61:2601010101D1,00NTRFNONREF\n",
  ":86:?20a?32b\n",
  "!Type:Bank\n",
  "D01/02/26\n",
  "T-1.00\n",
  "^\n",
  "S\n",
  "$1\n",
  "01.01.2026;-1,00;x\n",
  '"',
  ";",
  "\n",
  "\r",
  "&",
  "<",
  ">",
);
const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")),
);

describe("parsers under fuzzing", () => {
  for (const format of formats) {
    it(`${format}: any text gives rows, row problems or a typed file error`, async () => {
      await fc.assert(
        fc.asyncProperty(hostile, (text) => readsOrFailsTyped(format, text)),
        { numRuns: 300 },
      );
    });
  }

  it("inspect takes any bytes without crashing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        try {
          const result = await inspect(Buffer.from(bytes), true);
          expect(formats).toContain(result.format);
        } catch (error) {
          expect(error).toBeInstanceOf(ImportFileError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("refuses NUL-filled text as a file error", () => {
    expect(() => decodeText(Buffer.from([0x61, 0, 0x62, 0x63, 0, 0, 0, 0x64]), "utf-8")).toThrow(
      ImportFileError,
    );
  });
});
