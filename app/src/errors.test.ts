import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, errors, fromZod, toProblem } from "./errors.ts";

describe("the error catalogue", () => {
  it("names each failing field of a validation error", () => {
    const schema = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), date: z.iso.date() });
    const parsed = schema.safeParse({ amount: "12,34", date: "2026-02-30" });
    if (parsed.success) throw new Error("the schema should have refused the input");
    const { problem } = toProblem(fromZod(parsed.error, "body"), "/api/v1/transactions");
    expect(problem).toMatchObject({
      status: 422,
      code: "validation_failed",
      instance: "/api/v1/transactions",
    });
    expect(problem.errors?.map((e) => e.path)).toEqual(["body.amount", "body.date"]);
  });

  it("turns unknown errors into a bare 500 that reveals nothing", () => {
    const { problem } = toProblem(new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2"));
    expect(problem).toEqual({
      type: "about:blank",
      title: "Internal server error",
      status: 500,
      code: "internal_error",
    });
  });

  it("answers 503 with Retry-After when PostgreSQL or Redis is away, revealing nothing", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
      code: "ECONNREFUSED",
    });
    const shutdown = Object.assign(new Error("terminating connection"), { code: "57P01" });
    const redisOffline = new Error(
      "Stream isn't writeable and enableOfflineQueue options is false",
    );
    // What a checked-out client's next query throws once PostgreSQL has ended its connection.
    const deadClient = new Error("Client has encountered a connection error and is not queryable");
    // A frozen Redis past commandTimeout, and PostgreSQL's own limits running out.
    const redisFrozen = new Error("Command timed out");
    const statementTimeout = Object.assign(
      new Error("canceling statement due to statement timeout"),
      {
        code: "57014",
      },
    );
    const idleTimeout = Object.assign(
      new Error("terminating connection due to idle-in-transaction timeout"),
      {
        code: "25P03",
      },
    );
    for (const error of [
      refused,
      shutdown,
      redisOffline,
      deadClient,
      redisFrozen,
      statementTimeout,
      idleTimeout,
    ]) {
      const { problem, headers } = toProblem(error);
      expect(problem).toMatchObject({ status: 503, code: "unavailable" });
      expect(problem.detail).toBeUndefined();
      expect(headers).toEqual({ "Retry-After": "5" });
    }
    const constraint = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(toProblem(constraint).problem.status).toBe(500);
  });

  it("answers 409 with the database's words when it refuses a row after an account closed", () => {
    const message = 'the account "Old savings" closed on 2026-01-31: nothing may be dated after it';
    const refused = Object.assign(new Error(message), {
      code: "23514",
      constraint: "transactions_within_open_account",
    });
    expect(toProblem(refused).problem).toMatchObject({ status: 409, detail: message });
    const otherCheck = Object.assign(new Error("x"), { code: "23514", constraint: "other" });
    expect(toProblem(otherCheck).problem.status).toBe(500);
  });

  it("maps body-parser failures to 400 and 413", () => {
    expect(
      toProblem(Object.assign(new SyntaxError("x"), { type: "entity.parse.failed" })).problem
        .status,
    ).toBe(400);
    expect(
      toProblem(Object.assign(new Error("x"), { type: "entity.too.large" })).problem.status,
    ).toBe(413);
  });

  it("carries headers such as Retry-After and never exposes server-side messages", () => {
    const { problem, headers } = toProblem(errors.tooManyRequests(30));
    expect(headers).toEqual({ "Retry-After": "30" });
    expect(problem.detail).toBe("try again in 30 s");
    expect(
      toProblem(new AppError(503, "unavailable", "database down at 10.0.0.5")).problem.detail,
    ).toBeUndefined();
  });
});
