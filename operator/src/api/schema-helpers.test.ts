import { describe, expect, it } from "vitest";
import { isQuantity, objectName, patternedString, quantity } from "./schema-helpers.ts";

describe("isQuantity", () => {
  it("accepts what resource.ParseQuantity accepts and refuses units it does not know", () => {
    for (const text of ["10Gi", "500m", "2", "1.5", "1.5Gi", "300M", ".5", "1e3", "+1"]) {
      expect([text, isQuantity(text)]).toEqual([text, true]);
    }
    for (const text of ["10GB", "1.5GB", "lots", "ten gigs", "", "10 Gi", "1Gib", "Gi"]) {
      expect([text, isQuantity(text)]).toEqual([text, false]);
    }
  });
});

describe("quantity", () => {
  it("takes numbers and quantity strings, and refuses anything else in words", () => {
    expect(quantity.safeParse(2).success).toBe(true);
    expect(quantity.safeParse("500m").success).toBe(true);
    expect(quantity.safeParse("1.5GB").error?.issues[0]?.message).toMatch(
      /^must be a resource quantity such as 500m/,
    );
  });

  it("states the same rule and words for admission, with a maxLength that bounds its cost", () => {
    const refused = quantity.safeParse("lots").error?.issues[0]?.message;
    expect(quantity.meta()).toMatchObject({
      "x-kubernetes-validations": [
        { rule: "type(self) != string || isQuantity(self)", message: refused },
      ],
    });
  });
});

describe("patternedString", () => {
  const code = patternedString("^[A-Z]{3}$", "code must be 3 capitals, for example EUR", 16, {
    rule: "self == oldSelf",
    message: "code cannot change",
  });

  it("refuses a value that misses the pattern with its message, not the regex", () => {
    expect(code.safeParse("EUR").success).toBe(true);
    expect(code.safeParse("euro").error?.issues).toMatchObject([
      { message: "code must be 3 capitals, for example EUR" },
    ]);
  });

  it("gives admission a CEL rule with the same words, before the field's other rules", () => {
    expect(code.meta()).toEqual({
      "x-kubernetes-validations": [
        { rule: "self.matches('^[A-Z]{3}$')", message: "code must be 3 capitals, for example EUR" },
        { rule: "self == oldSelf", message: "code cannot change" },
      ],
    });
  });
});

describe("objectName", () => {
  it("names the field and gives an example when it refuses a name", () => {
    const secret = objectName("tls.secretName", "app-tls");
    expect(secret.safeParse("app-tls").success).toBe(true);
    expect(secret.safeParse("a".repeat(254)).success).toBe(false);
    expect(secret.safeParse("My_TLS").error?.issues[0]?.message).toBe(
      "tls.secretName must be a lower-case name of letters, digits, '-' and '.' that starts and ends with a letter or digit, for example app-tls",
    );
  });
});
