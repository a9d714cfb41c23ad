import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";

describe("list cursors", () => {
  it("round-trips the last row's date and id through a URL-safe token", () => {
    const token = encodeCursor({ date: "2026-03-01", id: "9007199254740993" });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual({ date: "2026-03-01", id: "9007199254740993" });
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["JSON of another shape", Buffer.from('{"date":"2026-03-01"}').toString("base64url")],
    ["an impossible date", Buffer.from('["2026-02-30","1"]').toString("base64url")],
    ["a non-id", Buffer.from('["2026-02-01","0"]').toString("base64url")],
    ["a numeric id", Buffer.from('["2026-02-01",1]').toString("base64url")],
  ])("rejects %s", (_, token) => {
    expect(decodeCursor(token)).toBeUndefined();
  });
});
