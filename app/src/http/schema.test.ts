import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseAmount } from "../domain/money.ts";
import { AmountTextSchema, CurrencySchema } from "./schema.ts";

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

describe("AmountTextSchema", () => {
  it("states in the OpenAPI document exactly the shape parseAmount accepts", () => {
    const { pattern } = z.toJSONSchema(AmountTextSchema, { io: "input" });
    const shape = new RegExp(String(pattern));
    for (const text of ["12.34", "-0.5", "+7", "1000000"]) {
      expect(shape.test(text)).toBe(true);
      expect(() => parseAmount(text, "EUR")).not.toThrow();
    }
    for (const text of ["", "1,00", "1.", ".5", "1e3", " 1", "١٢"]) {
      expect(shape.test(text)).toBe(false);
      expect(() => parseAmount(text, "EUR")).toThrow();
    }
  });
});
