import { ApiException } from "@kubernetes/client-node";

/** The HTTP status of a failed API call, or undefined when the failure was not an API answer. */
export function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * The `message` of the Status object the API server sent with a failure, the text a user sees
 * from kubectl. client-node hands the body over as the raw JSON text.
 */
export function statusMessage(error: unknown): string {
  if (!(error instanceof ApiException)) return String(error);
  const body: unknown = error.body;
  const parsed: unknown = typeof body === "string" ? safeParse(body) : body;
  if (
    parsed &&
    typeof parsed === "object" &&
    "message" in parsed &&
    typeof parsed.message === "string"
  ) {
    return parsed.message;
  }
  return typeof body === "string" ? body : JSON.stringify(body);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
