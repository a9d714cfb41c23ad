import { ApiException } from "@kubernetes/client-node";
import { reasons, type Reason } from "./conditions.ts";

/** The spec asks for something that cannot be built; retrying will not help until it changes. */
export class InvalidSpecError extends Error {
  override readonly name = "InvalidSpecError";
}

/** Something the tenant needs is not there yet (a CRD, a namespace); try again later. */
export class MissingPrerequisiteError extends Error {
  override readonly name: string = "MissingPrerequisiteError";
  readonly reason: Reason;
  constructor(message: string, reason: Reason = reasons.missingPrerequisite) {
    super(message);
    this.reason = reason;
  }
}

/**
 * The tenant's credentials Secret disagrees with its data (missing, or edited): nothing is applied
 * until a person puts it right, because anything built from it would lock the app out.
 */
export class CredentialsError extends MissingPrerequisiteError {
  override readonly name = "CredentialsError";
}

/** How the work queue treats a failed reconcile. */
export type ErrorClass =
  | { kind: "invalid-spec"; reason: Reason; message: string }
  | { kind: "missing-prerequisite"; reason: Reason; message: string; retryAfterMs: number }
  | { kind: "conflict" }
  | { kind: "transient"; reason: Reason; message: string };

function rootCause(error: unknown): unknown {
  let current = error;
  while (
    current instanceof Error &&
    current.cause !== undefined &&
    !(current instanceof ApiException)
  ) {
    current = current.cause;
  }
  return current;
}

/** The message the API server put in its Status, else the error's own message. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    if (typeof body === "string") {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === "string") return parsed.message;
      } catch {
        return body || `HTTP ${error.code}`;
      }
    }
    return `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Classifies a reconcile failure once, where it is handled: an invalid spec degrades the tenant
 * without hot retries; a missing prerequisite waits; a 409 conflict (someone wrote in between)
 * retries at once without an error; everything else backs off exponentially.
 */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof AggregateError) return classifyAll(error.errors);
  const cause = rootCause(error);
  const context = error instanceof Error && error !== cause ? `${error.message}: ` : "";
  if (cause instanceof InvalidSpecError) {
    return { kind: "invalid-spec", reason: reasons.invalidSpec, message: cause.message };
  }
  if (cause instanceof MissingPrerequisiteError) {
    return {
      kind: "missing-prerequisite",
      reason: cause.reason,
      message: cause.message,
      retryAfterMs: 30_000,
    };
  }
  if (cause instanceof ApiException) {
    if (cause.code === 409) return { kind: "conflict" };
    // The tenant's namespace is being deleted, and the tenant with it: nothing to retry hot,
    // nothing to fix; the namespace controller deletes the FinanceTracker in its sweep.
    if (cause.code === 403 && apiMessage(cause).includes("because it is being terminated")) {
      return {
        kind: "missing-prerequisite",
        reason: reasons.namespaceTerminating,
        message: "the namespace is being deleted, and this tenant with it",
        retryAfterMs: 30_000,
      };
    }
    // The API server refused an object built from the spec: the spec holds something invalid
    // that admission of the FinanceTracker itself could not see (e.g. a bad annotation key).
    if (cause.code === 422 || cause.code === 400) {
      return {
        kind: "invalid-spec",
        reason: reasons.invalidSpec,
        message: context + apiMessage(cause),
      };
    }
  }
  return {
    kind: "transient",
    reason: reasons.reconcileError,
    message: context + apiMessage(cause),
  };
}

/**
 * Several independent failures as one: retried with backoff if any may pass on a retry,
 * otherwise an invalid spec; the message names every one.
 */
function classifyAll(errors: readonly unknown[]): ErrorClass {
  const classes = errors.map(classifyError);
  const described = classes.filter((c) => c.kind !== "conflict");
  if (described.length < classes.length) return { kind: "conflict" };
  const message = described.map((c) => c.message).join("; ");
  const transient = described.find((c) => c.kind === "transient");
  if (transient) return { kind: "transient", reason: transient.reason, message };
  const first = described[0];
  if (!first) return { kind: "transient", reason: reasons.reconcileError, message: "unknown" };
  return { ...first, message };
}
