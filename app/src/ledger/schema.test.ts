import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CurrencySchema } from "./schema.ts";

describe("CurrencySchema", () => {
  it("accepts known codes and refuses the rest with one problem naming the input", () => {
    expect(CurrencySchema.safeParse("EUR").success).toBe(true);
    for (const text of ["", "eur", "EURO", "XYZ"]) {
      const issues = CurrencySchema.safeParse(text).error?.issues ?? [];
      expect(issues).toHaveLength(1);
      expect(issues[0]?.message).toContain(JSON.stringify(text));
    }
  });

  it("states the shape of a code as a pattern in the OpenAPI document", () => {
    const { pattern } = z.toJSONSchema(CurrencySchema, { io: "input" });
    expect(new RegExp(String(pattern)).test("EUR")).toBe(true);
    expect(new RegExp(String(pattern)).test("eur")).toBe(false);
  });
});
