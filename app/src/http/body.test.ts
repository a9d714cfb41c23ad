import { z } from "zod";
import { describe, expect, it } from "vitest";
import { ANONYMOUS_BODY_LIMIT, bodyPolicy, bytesOf, JSON_BODY_LIMIT } from "./body.ts";

describe("bytesOf", () => {
  it("reads limits as body-parser does, 1024-based", () => {
    expect(bytesOf("16kb")).toBe(16 * 1024);
    expect(bytesOf("10mb")).toBe(10 * 1024 * 1024);
    expect(bytesOf("512b")).toBe(512);
  });

  it("refuses what is not a size", () => {
    expect(() => bytesOf("10 megabytes")).toThrow("not a size limit");
  });
});

describe("bodyPolicy", () => {
  const body = z.object({ name: z.string() });

  it("gives routes open to anonymous clients the small limit", () => {
    expect(bodyPolicy({ access: "public", body })).toEqual({
      parse: "json",
      limit: ANONYMOUS_BODY_LIMIT,
      types: ["application/json"],
    });
  });

  it("gives signed-in routes the JSON limit, and raw uploads their own", () => {
    expect(bodyPolicy({ access: "write", body })?.limit).toBe(JSON_BODY_LIMIT);
    const rawBody = { contentTypes: ["image/png"], limit: "10mb" };
    expect(bodyPolicy({ access: "write", rawBody })).toEqual({
      parse: "raw",
      limit: "10mb",
      types: ["image/png"],
    });
  });

  it("reads nothing for a route that declares no body", () => {
    expect(bodyPolicy({ access: "read" })).toBeUndefined();
  });
});
