import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { classifyError, InvalidSpecError, MissingPrerequisiteError } from "./errors.ts";

const api = (code: number, message: string) =>
  new ApiException(code, "failed", JSON.stringify({ kind: "Status", message, code }), {});

describe("classifyError", () => {
  it.each([
    ["a 409 conflict", api(409, "the object has been modified"), "conflict"],
    ["an invalid spec", new InvalidSpecError("spec.app.image is empty"), "invalid-spec"],
    [
      "an object the API server refused",
      api(422, 'Ingress "x" is invalid: metadata.annotations'),
      "invalid-spec",
    ],
    [
      "a missing CRD",
      new MissingPrerequisiteError("ServiceMonitor CRD missing"),
      "missing-prerequisite",
    ],
    ["a server error", api(500, "etcdserver: request timed out"), "transient"],
    ["a network failure", new Error("socket hang up"), "transient"],
  ])("classifies %s", (_what, error, kind) => {
    expect(classifyError(error).kind).toBe(kind);
  });

  it("waits, without hot retries, while the tenant's namespace is being deleted", () => {
    const refused = new Error("while applying Secret acme-credentials", {
      cause: api(
        403,
        'secrets "acme-credentials" is forbidden: unable to create new content in namespace acme because it is being terminated',
      ),
    });
    expect(classifyError(refused)).toEqual({
      kind: "missing-prerequisite",
      reason: "NamespaceTerminating",
      message: "the namespace is being deleted, and this tenant with it",
      retryAfterMs: 30_000,
    });
  });

  it("looks through wrapping errors and keeps their context in the message", () => {
    const wrapped = new Error("while applying Ingress acme-app", {
      cause: api(422, "metadata.annotations: Invalid value"),
    });
    expect(classifyError(wrapped)).toMatchObject({
      kind: "invalid-spec",
      reason: "InvalidSpec",
      message: "while applying Ingress acme-app: metadata.annotations: Invalid value",
    });
  });

  it("names every refused child, and retries when any refusal may pass on a retry", () => {
    const refused = (kind: string, cause: unknown) =>
      new Error(`while applying ${kind} acme-app`, { cause });
    const invalid = classifyError(
      new AggregateError([
        refused("Ingress", api(422, "metadata.annotations: Invalid value")),
        refused("HorizontalPodAutoscaler", api(422, "spec.metrics: Required value")),
      ]),
    );
    expect(invalid).toMatchObject({ kind: "invalid-spec", reason: "InvalidSpec" });
    expect(invalid.kind !== "conflict" && invalid.message).toBe(
      "while applying Ingress acme-app: metadata.annotations: Invalid value; while applying HorizontalPodAutoscaler acme-app: spec.metrics: Required value",
    );
    const mixed = classifyError(
      new AggregateError([
        refused("Ingress", api(422, "metadata.annotations: Invalid value")),
        refused("Deployment", api(500, "etcdserver: request timed out")),
      ]),
    );
    expect(mixed.kind).toBe("transient");
  });
});
