import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { statusCode, statusMessage } from "./api-errors.ts";

describe("API error helpers", () => {
  const forbidden = new ApiException(
    403,
    "forbidden",
    JSON.stringify({
      kind: "Status",
      message: 'pods "p" is forbidden: violates PodSecurity',
      code: 403,
    }),
    {},
  );

  it("reads the status code and the Status message the API server sent", () => {
    expect(statusCode(forbidden)).toBe(403);
    expect(statusMessage(forbidden)).toBe('pods "p" is forbidden: violates PodSecurity');
  });

  it("falls back to the raw body or the error text", () => {
    expect(statusMessage(new ApiException(502, "bad gateway", "<html>proxy</html>", {}))).toBe(
      "<html>proxy</html>",
    );
    expect(statusCode(new Error("socket hang up"))).toBeUndefined();
    expect(statusMessage(new Error("socket hang up"))).toBe("socket hang up");
  });
});
