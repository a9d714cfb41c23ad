import { describe, expect, it } from "vitest";
import {
  attachmentDisposition,
  cleanFilename,
  filenameFromDisposition,
  MAX_FILENAME_LENGTH,
} from "./filename.ts";

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
    expect(cleanFilename("../../etc/pass\u0000wd", "image/png")).toBe("passwd");
    expect(cleanFilename("C:\\Users\\me\\scan\r\n.pdf", "application/pdf")).toBe("scan.pdf");
  });

  it("names nameless files after their type", () => {
    expect(cleanFilename(undefined, "image/heic")).toBe("receipt.heic");
    expect(cleanFilename("  ", "application/pdf")).toBe("receipt.pdf");
    expect(cleanFilename("..", "image/jpeg")).toBe("receipt.jpg");
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
      "attachment; filename*=UTF-8''Quittung%20M%C3%A4rz%20%281%29.pdf",
    );
    expect(attachmentDisposition('x";\r\nSet-Cookie: a=b')).toBe(
      "attachment; filename*=UTF-8''x%22%3B%0D%0ASet-Cookie%3A%20a%3Db",
    );
  });
});
