import type { NextFunction, Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { concreteFirst, refuseOtherMethods } from "./methods.ts";

const routes = [
  { method: "get", path: "/transactions/:id" },
  { method: "delete", path: "/transactions/:id" },
  { method: "get", path: "/transactions/summary" },
  { method: "post", path: "/imports/:id/commit" },
  { method: "post", path: "/imports/full" },
];

/** What the middleware passes on for `method path`: undefined to go on, or the error. */
function refusal(method: string, path: string): unknown {
  let passed: unknown = "not called";
  const next: NextFunction = (error?: unknown) => {
    passed = error;
  };
  refuseOtherMethods(routes)({ method, path } as Request, {} as Response, next);
  return passed;
}

describe("concreteFirst", () => {
  it("mounts a literal segment before a parameter in the same place, keeping the rest in order", () => {
    expect(concreteFirst(routes).map((r) => `${r.method} ${r.path}`)).toEqual([
      "get /transactions/summary",
      "post /imports/full",
      "get /transactions/:id",
      "delete /transactions/:id",
      "post /imports/:id/commit",
    ]);
  });
});

describe("refuseOtherMethods", () => {
  it("lets a declared method through, on the most concrete path, with or without a slash", () => {
    expect(refusal("GET", "/transactions/summary")).toBeUndefined();
    expect(refusal("HEAD", "/transactions/summary/")).toBeUndefined();
    expect(refusal("DELETE", "/transactions/42")).toBeUndefined();
  });

  it("refuses another method with the concrete path's Allow, not its templated neighbour's", () => {
    const error = refusal("DELETE", "/transactions/summary");
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(405);
    expect((error as AppError).headers).toEqual({ Allow: "GET, HEAD" });
  });

  it("leaves paths no route declares to the 404", () => {
    expect(refusal("GET", "/imports/full/extra")).toBeUndefined();
    expect(refusal("PUT", "/nothing")).toBeUndefined();
  });
});
