// The one way the UI talks to /api/v1: same-origin cookies, the CSRF header on unsafe requests,
// and problem+json turned into an ApiError whose field errors the forms show beside each field.

import type { components, operations } from "./api-types.ts";
import { backOnline, OfflineError, reportUnreachable } from "./connection.ts";

// The API's shapes come from api-types.ts, generated from the server's OpenAPI document (whose
// source is each route's zod schemas): none is written by hand here, so the UI cannot drift
// from what the server answers. Regenerate with `npm run generate:api-types`.

type JsonOf<Answer> = Answer extends { content: { "application/json": infer Body } } ? Body : never;

/** The JSON body an operation answers with `status` (its success status by default). */
export type Answer<
  Op extends keyof operations,
  Status extends number = 200,
> = Status extends keyof operations[Op]["responses"]
  ? JsonOf<operations[Op]["responses"][Status]>
  : never;

/** The JSON body an operation takes. */
export type RequestBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { "application/json": infer Body } };
}
  ? Body
  : never;

/** The items of a list answer: a bare array, or an object whose `data` is one. */
type Item<List> = List extends (infer T)[] ? T : List extends { data: (infer T)[] } ? T : never;

export type Me = Answer<"getMe">;
/** A role in the household. */
export type Role = Me["role"];
export type Account = Answer<"getAccount">;
export type AccountType = Account["type"];
export type Category = Answer<"getCategory">;
export type Transaction = Answer<"getTransaction">;
export type Status = Transaction["status"];
export type Split = Transaction["splits"][number];
export type Attachment = Item<Answer<"listAttachments">>;
/** The count and totals per currency of the transactions a filter selects. */
export type TransactionSummary = Answer<"summarizeTransactions">;
/** A named search of the register, the household's. */
export type SavedFilter = Item<Answer<"listSavedFilters">>;
/** A payee GET /payees suggests, with the category it was last booked to. */
export type PayeeSuggestion = Item<Answer<"listPayees">>;
/** What a saved filter selects: the list's filters, `q` in the search language. */
export type TransactionFilter = SavedFilter["filter"];
/** Net worth at month ends, converted into the household's base currency. */
export type NetWorth = Answer<"netWorthReport">;
/** A currency that had no exchange rate on some dates (its amounts are left out of sums). */
export type MissingRate = NetWorth["missingRates"][number];
/** Budget against actual for a month, in the base currency. */
export type BudgetReport = Answer<"budgetReport">;
/** One budgeted category in a month. */
export type BudgetLine = BudgetReport["lines"][number];
export type Session = Item<Answer<"listMySessions">>;
export type Token = Item<Answer<"listTokens">>;
export type Member = Item<Answer<"listUsers">>;
export type Invitation = Item<Answer<"listInvitations">>;

/** A page of a list, and where the next one starts. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** An RFC 9457 problem as the API documents it; every field optional, as a proxy may answer too. */
export type Problem = Partial<components["schemas"]["Problem"]>;

/** One problem of a refused request: where (a path such as body.transactions[12].amount), what. */
export type ProblemItem = NonNullable<Problem["errors"]>[number];

// What a 412 (an edit made with If-Match of a version someone else has since changed) tells the
// user: nothing was saved, and reloading shows the other change before making this one again.
const changedElsewhere =
  "This was changed elsewhere since you opened it, so your change was not saved. Reload to see the current version, then make your change again.";

/** A failed API call: the problem's code and message, and its messages per field path. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  /** "body.amount" -> "must be a decimal amount" */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, problem: Problem) {
    const fields: Record<string, string> = {};
    for (const e of problem.errors ?? []) fields[e.path] ??= e.message;
    super(
      status === 412
        ? changedElsewhere
        : (problem.detail ?? problem.title ?? `request failed (${String(status)})`),
    );
    this.status = status;
    this.code = problem.code ?? "error";
    this.fields = fields;
  }

  /** The message for `body.<field>` (or a path below it), if the API named that field. */
  field(name: string): string | undefined {
    const path = `body.${name}`;
    const exact = this.fields[path];
    if (exact !== undefined) return exact;
    const nested = Object.keys(this.fields).find((p) => p.startsWith(`${path}.`));
    return nested === undefined ? undefined : this.fields[nested];
  }
}

const API = "/api/v1";
let csrf: Promise<string> | undefined;
let onUnauthorized: (() => void) | undefined;
let onReauthenticate: (() => Promise<boolean>) | undefined;

/** Called when a request answers 401 outside the sign-in forms: the session has ended. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * Called when account security answers 403 `reauthentication_required`: asks for the password,
 * resolving true once the session is fresh (the request is then sent again) or false on cancel.
 */
export function setReauthenticateHandler(handler: (() => Promise<boolean>) | undefined): void {
  onReauthenticate = handler;
}

