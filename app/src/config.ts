import { readFileSync } from "node:fs";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);
const seconds = (max: number) => z.coerce.number().int().min(1).max(max);
/** The ECB's daily euro foreign exchange reference rates: the default rate source. */
export const ECB_DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml";

/**
 * The languages the starter category tree is written in: the domain's STARTER_LOCALES, repeated
 * because config is a leaf below the domain (config.test.ts keeps the two lists equal).
 */
export const CONFIG_LOCALES = ["en", "de", "nl", "fr", "es"] as const;

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/**
 * The app's environment, validated once at start. Secrets may come from files (`*_FILE`, as
 * Kubernetes mounts them) so they never sit in the process environment.
 */
const environmentSchema = z
  .object({
    NODE_ENV: z.enum(["production", "development", "test"]).default("production"),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    // Set by the operator while it rotates the database password: the password being replaced,
    // tried when PostgreSQL refuses the URL's (see createPool).
    DATABASE_PASSWORD_PREVIOUS: z.string().optional(),
    // The passwords of DATABASE_URL and REDIS_URL from files (Compose secrets), which then name
    // none: what samples/compose runs with.
    DATABASE_PASSWORD_FILE: z.string().min(1).optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_PASSWORD_FILE: z.string().min(1).optional(),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    SESSION_SECRET_FILE: z.string().min(1).optional(),
    PORT: port.default(8080),
    // The address both servers bind. Unset: every interface (as a container needs; the default
    // of Node, IPv6 included). The demo sets 127.0.0.1 unless told otherwise (demo/mode.ts).
    HOST: z
      .union([z.ipv4(), z.ipv6(), z.literal("localhost")], {
        error: "must be an IP address (0.0.0.0, 127.0.0.1, ::) or localhost",
      })
      .optional(),
    METRICS_PORT: port.default(9090),
    BASE_URL: z.url({ protocol: /^https?$/ }).default("http://localhost:8080"),
    TRUST_PROXY: bool.default(false),
    // Checks every API answer against its route's declared schema and answers 500
    // response_schema_drift on a mismatch: the test harnesses turn it on; it costs time in production.
    VALIDATE_RESPONSES: bool.default(false),
    // Seconds a terminating replica keeps accepting (readiness already failing) before it closes
    // its listener: the time Service endpoints take to drop it. 0 outside Kubernetes.
    SHUTDOWN_DELAY_SECONDS: z.coerce.number().int().min(0).max(60).default(0),
    // Seconds in-flight requests (a long import commit) then get to finish; what still runs is
    // ended in the database and answered 503. The operator's grace period is built from both.
    SHUTDOWN_DRAIN_SECONDS: seconds(600).default(25),
    // Bounds on every wait for PostgreSQL and Redis, so a frozen dependency answers 503 soon
    // instead of holding requests (and their sockets) for as long as it stays frozen.
    DATABASE_STATEMENT_TIMEOUT_SECONDS: seconds(3600).default(30),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: seconds(3600).default(60),
    DATABASE_CONNECT_TIMEOUT_SECONDS: seconds(300).default(5),
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
    REDIS_CONNECT_TIMEOUT_SECONDS: seconds(300).default(5),
    LOG_LEVEL: z
      .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
      .default("info"),
    FINTRACK_ADMIN_EMAIL: z.email().optional(),
    FINTRACK_ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
    FINTRACK_BASE_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")
      .default("EUR"),
    FINTRACK_SIGNUP: z.enum(["closed", "open"]).default("closed"),
    // The language of the starter categories the configured owner's household gets (the
    // operator sets it from spec.app.locale); sign-up in the browser sends its own.
    FINTRACK_LOCALE: z.enum(CONFIG_LOCALES).default("en"),
    // A changed or reset password revokes the user's personal access tokens as well as their
    // sessions: whoever knew the old password may have minted one. "false" keeps tokens (scripts
    // keep running) for deployments that accept that risk.
    FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS: bool.default(true),
    // Where POST /exchange-rates/fetch reads daily reference rates: an ECB-format XML feed (the
    // daily one, or the 90-day history eurofxref-hist-90d.xml to fill the last three months);
    // "off" disables fetching.
    FINTRACK_FX_SOURCE_URL: z
      .union([
        z.literal("off"),
        z.url({
          protocol: /^https?$/,
          error: `must be an http(s) URL of an ECB-format XML feed, or "off"`,
        }),
      ])
      .default(ECB_DAILY_URL),
    // Fetches the reference rates in the background as well, a few times a day, on every replica
    // (the writes are idempotent). Off by default: a deployment opts in to reaching the internet.
    FINTRACK_FX_FETCH_DAILY: bool.default(false),
  })
  .check((ctx) => {
    const env = ctx.value;
    if (env.SESSION_SECRET && env.SESSION_SECRET_FILE) {
      ctx.issues.push({
        code: "custom",
        input: env.SESSION_SECRET_FILE,
        path: ["SESSION_SECRET_FILE"],
        message: "set SESSION_SECRET or SESSION_SECRET_FILE, not both",
      });
    }
    if (env.FINTRACK_ADMIN_PASSWORD_FILE && !env.FINTRACK_ADMIN_EMAIL) {
      ctx.issues.push({
        code: "custom",
        input: env.FINTRACK_ADMIN_PASSWORD_FILE,
        path: ["FINTRACK_ADMIN_EMAIL"],
        message: "is required when FINTRACK_ADMIN_PASSWORD_FILE is set",
      });
    }
    // An owner named without a password would count as no configured owner at all, and the
    // first visitor to register would become the owner: refuse to start instead.
    if (env.FINTRACK_ADMIN_EMAIL && !env.FINTRACK_ADMIN_PASSWORD_FILE) {
      ctx.issues.push({
        code: "custom",
        input: env.FINTRACK_ADMIN_EMAIL,
        path: ["FINTRACK_ADMIN_PASSWORD_FILE"],
        message: "is required when FINTRACK_ADMIN_EMAIL is set",
      });
    }
  });

