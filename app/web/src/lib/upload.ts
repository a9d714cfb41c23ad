// Uploads that report their progress. fetch() cannot tell how much of a request body has been
// sent, so a large file (a household export can be hundreds of MB) goes by XMLHttpRequest, with
// the same CSRF header and problem+json handling as every other call.
import { ApiError, csrfToken, type ProblemItem } from "./api.ts";

export type { ProblemItem } from "./api.ts";

/** A failed upload: an ApiError that also keeps every problem in order, repeated paths too. */
export class UploadError extends ApiError {
  readonly problems: readonly ProblemItem[];

  constructor(status: number, problem: { detail?: string; title?: string; code?: string }) {
    super(status, problem);
    this.problems = problemItems(problem);
  }
}

function problemItems(problem: unknown): ProblemItem[] {
  if (typeof problem !== "object" || problem === null || !("errors" in problem)) return [];
  const { errors } = problem;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: unknown) =>
    typeof e === "object" &&
    e !== null &&
    "path" in e &&
    "message" in e &&
    typeof e.path === "string" &&
    typeof e.message === "string"
      ? [{ path: e.path, message: e.message }]
      : [],
  );
}

/** Where an upload is: sending the body (bytes so far of total), or waiting for the answer. */
export type UploadProgress =
  { phase: "sending"; sent: number; total: number } | { phase: "processing" };

/**
 * The parsed answer of a finished request: its JSON when it succeeded, else an UploadError from
 * its problem document (or from its status alone when the body is not JSON, as a proxy's is).
 */
export function answerOf(status: number, contentType: string, text: string): unknown {
  let json: unknown;
  if (contentType.includes("json") && text !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (status >= 200 && status < 300) return json;
  const problem = typeof json === "object" && json !== null ? json : {};
  throw new UploadError(status, problem);
}

/**
 * POSTs `form` to `path` (below /api/v1), calling `onProgress` as the body goes out and once
 * it is all sent, and answers the JSON of a 2xx or throws an UploadError.
 */
export async function postFormWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (progress: UploadProgress) => void,
): Promise<T> {
  const token = await csrfToken();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        onProgress({ phase: "sending", sent: event.loaded, total: event.total });
      }
    });
    xhr.upload.addEventListener("load", () => {
      onProgress({ phase: "processing" });
    });
    xhr.addEventListener("load", () => {
      try {
        resolve(
          answerOf(xhr.status, xhr.getResponseHeader("content-type") ?? "", xhr.responseText) as T,
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    xhr.addEventListener("error", () => {
      reject(new Error("the connection was lost before the server answered"));
    });
    xhr.addEventListener("abort", () => {
      reject(new Error("the upload was cancelled"));
    });
    xhr.send(form);
  });
}
