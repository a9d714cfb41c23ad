// Test support for the ledger's integration tests (imported by *.int.test.ts only): one app
// serving the ledger routes behind the real authentication on a migrated test database, and
// clients that act as a given user through their personal access tokens.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { pino } from "pino";
import { Registry } from "prom-client";
import { serveApp } from "./serve.ts";
import { createAuth, resourceRoutes } from "../../src/api.ts";
import { memorySessionStore, memoryThrottle } from "../../src/auth/index.ts";
import { sha256Hex } from "../../src/auth/secrets.ts";
import { tenantOf } from "../../src/auth/tenant.ts";
import type { Role } from "../../src/auth/principal.ts";
import { migrate } from "../../src/db/migrate.ts";
import { idempotencyStore } from "../../src/http/idempotency.ts";
import type { Account } from "../../src/routes/accounts/schema.ts";
import type { CategoryJson } from "../../src/routes/categories/schema.ts";
import type { TransactionJson } from "../../src/routes/transactions/schema.ts";

/** A household member as the tests sign in. */
export interface TestUser {
  id: string;
  role: Role;
}

/** An answer, its body parsed when it is JSON. */
export interface TestResponse {
  status: number;
  headers: Headers;
  body: unknown;
  bytes: Buffer;
}

/** Calls the API as one signed-in user. */
export interface TestClient {
  get: (path: string) => Promise<TestResponse>;
  post: (path: string, json?: unknown) => Promise<TestResponse>;
  patch: (path: string, json: unknown) => Promise<TestResponse>;
  delete: (path: string) => Promise<TestResponse>;
  /** Sends raw bytes (an upload) with the given headers. */
  send: (
    method: string,
    path: string,
    bytes: Uint8Array,
    headers: Record<string, string>,
  ) => Promise<TestResponse>;
}

/** The served ledger and the people who use it. */
export interface LedgerTestApp {
  pool: pg.Pool;
  /** The registry ledgerRoutes registered its counters on. */
  registry: Registry;
  owner: TestUser;
  member: TestUser;
  viewer: TestUser;
  /** A client acting as `user`; `scope: "read"` acts through a read-only token. */
  as: (user: TestUser, scope?: "read" | "write") => TestClient;
  /** A client that is not signed in. */
  anonymous: TestClient;
  close: () => Promise<void>;
}

/** Personal access tokens of the test users, by `<userId>:<scope>`. */
const tokens = new Map<string, string>();

/**
 * How a test request is signed in: a real personal access token of the user with that scope,
 * checked by the app's real authentication (bearer requests need no CSRF token).
 */
function signIn(user: TestUser | undefined, scope: "read" | "write"): Record<string, string> {
  if (user === undefined) return {};
  const token = tokens.get(`${user.id}:${scope}`);
  if (token === undefined) throw new Error(`no ${scope} token for user ${user.id}`);
  return { Authorization: `Bearer ${token}` };
}

/** Gives `user` a read and a write token, stored hashed as the app stores them. */
async function issueTokens(pool: pg.Pool, user: TestUser): Promise<void> {
  for (const scope of ["read", "write"] as const) {
    const token = `ft_${randomBytes(32).toString("base64url")}`;
    await pool.query(
      "insert into api_tokens (user_id, name, token_hash, scope) values ($1, $2, $3, $4)",
      [user.id, `ledger tests (${scope})`, sha256Hex(token), scope],
    );
    tokens.set(`${user.id}:${scope}`, token);
  }
}

