import fc from "fast-check";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeChunks, detectEncoding, type TextEncoding } from "./encoding.ts";
import { binaryRefusal, COMPRESSED_REFUSED } from "./magic.ts";
import { ImportFileError } from "./types.ts";

/** `bytes` cut at `cuts` (offsets, any order), as an upload arrives in pieces. */
async function* pieces(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, bytes.length]) {
    yield await Promise.resolve(bytes.subarray(from, to));
    from = to;
  }
}

async function decodeAll(
  bytes: Buffer,
  encoding: TextEncoding,
  cuts: readonly number[] = [],
): Promise<string> {
  let text = "";
  for await (const chunk of decodeChunks(pieces(bytes, cuts), encoding)) text += chunk;
  return text;
}

const cuts = fc.array(fc.nat(), { maxLength: 8 });
// Text without NUL, with characters of every UTF-8 length.
const text = fc.string({ unit: "grapheme", maxLength: 200 }).map((t) => t.replace(/\0/g, ""));

describe("decodeChunks", () => {
  it("decodes any UTF-8 text exactly, however the bytes are cut", async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, at) => {
        expect(await decodeAll(Buffer.from(t, "utf8"), "utf-8", at)).toBe(t);
      }),
      { numRuns: 500 },
    );
  });

  it("decodes any UTF-16 text exactly, either byte order, however the bytes are cut", async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, at) => {
        const le = Buffer.from(t, "utf16le");
        const be = Buffer.from(le).swap16();
        expect(await decodeAll(le, "utf-16le", at)).toBe(t);
        expect(await decodeAll(be, "utf-16be", at)).toBe(t);
      }),
      { numRuns: 300 },
    );
  });

  it("reads a file whose first non-ASCII byte comes after the sample as Windows-1252", async () => {
    const ascii = "Date;Payee;Amount\n" + "2026-01-02;Shop;-1,00\n".repeat(4000);
    const file = Buffer.concat([
      Buffer.from(ascii),
      iconv.encode("2026-01-03;Bäckerei;-2,00\n", "windows-1252"),
    ]);
    expect(detectEncoding(file.subarray(0, 64 * 1024))).toBe("utf-8");
    const decided: TextEncoding[] = [];
    let decoded = "";
    for await (const chunk of decodeChunks(pieces(file, [65_536, 70_001]), "utf-8", (found) =>
      decided.push(found),
    )) {
      decoded += chunk;
    }
    expect(decoded.endsWith("Bäckerei;-2,00\n")).toBe(true);
    expect(decoded).not.toContain("\uFFFD");
    // The upload stores and shows the encoding the file turned out to have.
    expect(decided).toEqual(["windows-1252"]);
  });

  // Letters whose Windows-1252 bytes can only lead a UTF-8 sequence, never continue one: such
  // text can never pass for UTF-8 (with "€" = 0x80 after "ä", it could).
  it("keeps Windows-1252 for the rest once chosen, however the first such byte is cut", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom("a", "ä", "é", "ü", "ß", ";", "\n") }),
        cuts,
        async (t, at) => {
          const file = Buffer.concat([Buffer.from("x"), iconv.encode(t, "windows-1252")]);
          expect(await decodeAll(file, "utf-8", at)).toBe(`x${t}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses UTF-8 that turns into another encoding further on instead of booking U+FFFD", async () => {
    const file = Buffer.concat([
      Buffer.from("Bäckerei;1\n"),
      Buffer.from([0x42, 0xe4, 0x63, 0x6b, 0x0a]),
    ]);
    await expect(decodeAll(file, "utf-8")).rejects.toThrow(/mixes encodings/);
    await expect(decodeAll(file, "utf-8")).rejects.toBeInstanceOf(ImportFileError);
  });

  it("refuses NUL characters anywhere in the file, not only in the sample", async () => {
    const file = Buffer.concat([Buffer.from("a;b\n".repeat(30_000)), Buffer.from([0x00, 0x41])]);
    for (const encoding of ["utf-8", "windows-1252"] as const) {
      await expect(decodeAll(file, encoding, [100_000])).rejects.toThrow(/NUL bytes/);
    }
  });
});

describe("binaryRefusal", () => {
  it.each([
    ["a zip archive", [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], /compressed files.*unzip it first/],
    ["a gzip file", [0x1f, 0x8b, 0x08, 0x00], /compressed files/],
    ["a bzip2 file", [...Buffer.from("BZh9"), 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], /compressed/],
    ["an xz file", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], /compressed/],
    ["a 7z file", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], /compressed/],
    ["a zstd file", [0x28, 0xb5, 0x2f, 0xfd], /compressed/],
    ["a RAR file", [...Buffer.from("Rar!"), 0x1a, 0x07, 0x00], /compressed/],
    [
      "an old Excel file",
      [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
      /export the sheet as CSV/,
    ],
    ["a PDF", [...Buffer.from("%PDF-1.7\n")], /PDF statements are not supported/],
    ["UTF-32 text", [0xff, 0xfe, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00], /UTF-32/],
  ])("refuses %s by its magic bytes", (_name, bytes, message) => {
    expect(binaryRefusal(Uint8Array.from(bytes))).toMatch(message);
  });

  it("tells an xlsx workbook from a plain zip", () => {
    const xlsx = Buffer.concat([
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
      Buffer.alloc(26),
      Buffer.from("[Content_Types].xml"),
    ]);
    expect(binaryRefusal(xlsx)).toMatch(/workbooks.*export the sheet as CSV/);
    expect(binaryRefusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBe(COMPRESSED_REFUSED);
  });

  it("lets text through, including text that starts like a signature", () => {
    for (const sample of [
      "Date,Amount\n",
      "BZh this is a payee\n",
      "PK;Shop;1,00\n",
      "%PDF statement\n",
      "\uFEFFDatum;Betrag\n",
    ]) {
      expect(binaryRefusal(Buffer.from(sample))).toBeUndefined();
    }
    expect(binaryRefusal(Buffer.from("\uFEFFDatum", "utf16le"))).toBeUndefined();
  });
});
