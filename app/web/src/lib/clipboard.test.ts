import { describe, expect, it } from "vitest";
import { copyText } from "./clipboard.ts";

describe("copyText", () => {
  it("writes through the Clipboard API when there is one", async () => {
    const written: string[] = [];
    const fallback: string[] = [];
    const ok = await copyText("ft_secret", {
      clipboard: {
        writeText: (text) => {
          written.push(text);
          return Promise.resolve();
        },
      },
      execCopy: (text) => fallback.push(text) > 0,
    });
    expect(ok).toBe(true);
    expect(written).toEqual(["ft_secret"]);
    expect(fallback).toEqual([]);
  });

  it("falls back when the Clipboard API refuses or is missing", async () => {
    const fallback: string[] = [];
    const refused = await copyText("a", {
      clipboard: { writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError")) },
      execCopy: (text) => fallback.push(text) > 0,
    });
    const missing = await copyText("b", {
      clipboard: undefined,
      execCopy: (text) => fallback.push(text) > 0,
    });
    expect([refused, missing]).toEqual([true, true]);
    expect(fallback).toEqual(["a", "b"]);
  });

  it("answers false when neither way copies", async () => {
    expect(await copyText("c", { clipboard: undefined, execCopy: () => false })).toBe(false);
  });
});
