import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import type { z } from "zod";

/** One field that failed validation, as a JSON path into the request and what is wrong. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An RFC 9457 problem document, as every error response of the API is shaped. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: FieldProblem[];
}

/**
 * An error the API may answer with: a stable `code` clients can rely on, an HTTP status, and
 * whether its message may be shown (`expose`). Anything else becomes a bare 500.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      errors?: FieldProblem[];
      headers?: Record<string, string>;
      cause?: unknown;
      /** Shows the message of a 5xx too: only for messages written to be shown. */
      expose?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

const titles: Record<number, string> = {
  400: "Bad request",
  401: "Authentication required",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  412: "Precondition failed",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Validation failed",
  429: "Too many requests",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
};

/**
 * The challenge every 401 carries (RFC 9110 section 11.6.1): a personal access token as a Bearer
 * token; browsers sign in with the session cookie instead, which no standard scheme names.
 */
export const AUTH_CHALLENGE = 'Bearer realm="fintrack"';
const challenge = { "WWW-Authenticate": AUTH_CHALLENGE };

/** The error catalogue: every error the API answers with is made here. */
export const errors = {
  badRequest: (detail: string) => new AppError(400, "bad_request", detail),
  /** A malformed header or other non-body input, each problem named (`header.Idempotency-Key`). */
  badRequestAt: (detail: string, problems: FieldProblem[]) =>
    new AppError(400, "bad_request", detail, { errors: problems }),
  validation: (problems: FieldProblem[]) =>
    new AppError(422, "validation_failed", `${problems.length} field(s) are invalid`, {
      errors: problems,
    }),
  unauthenticated: () =>
    new AppError(401, "unauthenticated", "sign in first", { headers: challenge }),
  forbidden: (detail = "you may not do this") => new AppError(403, "forbidden", detail),
  notFound: (what: string) => new AppError(404, "not_found", `${what} does not exist`),
  conflict: (detail: string) => new AppError(409, "conflict", detail),
  /** A conflict of some items of a request (locked rows of a bulk action), each named. */
  conflictAt: (detail: string, problems: FieldProblem[]) =>
    new AppError(409, "conflict", detail, { errors: problems }),
  payloadTooLarge: (limit: string) =>
    new AppError(413, "payload_too_large", `the body exceeds ${limit}`),
  tooManyRequests: (retryAfterSeconds: number) =>
    new AppError(429, "too_many_requests", `try again in ${retryAfterSeconds} s`, {
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  unavailable: (detail: string) => new AppError(503, "unavailable", detail),
  /** A source the app reads from on the user's behalf (a rates feed) failed; says how. */
  upstreamFailed: (detail: string, cause?: unknown) =>
    new AppError(502, "upstream_failed", detail, { expose: true, cause }),
  unsupportedMediaType: (detail: string) => new AppError(415, "unsupported_media_type", detail),
  /** The method is not one the path declares; `allow` lists those it does. */
  methodNotAllowed: (allow: readonly string[]) =>
    new AppError(405, "method_not_allowed", `this path answers ${allow.join(", ")}`, {
      headers: { Allow: allow.join(", ") },
    }),
  /** An edit made with If-Match on a resource changed since: `etag` is its current one. */
  preconditionFailed: (etag: string) =>
    new AppError(
      412,
      "precondition_failed",
      `it was changed elsewhere since you read it (its ETag is now ${etag}): reload and try again`,
      {
        errors: [{ path: "header.If-Match", message: `does not match the current ETag ${etag}` }],
        headers: { ETag: etag },
      },
    ),
  /** Idempotency-Key sent again with another request (draft-ietf-httpapi-idempotency-key-header). */
  idempotencyKeyReused: (path: string) =>
    new AppError(
      422,
      "idempotency_key_reused",
      "this Idempotency-Key was used with another request: send a new key for a new request",
      { errors: [{ path, message: "was used with another method, path or body" }] },
    ),
  /** The first request with this Idempotency-Key is still being processed. */
  idempotencyKeyInProgress: () =>
    new AppError(
      409,
      "idempotency_key_in_progress",
      "a request with this Idempotency-Key is being processed: retry shortly to get its answer",
      { headers: { "Retry-After": "1" } },
    ),
  /** The write of this Idempotency-Key committed, but its answer could not be recorded. */
  idempotencyAnswerLost: (cause?: unknown) =>
    new AppError(
      409,
      "idempotency_answer_unavailable",
      "the request with this Idempotency-Key was applied, but its answer was not recorded; " +
        "it will not be applied again: read the resource to see the result",
      { cause },
    ),
  /** A sum the database keeps (a balance, a report total) would leave the range it can hold. */
  outOfRange: (what: string) =>
    new AppError(422, "out_of_range", `${what} would exceed the largest amount fintrack stores`),
  /** Account security needs a recent sign-in: the UI asks for the password and retries. */
  reauthenticationRequired: () =>
    new AppError(
      403,
      "reauthentication_required",
      "confirm your password with POST /api/v1/me/reauthenticate, then try again",
    ),
  csrfFailed: () =>
    new AppError(403, "csrf_failed", "send the token from GET /api/v1/auth/csrf as X-CSRF-Token"),
  invalidCredentials: (detail = "the email or password is wrong") =>
    new AppError(401, "invalid_credentials", detail, { headers: challenge }),
  totpRequired: () =>
    new AppError(401, "totp_required", "enter the code from your authenticator app", {
      headers: challenge,
    }),
};

/** A zod failure as a 422 naming each failing field (`body.amount`, `query.limit`, ...). */
export function fromZod(error: z.ZodError, source: "body" | "query" | "params"): AppError {
  return errors.validation(
    error.issues.map((issue) => ({
      path: [source, ...issue.path.map(String)].join("."),
      message: issue.message,
    })),
  );
}

/** What body-parser throws on a body it cannot read, by its `type`. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (typeof error !== "object" || error === null || !("type" in error)) return undefined;
  switch (error.type) {
    case "entity.parse.failed":
      return errors.badRequest("the body is not valid JSON");
    case "entity.too.large":
      return errors.payloadTooLarge("the size limit");
    case "charset.unsupported":
      return errors.unsupportedMediaType("the body's charset is not supported: send UTF-8");
    case "encoding.unsupported":
      return errors.unsupportedMediaType(
        "the body's Content-Encoding is not supported: send it as is, or gzip, deflate or br",
      );
    default:
      return undefined;
  }
}

// What each trigger function (or table) of the migrations sums, by a pattern of its name, so an
// overflow names the sum in the user's words. PostgreSQL only says "bigint out of range".
const sums: readonly [RegExp, string][] = [
  [/ledger_totals_|transactions_total|opening_balance/, "the account's balance"],
  [/report_|category_(days|weeks)/, "a category's income or spending total for the reports"],
];

/**
 * A sum leaving bigint (SQLSTATE 22003) is the request's doing: amounts are bounded one by one,
 * not their totals (a large import into one account). The statement failed, so its transaction
 * rolled back and nothing was written.
 */
function fromOutOfRange(error: unknown): AppError | undefined {
  if (!(error instanceof Error) || !("code" in error) || error.code !== "22003") return undefined;
  const where = "where" in error && typeof error.where === "string" ? error.where : "";
  const what = sums.find(([pattern]) => pattern.test(where))?.[1] ?? "a total";
  return errors.outOfRange(what);
}

/**
 * The database's own refusal of a transaction dated after its account closed (migration 0018):
 * every write path checks first and names its field, so this only answers a path that did not,
 * or a close that won a race with it. Its message is the migration's own words, not user input.
 */
function fromClosedAccount(error: unknown): AppError | undefined {
  if (!(error instanceof Error) || !("code" in error) || error.code !== "23514") return undefined;
  if (!("constraint" in error) || error.constraint !== "transactions_within_open_account") {
    return undefined;
  }
  return errors.conflict(error.message);
}

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, starting
// up), 57014 and 25P03 (statement_timeout and idle_in_transaction_session_timeout ran out: a
// database too busy or stuck to answer in time), and the socket errors of a dependency away.
const unavailableCodes =
  /^(08...|57P0[1-4]|57014|25P03|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/;
// pg's own words: a connection that died (or was closed) under a checked-out client makes its
// next query fail with "... is not queryable", which is the database being away, not a bug.
// ioredis's "Command timed out" is a Redis frozen past commandTimeout.
const unavailableMessages =
  /Connection terminated|is not queryable|timeout exceeded when trying to connect|enableOfflineQueue|Reached the max retries per request|Connection is closed|^Command timed out$/;

/**
 * A dependency (PostgreSQL, Redis) being away is not a bug: it answers 503 with Retry-After, so
 * clients retry and nothing is acknowledged that was not stored.
 */
function fromUnavailableDependency(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = "code" in error ? String(error.code) : "";
  if (!unavailableCodes.test(code) && !unavailableMessages.test(error.message)) return undefined;
  return new AppError(503, "unavailable", "a backing service is unavailable; try again shortly", {
    headers: { "Retry-After": "5" },
    cause: error,
  });
}

/** The AppError a thrown value stands for, or undefined when it is a bug (a 500). */
function knownError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  return (
    fromBodyParser(error) ??
    fromOutOfRange(error) ??
    fromClosedAccount(error) ??
    fromUnavailableDependency(error)
  );
}

/** Shapes any thrown value as a problem document; unknown errors reveal nothing. */
export function toProblem(
  error: unknown,
  instance?: string,
): { problem: ProblemDetails; headers: Record<string, string> } {
  const known = knownError(error);
  const status = known?.status ?? 500;
  const problem: ProblemDetails = {
    type: "about:blank",
    title: titles[status] ?? "Error",
    status,
    code: known?.code ?? "internal_error",
    ...(known?.expose ? { detail: known.message } : {}),
    ...(instance ? { instance } : {}),
    ...(known?.errors ? { errors: known.errors } : {}),
  };
  return { problem, headers: known?.headers ?? {} };
}

/** The one error middleware: logs server errors with the request id, answers problem+json. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { problem, headers } = toProblem(error, req.originalUrl.split("?")[0]);
    const requestId = res.getHeader("x-request-id");
    if (problem.status === 503)
      log.warn({ err: error, requestId }, "request failed: a dependency is unavailable");
    else if (problem.status >= 500) log.error({ err: error, requestId }, "request failed");
    res
      .status(problem.status)
      .set(headers)
      .type("application/problem+json")
      .send(JSON.stringify(problem));
  };
}
