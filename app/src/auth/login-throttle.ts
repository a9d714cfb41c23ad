import type { AuthContext } from "./context.ts";
import { sha256Hex } from "./secrets.ts";
import { ipBucket, type LoginThrottlePolicy, type ThrottlePolicy } from "./throttle.ts";
import { errors, type AppError } from "../errors.ts";

/** One counter an attempt is charged to, and its policy. */
export interface Budget {
  key: string;
  policy: ThrottlePolicy;
  /** What a success does to it: forget the client's failures, or uncount just this attempt. */
  onSuccess: "reset" | "forgive";
}

/** The id of an account in throttle keys and device tokens: a hash, never the email itself. */
export function accountId(email: string): string {
  return sha256Hex(email.trim().toLowerCase());
}

/**
 * The counters a sign-in attempt is charged to, in order, first refusal wins. A failure only
 * ever slows the client that made it, never the owner elsewhere (OWASP Authentication Cheat
 * Sheet, "Login Throttling" and "Account Lockout"; NIST SP 800-63B section 5.2.2 rate limiting):
 *
 * - a trusted device (see device-cookie.ts) is charged to its own counter alone, so failures
 *   from anywhere else never stop the owner's known browser, as OWASP's device cookies propose;
 * - an unknown client is charged per address, per (account, address) pair, and to the account's
 *   ceiling shared by every unknown client, so a botnet spread over many addresses still runs
 *   into a limit per account (OWASP Credential Stuffing Prevention Cheat Sheet).
 */
export function loginBudgets(
  policy: LoginThrottlePolicy,
  account: string,
  ip: string,
  device: string | undefined,
): Budget[] {
  if (device !== undefined)
    return [{ key: `login:device:${device}`, policy: policy.client, onSuccess: "reset" }];
  const bucket = ipBucket(ip);
  return [
    { key: `login:ip:${bucket}`, policy: policy.ip, onSuccess: "forgive" },
    { key: `login:client:${account}:${bucket}`, policy: policy.client, onSuccess: "reset" },
    // Forgiven rather than reset: the owner signing in must not hand a botnet a fresh ceiling.
    { key: `login:account:${account}`, policy: policy.account, onSuccess: "forgive" },
  ];
}

/**
 * The budget of re-authentication by a signed-in session (POST /me/reauthenticate, a password
 * change, turning two-factor off): the session's own, so a stolen session cannot guess freely
 * and failed sign-ins elsewhere cannot keep the owner from changing a password (NIST SP 800-63B
 * section 5.2.2 limits failures per authenticator, and sign-in failures elsewhere are not this
 * session's). Keyed by the session's public id: Redis never holds a session id.
 */
export function sessionBudget(policy: LoginThrottlePolicy, publicSessionId: string): Budget {
  return { key: `confirm:session:${publicSessionId}`, policy: policy.client, onSuccess: "reset" };
}

function tooMany(ctx: AuthContext, waitMs: number): AppError {
  ctx.loginFailed("throttled");
  return errors.tooManyRequests(Math.max(1, Math.ceil(waitMs / 1000)));
}

/**
 * Charges an attempt to each budget before the password is checked (so parallel guesses cannot
 * share a free slot); throws 429 with Retry-After at the first that must wait.
 */
export async function chargeAttempt(ctx: AuthContext, budgets: readonly Budget[]): Promise<void> {
  const now = ctx.now();
  for (const budget of budgets) {
    const wait = await ctx.throttle.attempt(budget.key, budget.policy, now);
    if (wait > 0) throw tooMany(ctx, wait);
  }
}

/** After a success: each budget forgets the client's failures or uncounts this attempt. */
export async function settleSuccess(ctx: AuthContext, budgets: readonly Budget[]): Promise<void> {
  for (const budget of budgets)
    await (budget.onSuccess === "reset"
      ? ctx.throttle.reset(budget.key)
      : ctx.throttle.forgive(budget.key));
}
