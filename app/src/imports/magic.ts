import { ImportFileError } from "./types.ts";

/** Why a file that is not bank-statement text is refused, as the user reads it. */
export const COMPRESSED_REFUSED =
  "compressed files (zip, gzip, bzip2, xz, 7z, zstd, rar) are not supported; unzip it first and upload the bank file inside";
const WORKBOOK_REFUSED =
  "spreadsheet workbooks (xlsx, xls, ods) are not supported; export the sheet as CSV first";
const PDF_REFUSED =
  "PDF statements are not supported; download the statement as CSV, OFX, QIF, CAMT.053 or MT940";
const UTF32_REFUSED = "the file is UTF-32 text; save it as UTF-8 (or UTF-16) first";

interface Signature {
  magic: readonly number[];
  refusal: string;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

// Checked in order, first match wins; zip is decided separately since xlsx and ods are zips too.
const SIGNATURES: readonly Signature[] = [
  { magic: [0x1f, 0x8b], refusal: COMPRESSED_REFUSED }, // gzip
  { magic: [0x1f, 0x9d], refusal: COMPRESSED_REFUSED }, // compress (.Z)
  { magic: [0x1f, 0xa0], refusal: COMPRESSED_REFUSED }, // compress (LZH)
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], refusal: COMPRESSED_REFUSED }, // xz
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], refusal: COMPRESSED_REFUSED }, // 7z
  { magic: [0x28, 0xb5, 0x2f, 0xfd], refusal: COMPRESSED_REFUSED }, // zstd
  { magic: [...ascii("Rar!"), 0x1a, 0x07], refusal: COMPRESSED_REFUSED },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], refusal: WORKBOOK_REFUSED }, // xls
  { magic: ascii("%PDF-"), refusal: PDF_REFUSED },
  { magic: [0xff, 0xfe, 0x00, 0x00], refusal: UTF32_REFUSED },
  { magic: [0x00, 0x00, 0xfe, 0xff], refusal: UTF32_REFUSED },
];

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.length + at <= bytes.length && magic.every((b, i) => bytes[at + i] === b);
}

// bzip2: "BZh", a block size digit, then the block or end-of-stream magic: text may start "BZh".
function isBzip2(bytes: Uint8Array): boolean {
  const level = bytes[3] ?? 0;
  return (
    startsWith(bytes, ascii("BZh")) &&
    level >= 0x31 &&
    level <= 0x39 &&
    (startsWith(bytes, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) ||
      startsWith(bytes, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4))
  );
}

// A zip's first entry names what it is: xlsx/docx start with [Content_Types].xml or xl/, an
// OpenDocument file with its "mimetype" entry. Anything else is an archive to unzip.
function zipRefusal(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString("latin1");
  if (/\[Content_Types\]\.xml|xl\/|mimetypeapplication\/vnd\.oasis\.opendocument/.test(head))
    return WORKBOOK_REFUSED;
  return COMPRESSED_REFUSED;
}

/**
 * Why the first bytes of an upload are not a bank file (an archive, a workbook, a PDF, UTF-32),
 * by their magic numbers; undefined when they may be text. Nothing is ever decompressed, so a zip
 * bomb costs no more than its own bytes.
 */
export function binaryRefusal(sample: Uint8Array): string | undefined {
  if (
    startsWith(sample, [0x50, 0x4b, 0x03, 0x04]) ||
    startsWith(sample, [0x50, 0x4b, 0x05, 0x06]) ||
    startsWith(sample, [0x50, 0x4b, 0x07, 0x08])
  )
    return zipRefusal(sample);
  if (isBzip2(sample)) return COMPRESSED_REFUSED;
  return SIGNATURES.find((s) => startsWith(sample, s.magic))?.refusal;
}

/** Throws an ImportFileError when `sample` starts like a binary or compressed file. */
export function refuseBinary(sample: Uint8Array): void {
  const refusal = binaryRefusal(sample);
  if (refusal !== undefined) throw new ImportFileError(refusal);
}