/** The app's settings, with secrets read from their files. */
export interface Config {
  nodeEnv: "production" | "development" | "test";
  databaseUrl: string | undefined;
  /** During a credentials rotation, the database password the URL's replaces. */
  databasePasswordPrevious: string | undefined;
  redisUrl: string | undefined;
  sessionSecret: string | undefined;
  /** The address to bind; undefined means every interface. */
  host: string | undefined;
  port: number;
  metricsPort: number;
  baseUrl: URL;
  trustProxy: boolean;
  /**
   * Whether every API answer is checked against its route's declared schema (a mismatch answers
   * 500): for tests, which turn it on so the OpenAPI document stays true; it costs time.
   */
  validateResponses: boolean;
  /** How long a terminating replica keeps accepting new connections before closing. */
  shutdownDelayMs: number;
  /** How long in-flight requests then get to finish before their database work is ended. */
  shutdownDrainMs: number;
  /** How long PostgreSQL and Redis may keep the app waiting. */
  timeouts: Timeouts;
  logLevel: string;
  admin: { email: string; password: string } | undefined;
  baseCurrency: string;
  signup: "closed" | "open";
  /** The language of the starter categories a household created from configuration gets. */
  locale: (typeof CONFIG_LOCALES)[number];
  /** Whether a password change or an owner's reset revokes the user's personal access tokens. */
  passwordChangeRevokesTokens: boolean;
  /** The ECB-format XML feed of daily reference rates; undefined when fetching is off. */
  fxSourceUrl: URL | undefined;
  /** Whether the background jobs fetch the reference rates (only with a source). */
  fxFetchDaily: boolean;
}

/** Milliseconds; long work (imports, exports) raises the database ones per transaction. */
export interface Timeouts {
  /** PostgreSQL's statement_timeout on every pooled connection. */
  statementMs: number;
  /** PostgreSQL's idle_in_transaction_session_timeout on every pooled connection. */
  idleInTransactionMs: number;
  /** How long the pool waits for a connection (new or free) before the request fails. */
  databaseConnectMs: number;
  /** How long one Redis command may take before it fails. */
  redisCommandMs: number;
  redisConnectMs: number;
}

