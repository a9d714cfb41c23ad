import { describe, expect, it } from "vitest";
import { answerOf, UploadError } from "./upload.ts";

function refusal(run: () => unknown): UploadError {
  try {
    run();
  } catch (error) {
    if (error instanceof UploadError) return error;
    throw error;
  }
  throw new Error("expected an UploadError");
}

describe("answerOf", () => {
  it("answers the JSON of a success", () => {
    expect(answerOf(200, "application/json; charset=utf-8", '{"accounts":3}')).toEqual({
      accounts: 3,
    });
  });

  it("keeps every problem of a 422 in order, a repeated path too", () => {
    const problem = {
      status: 422,
      code: "validation_failed",
      detail: "3 field(s) are invalid",
      errors: [
        { path: "body.transactions[12].amount", message: "is not an amount" },
        { path: "body.transactions[12].amount", message: "has too many decimals" },
        { path: "body.accounts[0].currency", message: "is not a currency" },
      ],
    };
    const error = refusal(() => answerOf(422, "application/problem+json", JSON.stringify(problem)));
    expect(error.status).toBe(422);
    expect(error.message).toBe("3 field(s) are invalid");
    expect(error.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "body.transactions[12].amount: is not an amount",
      "body.transactions[12].amount: has too many decimals",
      "body.accounts[0].currency: is not a currency",
    ]);
  });

  it("carries the detail of a 409", () => {
    const error = refusal(() =>
      answerOf(
        409,
        "application/problem+json",
        '{"status":409,"code":"conflict","detail":"the instance is not empty (it has accounts)"}',
      ),
    );
    expect(error.code).toBe("conflict");
    expect(error.message).toBe("the instance is not empty (it has accounts)");
    expect(error.problems).toEqual([]);
  });

  it("fails by status when a proxy answers with HTML or garbled JSON", () => {
    expect(refusal(() => answerOf(502, "text/html", "<h1>Bad gateway</h1>")).message).toBe(
      "request failed (502)",
    );
    expect(refusal(() => answerOf(500, "application/json", "{oops")).status).toBe(500);
  });
});
