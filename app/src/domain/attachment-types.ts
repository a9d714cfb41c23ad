import { fileTypeFromBuffer } from "file-type";

/** The media types a receipt may have, as its bytes (not its declared type) show. */
export const ATTACHMENT_TYPES = [
  "application/pdf",
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "image/heif",
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The declared types an upload may carry; the bytes decide the real one. */
export const UPLOAD_CONTENT_TYPES = [...ATTACHMENT_TYPES, "application/octet-stream"] as const;

const accepted: ReadonlySet<string> = new Set(ATTACHMENT_TYPES);

// HEIF brands in an ISO-BMFF `ftyp` box: HEVC-coded stills (HEIC) and the generic HEIF ones.
const heicBrands = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx"]);
const heifBrands = new Set(["mif1", "msf1"]);

/** The major and compatible brands of a leading `ftyp` box; empty when there is none. */
export function ftypBrands(bytes: Uint8Array): string[] {
  if (bytes.length < 16) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = (start: number) => String.fromCharCode(...bytes.subarray(start, start + 4));
  if (latin1(4) !== "ftyp") return [];
  const size = Math.min(view.getUint32(0), bytes.length);
  const brands = [latin1(8)];
  // Bytes 12-15 are the minor version; compatible brands follow to the end of the box.
  for (let at = 16; at + 4 <= size; at += 4) brands.push(latin1(at));
  return brands;
}

function heifType(bytes: Uint8Array): AttachmentType | undefined {
  const brands = ftypBrands(bytes);
  // AVIF files list mif1 too; they are AV1 images, not the HEIC photos phones take.
  if (brands.some((brand) => brand.startsWith("avi"))) return undefined;
  if (brands.some((brand) => heicBrands.has(brand))) return "image/heic";
  if (brands.some((brand) => heifBrands.has(brand))) return "image/heif";
  return undefined;
}

/**
 * The receipt type the bytes are, by their magic numbers, or undefined for anything else,
 * whatever the upload claimed. ISO-BMFF files (HEIC, but also MP4, AVIF) are told apart by the
 * brands of their `ftyp` box, compatible brands included, since phones do not always put
 * `heic` first; everything else by file-type's signatures.
 */
export async function detectAttachmentType(bytes: Uint8Array): Promise<AttachmentType | undefined> {
  if (ftypBrands(bytes).length > 0) return heifType(bytes);
  const found = await fileTypeFromBuffer(bytes);
  return found !== undefined && accepted.has(found.mime)
    ? (found.mime as AttachmentType)
    : undefined;
}
