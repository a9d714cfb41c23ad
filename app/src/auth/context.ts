import type pg from "pg";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { type SessionCookie, sessionCookie } from "./cookies.ts";
import { guardedSessions, guardedThrottle } from "./guard.ts";
import { defaultSessionPolicy, type SessionPolicy, type SessionStore } from "./sessions.ts";
import { deviceCookie, deviceKey } from "./device-cookie.ts";
import { defaultLoginThrottle, type LoginThrottlePolicy, type Throttle } from "./throttle.ts";
import { totpKey } from "./totp.ts";

/** What authentication is built from. Stores are chosen by the caller: Redis, or memory for the demo. */
export interface AuthDeps {
  db: pg.Pool;
  sessions: SessionStore;
  throttle: Throttle;
  /** This tenant's identity (tenant.ts), which every session it makes carries. */
  tenant: () => Promise<string>;
  config: {
    /** At least 32 characters: it keys CSRF tokens and seals TOTP secrets. */
    sessionSecret: string;
    baseUrl: URL;
    /** Whether a password change or reset revokes the user's tokens (default true). */
    passwordChangeRevokesTokens?: boolean;
    signup: "closed" | "open";
    /**
     * The owner is created from configuration (FINTRACK_ADMIN_EMAIL): registration must never
     * make one, even while that owner is missing (its creation failed, or has not run yet).
     */
    ownerFromConfig: boolean;
  };
  log: Logger;
  registry: Registry;
  /** The clock, epoch ms; tests move it instead of sleeping. */
  now?: () => number;
  /** Replaces parts of the session and login throttling policies (tests shorten them). */
  policy?: {
    session?: Partial<SessionPolicy>;
    login?: Partial<LoginThrottlePolicy>;
  };
}

export type FailedLoginReason = "password" | "totp" | "throttled";

/** AuthDeps resolved once: defaults applied, derived keys and metrics made. */
export interface AuthContext {
  db: pg.Pool;
  sessions: SessionStore;
  throttle: Throttle;
  tenant: () => Promise<string>;
  config: AuthDeps["config"];
  /** See replacePassword: FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS. */
  passwordChangeRevokesTokens: boolean;
  log: Logger;
  now: () => number;
  sessionPolicy: SessionPolicy;
  loginPolicy: LoginThrottlePolicy;
  cookie: SessionCookie;
  /** The trusted-device cookie (see device-cookie.ts) and the key its tokens are signed with. */
  device: { cookie: SessionCookie; key: Buffer };
  totpKey: Buffer;
  loginFailed: (reason: FailedLoginReason) => void;
}

/** Applies defaults and registers `fintrack_logins_failed_total` on the deps' registry. */
export function authContext(deps: AuthDeps): AuthContext {
  if (deps.config.sessionSecret.length < 32)
    throw new Error("the session secret must be at least 32 characters");
  const sessionPolicy = { ...defaultSessionPolicy, ...deps.policy?.session };
  const failed = new Counter({
    name: "fintrack_logins_failed_total",
    help: "Failed sign-in attempts by reason: wrong password, wrong second factor, throttled",
    labelNames: ["reason"] as const,
    registers: [deps.registry],
  });
  // Zero-initialised so dashboards and alerts see every series before the first failure.
  for (const reason of ["password", "totp", "throttled"] as const) failed.inc({ reason }, 0);
  return {
    db: deps.db,
    sessions: guardedSessions(deps.sessions, deps.log),
    throttle: guardedThrottle(deps.throttle, deps.log),
    tenant: deps.tenant,
    config: deps.config,
    passwordChangeRevokesTokens: deps.config.passwordChangeRevokesTokens ?? true,
    log: deps.log,
    now: deps.now ?? Date.now,
    sessionPolicy,
    loginPolicy: { ...defaultLoginThrottle, ...deps.policy?.login },
    cookie: sessionCookie(deps.config.baseUrl, sessionPolicy.absoluteMs),
    device: {
      cookie: deviceCookie(deps.config.baseUrl),
      key: deviceKey(deps.config.sessionSecret),
    },
    totpKey: totpKey(deps.config.sessionSecret),
    loginFailed: (reason) => {
      failed.inc({ reason });
    },
  };
}
