import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { checkIfMatch, etagOf, parseIfMatch } from "./preconditions.ts";

const failure = (fn: () => void): AppError | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return undefined;
};

describe("parseIfMatch", () => {
  it("is absent without the header", () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it("reads *, one tag or a list, keeping weak tags weak", () => {
    expect(parseIfMatch(" * ")).toBe("*");
    expect(parseIfMatch('"3"')).toEqual(['"3"']);
    expect(parseIfMatch('"3", W/"4" ,"5"')).toEqual(['"3"', 'W/"4"', '"5"']);
  });

  it.each(["3", '"3', "", '"3" "4"'])("refuses %j with 400 naming the header", (header) => {
    const error = failure(() => parseIfMatch(header));
    expect(error?.status).toBe(400);
    expect(error?.errors?.[0]?.path).toBe("header.If-Match");
  });
});

describe("checkIfMatch", () => {
  it("lets an unconditional edit and * through", () => {
    expect(
      failure(() => {
        checkIfMatch(undefined, "7");
      }),
    ).toBeUndefined();
    expect(
      failure(() => {
        checkIfMatch("*", "7");
      }),
    ).toBeUndefined();
  });

  it("lets the current version through, among others", () => {
    expect(
      failure(() => {
        checkIfMatch(['"6"', etagOf("7")], "7");
      }),
    ).toBeUndefined();
  });

  it("refuses a stale version with 412 naming the current ETag", () => {
    const error = failure(() => {
      checkIfMatch(['"6"'], "7");
    });
    expect(error?.status).toBe(412);
    expect(error?.code).toBe("precondition_failed");
    expect(error?.headers).toEqual({ ETag: '"7"' });
    expect(error?.message).toContain('"7"');
  });

  it("never matches a weak tag, as strong comparison demands", () => {
    expect(
      failure(() => {
        checkIfMatch(['W/"7"'], "7");
      })?.status,
    ).toBe(412);
  });
});
