import { ApiException } from "@kubernetes/client-node";
import { apiMessage } from "../../src/errors.ts";

/** The HTTP status of a failed API call, or undefined when the failure was not an API answer. */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * The `message` of the Status object the API server sent with a failure, the text a user sees
 * from kubectl: the operator's own reading of API errors, so tests see what it reports.
 */
export function statusMessage(error: unknown): string {
  return apiMessage(error);
}
