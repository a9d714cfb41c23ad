// The one way the UI talks to /api/v1: same-origin cookies, the CSRF header on unsafe requests,
// and problem+json turned into an ApiError whose field errors the forms show beside each field.

/** A role in the household. */
export type Role = "owner" | "member" | "viewer";

export interface Me {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  totpEnabled: boolean;
  createdAt: string;
}

export type AccountType = "checking" | "savings" | "credit_card" | "cash" | "loan" | "asset";

export interface Account {
  id: string;
  name: string;
  type: AccountType;
  currency: string;
  openingBalance: string;
  openingDate: string;
  archived: boolean;
  balance: string;
  /** Bumped by every edit; sent back as If-Match so an edit never overwrites a newer one. */
  version: string;
}

export interface Category {
  id: string;
  name: string;
  kind: "income" | "expense";
  parentId: string | null;
}

export type Status = "pending" | "cleared" | "reconciled";

export interface Split {
  amount: string;
  categoryId: string | null;
  memo: string;
}

export interface Transaction {
  id: string;
  accountId: string;
  date: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  categoryId: string | null;
  tags: string[];
  splits: Split[];
  transfer: { accountId: string; amount: string } | null;
  status: Status;
  /** Bumped by every change; sent back as If-Match so an edit never overwrites a newer one. */
  version: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface Attachment {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

/** Net worth at month ends, converted into the household's base currency. */
export interface NetWorth {
  interval: "month";
  currency: string;
  points: { date: string; assets: string; liabilities: string; net: string }[];
  /** Currencies that had no exchange rate at some month end (left out of the sums). */
  missingRates: MissingRate[];
}

/** A currency that had no exchange rate on some dates (its amounts are left out of sums). */
export interface MissingRate {
  currency: string;
  firstDate: string;
  lastDate: string;
}

/** One budgeted category in a month. */
export interface BudgetLine {
  categoryId: string;
  name: string;
  rollover: boolean;
  budgeted: string;
  /** Net money of the category and its subcategories; money out is negative. */
  spent: string;
  rolledOver: string;
  available: string;
}

/** Budget against actual for a month, in the base currency. */
export interface BudgetReport {
  month: string;
  from: string;
  to: string;
  currency: string;
  lines: BudgetLine[];
  totals: { budgeted: string; spent: string; available: string };
  missingRates: MissingRate[];
}

export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

export interface Token {
  id: string;
  name: string;
  scope: "read" | "write";
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface Member {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface Invitation {
  id: string;
  email: string | null;
  role: "member" | "viewer";
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

interface Problem {
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

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
  csrf ??= fetch(`${API}/auth/csrf`, { credentials: "same-origin" }).then(async (res) => {
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

/** Whether the user has just re-authenticated for a request that asked for it (once). */
async function reauthenticated(error: ApiError, options: RequestOptions): Promise<boolean> {
  if (error.code !== "reauthentication_required" || options.retried) return false;
  return onReauthenticate === undefined ? false : onReauthenticate();
}

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET" && !options.public) headers["X-CSRF-Token"] = await csrfToken();
  if (options.version !== undefined) headers["If-Match"] = `"${options.version}"`;
  const payload = bodyOf(body, options, headers);
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
  });
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
