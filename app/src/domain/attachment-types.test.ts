import { describe, expect, it } from "vitest";
import { detectAttachmentType, ftypBrands } from "./attachment-types.ts";
import {
  ftypBytes,
  heicBytes,
  jpegBytes,
  pdfBytes,
  pngBytes,
  webpBytes,
} from "../../test/fixtures/attachments.ts";

describe("detectAttachmentType", () => {
  it.each([
    ["a PDF", pdfBytes(), "application/pdf"],
    ["a PNG", pngBytes(), "image/png"],
    ["a JPEG", jpegBytes(), "image/jpeg"],
    ["a WebP", webpBytes(), "image/webp"],
    ["an iPhone HEIC", heicBytes(), "image/heic"],
    ["a HEIC whose major brand is mif1", ftypBytes("mif1", ["heic", "miaf"]), "image/heic"],
    ["a generic HEIF still", ftypBytes("mif1", ["miaf"]), "image/heif"],
  ])("recognises %s by its bytes", async (_, file, type) => {
    expect(await detectAttachmentType(file)).toBe(type);
  });

  it.each([
    ["plain text", Buffer.from("hello, this is not an image\n")],
    ["HTML", Buffer.from("<!doctype html><script>alert(1)</script>")],
    ["an MP4 video", ftypBytes("isom", ["isom", "mp41"])],
    ["an AVIF image (listing mif1 too)", ftypBytes("avif", ["avif", "mif1", "miaf"])],
    ["a GIF", Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")],
    ["a ZIP", Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0])],
    ["a truncated signature", Buffer.from([0x89, 0x50, 0x4e])],
  ])("refuses %s", async (_, file) => {
    expect(await detectAttachmentType(file)).toBeUndefined();
  });
});

describe("ftypBrands", () => {
  it("reads the major and the compatible brands, skipping the minor version", () => {
    expect(ftypBrands(ftypBytes("heic", ["mif1", "heic"]))).toEqual(["heic", "mif1", "heic"]);
  });

  it("finds none without an ftyp box", () => {
    expect(ftypBrands(pngBytes())).toEqual([]);
  });
});
