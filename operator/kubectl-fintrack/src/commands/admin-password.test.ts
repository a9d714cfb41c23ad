import { describe, expect, it } from "vitest";
import { secretValue } from "./admin-password.ts";

describe("secretValue", () => {
  it("decodes a key of the Secret, and says undefined for a missing one", () => {
    const secret = { data: { "admin-password": Buffer.from("s3cr-t_pw").toString("base64") } };

    expect(secretValue(secret, "admin-password")).toBe("s3cr-t_pw");
    expect(secretValue(secret, "admin-email")).toBeUndefined();
    expect(secretValue({}, "admin-password")).toBeUndefined();
  });
});
