import { describe, expect, it } from "vitest";
import {
  attachmentDisposition,
  cleanFilename,
  filenameFromDisposition,
  MAX_FILENAME_LENGTH,
} from "./attachment-names.ts";

describe("filenameFromDisposition", () => {
  it.each([
    ['attachment; filename="receipt.pdf"', "receipt.pdf"],
    ["attachment; filename=receipt.pdf", "receipt.pdf"],
    ['inline; filename="a \\"quoted\\" name.png"', 'a "quoted" name.png'],
    ["attachment; filename*=UTF-8''Quittung%20M%C3%A4rz.pdf", "Quittung März.pdf"],
    ["attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E2%82%AC.pdf", "€.pdf"],
    ["attachment; filename*=UTF-8''%E0%A4%A; filename=plain.pdf", "plain.pdf"],
  ])("reads %s", (header, name) => {
    expect(filenameFromDisposition(header)).toBe(name);
  });

  it("finds nothing without a header or a name", () => {
    expect(filenameFromDisposition(undefined)).toBeUndefined();
    expect(filenameFromDisposition("attachment")).toBeUndefined();
  });
});

describe("cleanFilename", () => {
  it("drops folders and control characters", () => {
    expect(cleanFilename("../../etc/pass\u0000wd", "image/png")).toBe("passwd.png");
    expect(cleanFilename("C:\\Users\\me\\scan\r\n.pdf", "application/pdf")).toBe("scan.pdf");
  });

  it("names nameless files after their type", () => {
    expect(cleanFilename(undefined, "image/heic")).toBe("receipt.heic");
    expect(cleanFilename("  ", "application/pdf")).toBe("receipt.pdf");
    expect(cleanFilename("..", "image/jpeg")).toBe("receipt.jpg");
  });

  it.each([
    ["\u202E (right-to-left override)", "invoice\u202Efdp.exe", "invoicefdp.pdf"],
    ["\u202A-\u202D embeddings and overrides", "a\u202Ab\u202Bc\u202Cd\u202De.pdf", "abcde.pdf"],
    ["\u2066-\u2069 isolates", "\u2066receipt\u2067\u2068\u2069.pdf", "receipt.pdf"],
    ["\u200E/\u200F marks and \u061C", "\u200Ere\u200Fce\u061Cipt.pdf", "receipt.pdf"],
    ["zero-width characters and a BOM", "\uFEFFre\u200Bceipt.pdf", "receipt.pdf"],
    ["C1 controls and separators", "re\u0085ce\u2028ip\u2029t.pdf", "receipt.pdf"],
  ])("drops %s", (_what, name, cleaned) => {
    expect(cleanFilename(name, "application/pdf")).toBe(cleaned);
  });

  it.each([
    ["photo.png.exe", "image/png", "photo_png.png"],
    ["Quittung März.pdf", "image/png", "Quittung März.png"],
    ["scan.exe", "application/pdf", "scan.pdf"],
    ["invoice.pdf.", "image/jpeg", "invoice.jpg"],
    ["invoice.pdf .  ", "image/jpeg", "invoice.jpg"],
    ["receipt", "image/webp", "receipt.webp"],
    ["Mr. Smith", "image/png", "Mr_ Smith.png"],
  ])("gives %s holding %s the extension of its type: %s", (name, type, cleaned) => {
    expect(cleanFilename(name, type)).toBe(cleaned);
  });

  it.each([
    ["scan.2026.03.pdf", "application/pdf"],
    ["IMG_0001.JPEG", "image/jpeg"],
    ["photo.jfif", "image/jpeg"],
    ["IMG_0002.heic", "image/heif"],
  ])("keeps %s, whose extension names its type", (name, type) => {
    expect(cleanFilename(name, type)).toBe(name);
  });

  it("cleans a cleaned name to itself, so stored names can be cleaned again on the way out", () => {
    for (const name of ["invoice\u202Efdp.exe", "photo.png.exe", `${"a.".repeat(300)}exe`]) {
      const once = cleanFilename(name, "image/png");
      expect(cleanFilename(once, "image/png")).toBe(once);
    }
  });

  it("shortens long names to the limit, keeping the extension", () => {
    const name = cleanFilename(`${"ä".repeat(400)}.jpeg`, "image/jpeg");
    expect([...name]).toHaveLength(MAX_FILENAME_LENGTH);
    expect(name.endsWith("ä.jpeg")).toBe(true);
  });
});

describe("attachmentDisposition", () => {
  it("always offers a download, with any name percent-encoded", () => {
    expect(attachmentDisposition("Quittung März (1).pdf")).toBe(
      "attachment; filename=\"Quittung Marz (1).pdf\"; filename*=UTF-8''Quittung%20M%C3%A4rz%20%281%29.pdf",
    );
    expect(attachmentDisposition('x";\r\nSet-Cookie: a=b')).toBe(
      "attachment; filename=\"x_;__Set-Cookie: a=b\"; filename*=UTF-8''x%22%3B%0D%0ASet-Cookie%3A%20a%3Db",
    );
  });

  it("gives clients that ignore filename* an ASCII name without quotes, backslashes or %", () => {
    expect(attachmentDisposition('€ 5% "a\\b".pdf')).toMatch(
      /^attachment; filename="_ 5_ _a_b_.pdf";/,
    );
  });
});
