import { randomBytes } from "node:crypto";

/** An answer of the API: status, headers and the body parsed (JSON and problem+json). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON (problems too), the text of other types, undefined when empty. */
  body: T;
  /** The raw bytes, for downloads. */
  bytes: Buffer;
}

/** Per-request options. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sends `body` as is (a Buffer) with this type instead of as JSON. */
  contentType?: string;
  /** false: do not add the CSRF token (to test the refusal). Default true. */
  csrf?: boolean;
}

const sessionCookieNames = ["fintrack_session", "__Host-fintrack_session"];

/**
 * A client of the API for integration tests, behaving like the browser UI: it keeps cookies
 * and, when signed in by cookie, fetches the CSRF token before unsafe requests. Paths starting
 * with `/api/` are used as given; any other path is under `/api/v1` (`/accounts`).
 */
export class ApiClient {
  readonly base: string;
  private readonly cookies = new Map<string, string>();
  private csrf: { session: string; token: string } | undefined;
  private readonly token: string | undefined;

  /** `base` is the server's origin, `http://127.0.0.1:1234`. With `token`, every request is Bearer. */
  constructor(base: string, options: { token?: string } = {}) {
    this.base = base.replace(/\/+$/, "");
    this.token = options.token;
  }

  /** A client for the same server authenticating with a personal access token, no cookies. */
  withToken(token: string): ApiClient {
    return new ApiClient(this.base, { token });
  }

  /** The session cookie's value, when signed in by cookie. */
  get sessionCookie(): string | undefined {
    for (const name of sessionCookieNames) {
      const value = this.cookies.get(name);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Sets or removes a cookie by hand (to replay an old session, for instance). */
  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }

  /** GET `path`. */
  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>("GET", path, undefined, options);
  }

  /** POST `body` (JSON unless options.contentType) to `path`. */
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>("POST", path, body, options);
  }

  /** PUT `body` to `path`. */
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>("PUT", path, body, options);
  }

  /** PATCH `body` to `path`. */
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>("PATCH", path, body, options);
  }

  /** DELETE `path` (with an optional JSON body, as DELETE /me/totp takes). */
  delete<T = unknown>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>("DELETE", path, body, options);
  }

  /** The CSRF token of the current session, fetched once per session. */
  async csrfToken(): Promise<string> {
    const session = this.sessionCookie;
    if (session === undefined) throw new Error("not signed in by cookie");
    if (this.csrf?.session === session) return this.csrf.token;
    const res = await this.get<{ token: string }>("/auth/csrf");
    if (res.status !== 200) throw new Error(`GET /auth/csrf answered ${res.status}`);
    this.csrf = { session, token: res.body.token };
    return res.body.token;
  }

  /** Any request; the methods above are shorthands. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers = await this.headersFor(method, options);
    const payload = encodeBody(body, options.contentType, headers);
    const url = path.startsWith("/api/") ? this.base + path : `${this.base}/api/v1${path}`;
    const res = await fetch(url, { method, headers, body: payload, redirect: "manual" });
    this.remember(res.headers.getSetCookie());
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    const text = bytes.toString("utf8");
    const parsed: unknown =
      bytes.length === 0 ? undefined : type.includes("json") ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: parsed as T, bytes };
  }

  /** Authentication (bearer, or cookies plus the CSRF token on unsafe methods) and extras. */
  private async headersFor(method: string, options: RequestOptions) {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (this.token !== undefined) {
      headers.authorization = `Bearer ${this.token}`;
      return headers;
    }
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method);
    const byCookie = this.sessionCookie !== undefined && headers.authorization === undefined;
    if (unsafe && byCookie && options.csrf !== false)
      headers["x-csrf-token"] = await this.csrfToken();
    return headers;
  }

  private remember(setCookies: string[]) {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = "", v = ""] = a.split("=").map((s) => s.trim());
        if (k.toLowerCase() === "max-age") return Number(v) <= 0;
        if (k.toLowerCase() === "expires") return new Date(v).getTime() <= Date.now();
        return false;
      });
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The Authorization header of a personal access token, for `options.headers`. */
export function bearer(token: string): RequestOptions {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** A user the helpers created, with what it takes to sign in again. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  role: "owner" | "member" | "viewer";
}

/** The request body: JSON, or raw bytes with `contentType` (sets the content-type header). */
function encodeBody(
  body: unknown,
  contentType: string | undefined,
  headers: Record<string, string>,
): string | Buffer | undefined {
  if (body === undefined) return undefined;
  if (contentType !== undefined) {
    headers["content-type"] = contentType;
    if (Buffer.isBuffer(body)) return body;
    if (typeof body === "string") return body;
    throw new Error("a body with contentType must be a Buffer or a string");
  }
  headers["content-type"] = "application/json";
  return JSON.stringify(body);
}

function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(4).toString("hex")}@example.test`;
}

/** A password the policy accepts. */
export function aPassword(): string {
  return `test ${randomBytes(9).toString("base64url")} pass`;
}

function expectStatus(res: ApiResponse, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/**
 * Registers the household's first user through the API, signing `client` in as the owner. The
 * database must have no user yet (a fresh test database).
 */
export async function registerOwner(
  client: ApiClient,
  overrides: Partial<Pick<TestUser, "email" | "password" | "name">> = {},
): Promise<TestUser> {
  const user = {
    email: overrides.email ?? uniqueEmail("owner"),
    password: overrides.password ?? aPassword(),
    name: overrides.name ?? "Olivia Owner",
  };
  const res = await client.post<{ id: string; role: "owner" }>("/auth/register", user);
  expectStatus(res, 201, "register owner");
  return { ...user, id: res.body.id, role: res.body.role };
}

/**
 * Invites a member or viewer with the owner's client and registers them through the real API;
 * answers their own signed-in client.
 */
export async function addMember(
  ownerClient: ApiClient,
  role: "member" | "viewer",
  overrides: Partial<Pick<TestUser, "email" | "password" | "name">> = {},
): Promise<{ client: ApiClient; user: TestUser }> {
  const invitation = await ownerClient.post<{ token: string }>("/invitations", { role });
  expectStatus(invitation, 201, "create invitation");
  const client = new ApiClient(ownerClient.base);
  const user = {
    email: overrides.email ?? uniqueEmail(role),
    password: overrides.password ?? aPassword(),
    name: overrides.name ?? (role === "member" ? "Max Member" : "Vera Viewer"),
  };
  const res = await client.post<{ id: string }>("/auth/register", {
    ...user,
    invitation: invitation.body.token,
  });
  expectStatus(res, 201, `register ${role}`);
  return { client, user: { ...user, id: res.body.id, role } };
}
