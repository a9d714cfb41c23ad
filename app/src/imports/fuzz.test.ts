import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inspect } from "./inspect.ts";
import { readRows } from "./read.ts";
import { decodeChunks, decodeText, detectEncoding, textChunks } from "./encoding.ts";
import { ImportFileError, type ImportFormat, type ParsedItem } from "./types.ts";
import { applyMapping, type Mapping, MappingSchema } from "./csv-mapping.ts";
import { DATE_FORMATS } from "./values.ts";

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
  ":62F:C260131EUR1,00\n",
  "<!DOCTYPE x>",
  "&lol;",
  "<a><a><a>",
  "!Type:Bank\n",
  "D01/02/26\n",
  "T-1.00\n",
  "^\n",
  "S\n",
  "$1\n",
  "01.01.2026;-1,00;x\n",
  "2026-01-01,(1.234,56),x\n",
  "\u00e4",
  "\u0000",
  "\uFFFD",
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

// Any valid mapping: amount or debit/credit columns, a direction, any separators and formats.
const column = fc.integer({ min: 0, max: 6 });
const anyMapping: fc.Arbitrary<Mapping> = fc
  .record({
    hasHeader: fc.boolean(),
    skipRows: fc.integer({ min: 0, max: 3 }),
    delimiter: fc.constantFrom(",", ";", "\t", "|"),
    dateColumn: column,
    dateFormat: fc.constantFrom(...DATE_FORMATS),
    split: fc.boolean(),
    amountColumn: column,
    debitColumn: column,
    creditColumn: column,
    directionColumn: fc.option(column, { nil: null }),
    creditValues: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    debitValues: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    decimalSeparator: fc.constantFrom(".", ","),
    thousandsSeparator: fc.constantFrom("", ",", ".", " ", "'"),
    payeeColumn: fc.option(column, { nil: null }),
    descriptionColumns: fc.array(column, { maxLength: 3 }),
    currencyColumn: fc.option(column, { nil: null }),
    externalIdColumn: fc.option(column, { nil: null }),
    invertSign: fc.boolean(),
  })
  .map(({ split, amountColumn, debitColumn, creditColumn, directionColumn, ...rest }) =>
    split
      ? { ...rest, debitColumn, creditColumn, amountColumn: null, directionColumn: null }
      : { ...rest, amountColumn, directionColumn },
  )
  .map((raw) => MappingSchema.safeParse(raw))
  .filter((parsed) => parsed.success)
  .map((parsed) => MappingSchema.parse(parsed.data));

const cell = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("2026-01-31", "31.02.2026", "01/02/26", "-1.234,56", "(12.00)", "5-", "C", "D"),
);

const CANONICAL_AMOUNT = /^-?\d+(\.\d*[1-9])?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every item is a row with an ISO date and a canonical amount, or a problem with a line. */
function wellFormed(item: ParsedItem): void {
  if ("row" in item) {
    expect(item.row.date).toMatch(ISO_DATE);
    expect(item.row.amount).toMatch(CANONICAL_AMOUNT);
  } else {
    expect(item.problem.line).toBeGreaterThan(0);
    expect(item.problem.message).not.toBe("");
  }
}

/** The bytes cut at `cuts`, as the stored chunks of an upload come back. */
async function* cutBytes(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Buffer> {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, bytes.length]) {
    yield await Promise.resolve(Buffer.from(bytes.subarray(from, to)));
    from = to;
  }
}

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

  for (const format of formats) {
    it(`${format}: any bytes, in any encoding guess and any chunking, give rows or a typed error`, async () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc
          .tuple(fc.array(pieces, { maxLength: 30 }), fc.uint8Array({ maxLength: 20 }))
          .map(([p, tail]) => Uint8Array.from([...Buffer.from(p.join(""), "latin1"), ...tail])),
      );
      await fc.assert(
        fc.asyncProperty(
          bytes,
          fc.array(fc.nat(), { maxLength: 5 }),
          anyMapping,
          async (raw, cuts, map) => {
            try {
              const encoding = detectEncoding(Buffer.from(raw));
              const text = decodeChunks(cutBytes(raw, cuts), encoding);
              for await (const item of readRows(format, text, map)) wellFormed(item);
            } catch (error) {
              expect(error).toBeInstanceOf(ImportFileError);
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it("csv mapping: any record under any valid mapping gives a well-formed row or its problems", () => {
    fc.assert(
      fc.property(
        anyMapping,
        fc.option(fc.array(fc.string({ maxLength: 10 }), { maxLength: 7 }), { nil: undefined }),
        fc.array(cell, { maxLength: 8 }),
        (map, header, cells) => {
          const result = applyMapping(map, header, 7, cells);
          if ("row" in result) wellFormed(result);
          else {
            expect(result.problems.length).toBeGreaterThan(0);
            for (const problem of result.problems) expect(problem).toMatchObject({ line: 7 });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("no parser takes long on large repetitive input (nothing quadratic)", async () => {
    const large = fc
      .tuple(fc.array(pieces, { minLength: 1, maxLength: 6 }), fc.constantFrom(...formats))
      .map(([p, format]) => {
        const unit = p.join("");
        return { format, text: unit.repeat(Math.ceil(100_000 / unit.length)) };
      });
    await fc.assert(
      fc.asyncProperty(large, async ({ format, text }) => {
        const started = performance.now();
        await readsOrFailsTyped(format, text);
        // A hang guard, not a speed target: linear work on 100,000 characters takes a few hundred
        // milliseconds even in 7-character chunks, the quadratic scans this found took minutes,
        // and a loaded CI machine must not turn the difference into a flake.
        expect(performance.now() - started).toBeLessThan(20_000);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it("refuses NUL-filled text as a file error", () => {
    expect(() => decodeText(Buffer.from([0x61, 0, 0x62, 0x63, 0, 0, 0, 0x64]), "utf-8")).toThrow(
      ImportFileError,
    );
  });
});
