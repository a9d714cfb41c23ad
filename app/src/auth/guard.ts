import type { Logger } from "pino";
import { AppError } from "../errors.ts";
import type { SessionStore } from "./sessions.ts";
import type { Throttle } from "./throttle.ts";

/**
 * Runs a store call, turning a failure of the store itself (Redis away) into a 503 the client
 * may retry, instead of a 500; the app keeps running and readiness reports the outage.
 */
async function guard<T>(what: string, log: Logger, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    log.warn({ error: error instanceof Error ? error.message : String(error) }, `${what} failed`);
    // Retry-After as for any dependency away (errors.ts), so clients back off and retry.
    throw new AppError(503, "unavailable", `${what} is unavailable; try again shortly`, {
      headers: { "Retry-After": "5" },
      cause: error,
    });
  }
}

/** `store` with every failure answered as 503 (see guard). */
export function guardedSessions(store: SessionStore, log: Logger): SessionStore {
  const g = <T>(call: () => Promise<T>) => guard("the session store", log, call);
  return {
    create: (data, ttlMs, lifetimeMs) => g(() => store.create(data, ttlMs, lifetimeMs)),
    get: (id) => g(() => store.get(id)),
    touch: (id, lastSeenAt, ttlMs) => g(() => store.touch(id, lastSeenAt, ttlMs)),
    delete: (id) => g(() => store.delete(id)),
    listForUser: (userId) => g(() => store.listForUser(userId)),
    deleteByPublicId: (userId, publicId) => g(() => store.deleteByPublicId(userId, publicId)),
    deleteForUser: (userId, except) => g(() => store.deleteForUser(userId, except)),
  };
}

/** `throttle` with every failure answered as 503 (see guard). */
export function guardedThrottle(throttle: Throttle, log: Logger): Throttle {
  const g = <T>(call: () => Promise<T>) => guard("the login throttle", log, call);
  return {
    attempt: (key, policy, now) => g(() => throttle.attempt(key, policy, now)),
    reset: (key) => g(() => throttle.reset(key)),
    forgive: (key) => g(() => throttle.forgive(key)),
  };
}