/** Forgets the CSRF token: a new session (sign-in, sign-out) has a new one. */
export function resetCsrf(): void {
  csrf = undefined;
}

/** The session's CSRF token, fetched once per session (uploads with progress send it too). */
export async function csrfToken(): Promise<string> {
  csrf ??= reach(`${API}/auth/csrf`, { credentials: "same-origin" }, "POST").then(async (res) => {
    if (!res.ok) throw new ApiError(res.status, (await res.json()) as Problem);
    return ((await res.json()) as { token: string }).token;
  });
  try {
    return await csrf;
  } catch (error) {
    csrf = undefined;
    throw error;
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface RequestOptions {
  /** A raw body (an upload) instead of JSON. */
  raw?: Blob;
  /** A multipart form (the browser sets its boundary). */
  form?: FormData;
  /** No CSRF token: sign-in and sign-up have no session yet. */
  public?: boolean;
  /** Already sent again after a re-authentication: do not ask twice. */
  retried?: boolean;
  /** The version the edit is based on: sent as If-Match, so a stale edit answers 412. */
  version?: string;
}

// The request body: a multipart form, a raw upload or JSON (setting its content type).
function bodyOf(
  body: unknown,
  options: RequestOptions,
  headers: Record<string, string>,
): BodyInit | undefined {
  if (options.form) return options.form;
  if (options.raw) {
    headers["Content-Type"] = options.raw.type || "application/octet-stream";
    return options.raw;
  }
  if (body === undefined) return undefined;
  headers["Content-Type"] = "application/json";
  return JSON.stringify(body);
}

// How long a change waits for a lost connection to come back before it gives up.
const WRITE_WAITS_FOR_CONNECTION_MS = 30_000;

/** A fresh Idempotency-Key (an RFC 8941 sf-string); getRandomValues works without HTTPS too. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `"${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * fetch(), with a failure to reach the server (no answer at all) turned into an OfflineError that
 * says so in words, instead of the browser's "Failed to fetch". The connection is then watched
 * until the server answers again.
 */
async function reach(url: string, init: RequestInit, method: Method): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    reportUnreachable();
    throw new OfflineError(
      method === "GET"
        ? "You are offline, so this could not load. It loads again once the connection is back."
        : "You are offline, so this change may not have been saved. Check it once the connection is back, then try again if it is missing.",
    );
  }
}

/**
 * Runs a step of a change (fetching the CSRF token, sending it); when the server cannot be
 * reached, waits up to half a minute for it and runs the step once more. Sending again is safe:
 * the change carries the same Idempotency-Key, so the server replays the first answer if the
 * change was made, and never applies it twice.
 */
async function whenReachable<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof OfflineError)) throw error;
    if (!(await backOnline(WRITE_WAITS_FOR_CONNECTION_MS))) throw error;
    return step();
  }
}

/** Whether the user has just re-authenticated for a request that asked for it (once). */
async function reauthenticated(error: ApiError, options: RequestOptions): Promise<boolean> {
  if (error.code !== "reauthentication_required" || options.retried) return false;
  return onReauthenticate === undefined ? false : onReauthenticate();
}

/** The headers of a request: CSRF token, If-Match and, for a change, a fresh Idempotency-Key. */
async function headersFor(
  method: Method,
  options: RequestOptions,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET" && !options.public) {
    headers["X-CSRF-Token"] = await whenReachable(csrfToken);
  }
  if (options.version !== undefined) headers["If-Match"] = `"${options.version}"`;
  // Every change carries a key, so sending it again after a lost answer can never apply it twice.
  if (method !== "GET") headers["Idempotency-Key"] = idempotencyKey();
  return headers;
}

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers = await headersFor(method, options);
  const payload = bodyOf(body, options, headers);
  const init: RequestInit = { method, headers, body: payload, credentials: "same-origin" };
  const url = `${API}${path}`;
  const res = await (method === "GET"
    ? reach(url, init, method)
    : whenReachable(() => reach(url, init, method)));
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  const json = type.includes("json") ? ((await res.json()) as Problem | undefined) : undefined;
  if (!res.ok) {
    const error = new ApiError(res.status, json ?? {});
    if (res.status === 401 && !options.public) onUnauthorized?.();
    if (await reauthenticated(error, options))
      return request<T>(method, path, body, { ...options, retried: true });
    throw error;
  }
  return json as T;
}

/** The API, one method per verb; paths are below /api/v1. */
export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>("POST", path, body ?? {}, options),
  put: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>("PUT", path, body, options),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>("PATCH", path, body, options),
  del: (path: string, body?: unknown, options?: RequestOptions) =>
    request<undefined>("DELETE", path, body, options),
  upload: <T>(path: string, file: Blob) => request<T>("POST", path, undefined, { raw: file }),
  form: <T>(path: string, form: FormData) => request<T>("POST", path, undefined, { form }),
};

/** The message to show for any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds a query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
