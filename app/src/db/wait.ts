/**
 * Waiting for PostgreSQL before migrating. A new tenant's app pods start while its database is
 * still being scheduled, started or published in DNS; failing at once would make them
 * crash-loop until it is up. So the migrate command retries what means "not reachable yet", for
 * a bounded time, and fails at once on anything else: a wrong password does not heal by waiting.
 */

/** How long to wait by default, and the most MIGRATE_WAIT_SECONDS may ask for. */
export const defaultWaitSeconds = 180;
export const maxWaitSeconds = 3600;

const firstDelayMs = 500;
const maxDelayMs = 5000;

/** Node's network errors meaning nobody answers at that address yet, or DNS does not know it. */
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** SQLSTATE 57P03 cannot_connect_now: "the database system is starting up" (or recovering). */
const startingUpCode = "57P03";
/** SQLSTATE 28P01 invalid_password and 28000 invalid_authorization_specification. */
const passwordMismatchCode = "28P01";
const authorizationCode = "28000";
/** What pg throws when its own connection timeout expires; it sets no code. */
const pgTimeoutMessages = [
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
];

/** The fields of a connection error we read: Node's system errors and pg's server errors. */
interface ErrorFields {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  errors?: unknown;
}

function fields(error: unknown): ErrorFields {
  return typeof error === "object" && error !== null ? error : {};
}

/**
 * The code and syscall of an error. Connecting to a name with both an IPv4 and an IPv6 address
 * fails with an AggregateError of one error per address, whose own message is empty.
 */
function codeOf(error: unknown): { code?: string; syscall?: string; message: string } {
  const f = fields(error);
  const inner = Array.isArray(f.errors) ? fields(f.errors[0]) : {};
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const code = text(f.code) ?? text(inner.code);
  const syscall = text(f.syscall) ?? text(inner.syscall);
  const message = text(f.message) ?? text(inner.message) ?? String(error);
  return { ...(code ? { code } : {}), ...(syscall ? { syscall } : {}), message };
}

/** Why a connection attempt failed, when it means "not reachable yet"; undefined otherwise. */
export function notReachableYet(error: unknown): string | undefined {
  const { code, syscall, message } = codeOf(error);
  if (code && unreachableCodes.has(code)) return `${syscall ?? "connect"} ${code}`;
  if (code === startingUpCode) return message;
  if (pgTimeoutMessages.some((m) => message.includes(m))) return "connection timed out";
  return undefined;
}

/** What to do after a failed connection attempt. */
export type NextStep =
  { action: "wait"; delayMs: number; line: string } | { action: "fail"; message: string };

export interface Attempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** Since the first attempt started. */
  elapsedMs: number;
  limitMs: number;
  /** `host:port`, for messages. */
  target: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Whether to try again after `error`, and after how long: capped exponential backoff (0.5 s
 * doubling to 5 s) while PostgreSQL is not reachable yet and time is left; a clear failure for
 * a rejected password or another error, and once time is up. Pure.
 */
export function nextStep(
  error: unknown,
  { attempt, elapsedMs, limitMs, target }: Attempt,
): NextStep {
  const { code, message } = codeOf(error);
  if (code === passwordMismatchCode) {
    return {
      action: "fail",
      // What matters first: this line also ends up, cut short, in the tenant's status.
      message:
        `the password in DATABASE_URL does not match PostgreSQL's at ${target} (${code}: ` +
        `${message}); the database keeps the password it was created with: was the ` +
        "credentials Secret replaced since?",
    };
  }
  if (code === authorizationCode) {
    return {
      action: "fail",
      message: `PostgreSQL at ${target} refused the connection (${code}: ${message})`,
    };
  }
  const why = notReachableYet(error);
  if (!why) return { action: "fail", message };
  const remainingMs = limitMs - elapsedMs;
  if (remainingMs <= 0) {
    return {
      action: "fail",
      message: `PostgreSQL at ${target} was not reachable within ${seconds(limitMs)} (${attempt} attempts): ${why}`,
    };
  }
  return {
    action: "wait",
    delayMs: Math.min(firstDelayMs * 2 ** (attempt - 1), maxDelayMs, remainingMs),
    line: `waiting for PostgreSQL at ${target}: ${why} (attempt ${attempt}, ${seconds(elapsedMs)} so far)`,
  };
}

/** MIGRATE_WAIT_SECONDS: a whole number of seconds from 0 (do not wait) to 3600; 180 when unset. */
export function parseWaitSeconds(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return defaultWaitSeconds;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value > maxWaitSeconds) {
    throw new Error(
      `MIGRATE_WAIT_SECONDS must be a whole number of seconds from 0 to ${maxWaitSeconds}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export interface WaitOptions {
  /** One connection attempt: resolves once PostgreSQL accepted a session. */
  connect: () => Promise<void>;
  limitMs: number;
  target: string;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Connects until PostgreSQL accepts, as `nextStep` decides; throws its failure message. */
export async function waitForPostgres(options: WaitOptions): Promise<void> {
  const { connect, limitMs, target, log } = options;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      await connect();
      return;
    } catch (error) {
      const step = nextStep(error, { attempt, elapsedMs: now() - start, limitMs, target });
      if (step.action === "fail") throw new Error(step.message, { cause: error });
      log(step.line);
      await sleep(step.delayMs);
    }
  }
}