/** A configuration that cannot work; its message lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Reads a secret file; trailing newlines (as `echo` writes them) are not part of the secret. */
function readSecretFile(path: string, variable: string, problems: string[]): string | undefined {
  try {
    const value = readFileSync(path, "utf8").replace(/\r?\n$/, "");
    if (value === "") problems.push(`${variable}: ${path} is empty`);
    return value;
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    problems.push(`${variable}: cannot read ${path} (${reason})`);
    return undefined;
  }
}

/** A URL with the password of its `*_PASSWORD_FILE`, when that is set. */
function urlWithPasswordFile(
  url: string | undefined,
  file: string | undefined,
  service: "DATABASE" | "REDIS",
  read: typeof readSecretFile,
  problems: string[],
): string | undefined {
  if (file === undefined) return url;
  const variable = `${service}_PASSWORD_FILE`;
  if (url === undefined) {
    problems.push(`${variable}: set ${service}_URL too (without a password)`);
    return undefined;
  }
  const password = read(file, variable, problems);
  if (password === undefined) return url;
  // Percent-encoded, so that any character survives the URL (db/password-file.ts does the same
  // for the migrate and backup programs; config sits below db and cannot import it).
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Parses the environment once, failing fast with every problem listed (never a secret value).
 * `readFile` is injectable so tests need no files.
 */
export function loadConfig(env: NodeJS.ProcessEnv, read = readSecretFile): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  const e = parsed.data;
  const sessionSecret = e.SESSION_SECRET_FILE
    ? read(e.SESSION_SECRET_FILE, "SESSION_SECRET_FILE", problems)
    : e.SESSION_SECRET;
  if (sessionSecret === undefined && e.DATABASE_URL !== undefined) {
    problems.push("SESSION_SECRET: required (or SESSION_SECRET_FILE) when DATABASE_URL is set");
  }
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    problems.push("SESSION_SECRET_FILE: the secret must be at least 32 characters");
  }
  const databaseUrl = urlWithPasswordFile(
    e.DATABASE_URL,
    e.DATABASE_PASSWORD_FILE,
    "DATABASE",
    read,
    problems,
  );
  const redisUrl = urlWithPasswordFile(e.REDIS_URL, e.REDIS_PASSWORD_FILE, "REDIS", read, problems);
  const adminPassword = e.FINTRACK_ADMIN_PASSWORD_FILE
    ? read(e.FINTRACK_ADMIN_PASSWORD_FILE, "FINTRACK_ADMIN_PASSWORD_FILE", problems)
    : undefined;
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl,
    databasePasswordPrevious: e.DATABASE_PASSWORD_PREVIOUS,
    redisUrl,
    sessionSecret,
    host: e.HOST,
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    baseUrl: new URL(e.BASE_URL),
    trustProxy: e.TRUST_PROXY,
    validateResponses: e.VALIDATE_RESPONSES,
    shutdownDelayMs: e.SHUTDOWN_DELAY_SECONDS * 1000,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_SECONDS * 1000,
    timeouts: {
      statementMs: e.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
      idleInTransactionMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS * 1000,
      databaseConnectMs: e.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
      redisCommandMs: e.REDIS_COMMAND_TIMEOUT_MS,
      redisConnectMs: e.REDIS_CONNECT_TIMEOUT_SECONDS * 1000,
    },
    logLevel: e.LOG_LEVEL,
    admin:
      e.FINTRACK_ADMIN_EMAIL && adminPassword
        ? { email: e.FINTRACK_ADMIN_EMAIL, password: adminPassword }
        : undefined,
    baseCurrency: e.FINTRACK_BASE_CURRENCY,
    signup: e.FINTRACK_SIGNUP,
    locale: e.FINTRACK_LOCALE,
    passwordChangeRevokesTokens: e.FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS,
    fxSourceUrl: e.FINTRACK_FX_SOURCE_URL === "off" ? undefined : new URL(e.FINTRACK_FX_SOURCE_URL),
    fxFetchDaily: e.FINTRACK_FX_FETCH_DAILY && e.FINTRACK_FX_SOURCE_URL !== "off",
  };
}
