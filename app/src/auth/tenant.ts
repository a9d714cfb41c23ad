import type pg from "pg";
import { sha256Base64url } from "./secrets.ts";
import type { SessionStore } from "./sessions.ts";
import type { Throttle } from "./throttle.ts";

/**
 * The identity of one tenant: its public origin (BASE_URL) and its database's installation id.
 * Neither alone is enough: two households may be served at one origin over time, and a restored
 * backup carries its installation id to wherever it is served.
 */
export function tenantIdentity(origin: string, installationId: string): string {
  return sha256Base64url(`${origin}\n${installationId}`).slice(0, 22);
}

/** Where a tenant's keys live in a Redis that other tenants may share. */
export function redisPrefixOf(tenant: string): string {
  return `fintrack:${tenant}:`;
}

async function readInstallationId(db: pg.Pool): Promise<string> {
  const { rows } = await db.query<{ id: string }>("select id::text from installation");
  const id = rows[0]?.id;
  if (id === undefined) throw new Error("the database has no installation id: is it migrated?");
  return id;
}

/**
 * The tenant identity of the app serving `baseUrl` from `db`, read from PostgreSQL on first use
 * and kept: the app starts while PostgreSQL is away, so a failed read is tried again next time.
 */
export function tenantOf(db: pg.Pool, baseUrl: URL): () => Promise<string> {
  let known: Promise<string> | undefined;
  return () => {
    known ??= readInstallationId(db).then(
      (id) => tenantIdentity(baseUrl.origin, id),
      (error: unknown) => {
        known = undefined;
        throw error;
      },
    );
    return known;
  };
}

/**
 * A session store made once `make` can be (the tenant's Redis prefix needs its installation id
 * from PostgreSQL, which may be away at startup); every call waits for it.
 */
export function deferredSessions(make: () => Promise<SessionStore>): SessionStore {
  return {
    create: async (data, ttlMs, lifetimeMs) => (await make()).create(data, ttlMs, lifetimeMs),
    get: async (id) => (await make()).get(id),
    touch: async (id, lastSeenAt, ttlMs) => (await make()).touch(id, lastSeenAt, ttlMs),
    delete: async (id) => (await make()).delete(id),
    listForUser: async (userId) => (await make()).listForUser(userId),
    deleteByPublicId: async (userId, publicId) => (await make()).deleteByPublicId(userId, publicId),
    deleteForUser: async (userId, except) => (await make()).deleteForUser(userId, except),
  };
}

/** A throttle made once `make` can be (see deferredSessions). */
export function deferredThrottle(make: () => Promise<Throttle>): Throttle {
  return {
    attempt: async (key, policy, now) => (await make()).attempt(key, policy, now),
    reset: async (key) => (await make()).reset(key),
    forgive: async (key) => (await make()).forgive(key),
  };
}