async function insertUser(pool: pg.Pool, role: Role): Promise<TestUser> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into users (email, name, password_hash, role)
     values ($1, $2, 'not-a-hash', $3) returning id::text`,
    [`${role}@ledger.test`, role, role],
  );
  return { id: rows[0]?.id ?? "", role };
}

function client(base: string, headers: Record<string, string>): TestClient {
  const call = async (
    method: string,
    path: string,
    body: Uint8Array | string | undefined,
    extra: Record<string, string>,
  ): Promise<TestResponse> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { ...headers, ...extra },
      ...(body === undefined ? {} : { body }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get("content-type") ?? "";
    const body_: unknown =
      type.includes("json") && bytes.length > 0 ? JSON.parse(bytes.toString("utf8")) : undefined;
    return { status: res.status, headers: res.headers, body: body_, bytes };
  };
  const json = (method: string) => (path: string, value?: unknown) =>
    call(method, path, value === undefined ? undefined : JSON.stringify(value), {
      "Content-Type": "application/json",
    });
  return {
    get: (path) => call("GET", path, undefined, {}),
    post: json("POST"),
    patch: json("PATCH"),
    delete: (path) => call("DELETE", path, undefined, {}),
    send: (method, path, bytes, extra) => call(method, path, bytes, extra),
  };
}

/**
 * Migrates the test database at `url`, adds an owner, a member and a viewer, and serves every
 * resource's routes (api.ts) with EUR as the base currency (or `options.baseCurrency`), behind
 * the real authentication. Fetching reference rates is off unless `options.fxSourceUrl` names a
 * (local) feed.
 */
export async function startLedgerApp(
  url: string,
  options: { fxSourceUrl?: URL; baseCurrency?: string } = {},
): Promise<LedgerTestApp> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  await migrate(pool);
  const [owner, member, viewer] = [
    await insertUser(pool, "owner"),
    await insertUser(pool, "member"),
    await insertUser(pool, "viewer"),
  ];
  for (const user of [owner, member, viewer]) await issueTokens(pool, user);
  const registry = new Registry();
  const baseUrl = new URL("http://127.0.0.1");
  const auth = createAuth({
    db: pool,
    sessions: memorySessionStore(),
    throttle: memoryThrottle(),
    tenant: tenantOf(pool, baseUrl),
    config: {
      sessionSecret: randomBytes(32).toString("hex"),
      baseUrl,
      signup: "closed",
      ownerFromConfig: false,
    },
    log: pino({ level: "silent" }),
    registry,
  });
  const served = await serveApp({
    routes: resourceRoutes({
      db: pool,
      registry,
      baseCurrency: options.baseCurrency ?? "EUR",
      fxSourceUrl: options.fxSourceUrl,
    }),
    authenticate: auth.authenticate,
    idempotency: idempotencyStore(pool),
  });
  return {
    pool,
    registry,
    owner,
    member,
    viewer,
    as: (user, scope = "write") => client(served.base, signIn(user, scope)),
    anonymous: client(served.base, signIn(undefined, "read")),
    close: async () => {
      await served.close();
      await pool.end();
    },
  };
}

let accountSeq = 0;

function created(res: TestResponse, what: string): unknown {
  if (res.status !== 201) {
    throw new Error(`creating ${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Opens an account (EUR checking unless overridden), failing the test if that fails. */
export async function anAccount(
  as: TestClient,
  overrides: Record<string, unknown> = {},
): Promise<Account> {
  accountSeq += 1;
  const res = await as.post("/accounts", {
    name: `Account ${accountSeq}`,
    type: "checking",
    currency: "EUR",
    openingDate: "2025-01-01",
    ...overrides,
  });
  return created(res, "an account") as Account;
}

/** Books a transaction (today-ish, -1.00 unless overridden) in `accountId`. */
export async function aTransaction(
  as: TestClient,
  accountId: string,
  overrides: Record<string, unknown> = {},
): Promise<TransactionJson> {
  const res = await as.post("/transactions", {
    accountId,
    date: "2026-01-15",
    amount: "-1.00",
    ...overrides,
  });
  return created(res, "a transaction") as TransactionJson;
}

/** Creates a category (top-level expense unless overridden). */
export async function aCategory(
  as: TestClient,
  name: string,
  overrides: Record<string, unknown> = {},
): Promise<CategoryJson> {
  const res = await as.post("/categories", { name, kind: "expense", ...overrides });
  return created(res, `category ${name}`) as CategoryJson;
}

/**
 * Uploads a bank file to POST /imports as multipart/form-data with `accountId` (none when
 * undefined: the file names its account), as a browser does.
 */
export function uploadBankFile(
  as: TestClient,
  accountId: string | undefined,
  filename: string,
  bytes: Uint8Array,
): Promise<TestResponse> {
  const boundary = "----fintrack-test-boundary";
  const account =
    accountId === undefined
      ? ""
      : `--${boundary}\r\nContent-Disposition: form-data; name="accountId"\r\n\r\n${accountId}\r\n`;
  const body = Buffer.concat([
    Buffer.from(
      account +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return as.send("POST", "/imports", body, {
    "Content-Type": `multipart/form-data; boundary=${boundary}`,
  });
}
