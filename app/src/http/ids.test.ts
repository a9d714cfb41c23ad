import { describe, expect, it } from "vitest";
import { z } from "zod";
import { IdSchema, parseId } from "./ids.ts";

describe("IdSchema", () => {
  it("accepts positive bigints written canonically and refuses the rest with one problem", () => {
    expect(IdSchema.safeParse("9223372036854775807").success).toBe(true);
    for (const text of ["", "0", "01", "-1", "1.0", "9223372036854775808", "x"]) {
      expect(IdSchema.safeParse(text).error?.issues).toHaveLength(1);
    }
  });

  it("states the shape of an id as a pattern in the OpenAPI document", () => {
    const { pattern } = z.toJSONSchema(IdSchema, { io: "input" });
    const shape = new RegExp(String(pattern));
    for (const text of ["", "0", "01", "-1", "12345678901234567890"]) {
      expect(shape.test(text)).toBe(false);
      expect(parseId(text)).toBeUndefined();
    }
    expect(shape.test("42")).toBe(true);
  });
});
