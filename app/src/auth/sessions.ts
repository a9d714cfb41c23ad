import type { Redis } from "ioredis";
import { randomId, sha256Base64url } from "./secrets.ts";

/** What the server keeps about one signed-in browser. Times are epoch milliseconds. */
export interface SessionData {
  userId: string;
  /** The tenant that made it (tenant.ts): any other refuses it, whatever the user id. */
  tenant: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  ip: string;
}

/** A stored session with the id it may be shown under: a hash of the secret id, never the id. */
export interface SessionRecord extends SessionData {
  publicId: string;
}

/**
 * Where sessions live: Redis in production (shared by every replica), memory for `make demo`.
 * Stores keep and expire data; the timeout rules are decided by `sessionExpiry`, not by them.
 */
export interface SessionStore {
  /** Stores a new session under a fresh 128-bit id and returns that secret id. */
  create(data: SessionData, ttlMs: number, lifetimeMs: number): Promise<string>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Records activity; never brings a deleted session back. */
  touch(id: string, lastSeenAt: number, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
  listForUser(userId: string): Promise<SessionRecord[]>;
  /** Deletes the user's session shown as `publicId`; false when the user has no such session. */
  deleteByPublicId(userId: string, publicId: string): Promise<boolean>;
  /** Deletes every session of the user except the one shown as `exceptPublicId`. */
  deleteForUser(userId: string, exceptPublicId?: string): Promise<number>;
}

/**
 * Session timeouts. Idle 2 h: long enough to categorise a month of transactions without being
 * thrown out, short enough that a forgotten browser on a shared computer closes its session
 * before the next person sits down for long. Absolute 7 days: a household opens its tracker a
 * few times a week, so a weekly sign-in (with TOTP when enabled) is the natural rhythm, and a
 * stolen cookie dies within the week whatever its holder does. Stricter deployments lower both
 * (NIST 800-63B-4 AAL2: 1 h idle, 24 h absolute).
 */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
  /** lastSeenAt is written at most this often, so a page of requests costs one Redis write. */
  touchEveryMs: number;
  /**
   * How long after signing in (or re-authenticating) account security may be changed without
   * the password again: 15 minutes covers setting things up in one sitting, and bounds what a
   * browser left signed in lets the next person do.
   */
  recentAuthMs: number;
}

/** The default policy (see SessionPolicy for why). */
export const defaultSessionPolicy: SessionPolicy = {
  idleMs: 2 * 60 * 60 * 1000,
  absoluteMs: 7 * 24 * 60 * 60 * 1000,
  touchEveryMs: 60 * 1000,
  recentAuthMs: 15 * 60 * 1000,
};

/** Why a session has ended at `now`, or undefined while it is alive. */
export function sessionExpiry(
  session: Pick<SessionData, "createdAt" | "lastSeenAt">,
  now: number,
  policy: SessionPolicy,
): "idle" | "absolute" | undefined {
  if (now - session.createdAt >= policy.absoluteMs) return "absolute";
  if (now - session.lastSeenAt >= policy.idleMs) return "idle";
  return undefined;
}

/** How long the store should keep a session last seen at `lastSeenAt`: whichever limit is first. */
export function sessionTtl(
  session: Pick<SessionData, "createdAt">,
  lastSeenAt: number,
  policy: SessionPolicy,
): number {
  return Math.min(lastSeenAt + policy.idleMs, session.createdAt + policy.absoluteMs) - lastSeenAt;
}

/** Whether a request at `now` should record activity (see touchEveryMs). */
export function shouldTouch(lastSeenAt: number, now: number, policy: SessionPolicy): boolean {
  return now - lastSeenAt >= policy.touchEveryMs;
}

/** The id a session is shown under and stored by: sha256 of the secret id, base64url. */
export function publicIdOf(id: string): string {
  return sha256Base64url(id);
}

function parseData(json: string | null): SessionData | undefined {
  if (json === null) return undefined;
  try {
    const v = JSON.parse(json) as Partial<SessionData>;
    if (
      typeof v.userId !== "string" ||
      typeof v.createdAt !== "number" ||
      typeof v.lastSeenAt !== "number"
    )
      return undefined;
    return {
      userId: v.userId,
      // A session stored before sessions were bound to their tenant belongs to none.
      tenant: typeof v.tenant === "string" ? v.tenant : "",
      createdAt: v.createdAt,
      lastSeenAt: v.lastSeenAt,
      userAgent: typeof v.userAgent === "string" ? v.userAgent : "",
      ip: typeof v.ip === "string" ? v.ip : "",
    };
  } catch {
    return undefined;
  }
}

/**
 * Sessions in Redis. The key is `<prefix>session:<sha256(id)>`, so a dump of Redis (a backup, a
 * replica, MONITOR output) holds no cookie that could be replayed. `<prefix>user-sessions:<id>`
 * is a set of those hashes for listing and revoking a user's sessions.
 */
export function redisSessionStore(redis: Redis, prefix = "fintrack:"): SessionStore {
  const sessionKey = (publicId: string) => `${prefix}session:${publicId}`;
  const indexKey = (userId: string) => `${prefix}user-sessions:${userId}`;

  async function members(userId: string): Promise<SessionRecord[]> {
    const ids = await redis.smembers(indexKey(userId));
    if (ids.length === 0) return [];
    const values = await redis.mget(ids.map(sessionKey));
    const found: SessionRecord[] = [];
    const stale: string[] = [];
    ids.forEach((publicId, i) => {
      const data = parseData(values[i] ?? null);
      if (data?.userId === userId) found.push({ ...data, publicId });
      else stale.push(publicId);
    });
    if (stale.length > 0) await redis.srem(indexKey(userId), ...stale);
    return found;
  }

  return {
    async create(data, ttlMs, lifetimeMs) {
      const id = randomId(16);
      const publicId = publicIdOf(id);
      await redis
        .multi()
        .set(sessionKey(publicId), JSON.stringify(data), "PX", Math.max(1, Math.ceil(ttlMs)))
        .sadd(indexKey(data.userId), publicId)
        // Every session lives at most `lifetimeMs`, so the index outlives the newest one.
        .pexpire(indexKey(data.userId), Math.ceil(lifetimeMs))
        .exec();
      return id;
    },
    async get(id) {
      const publicId = publicIdOf(id);
      const data = parseData(await redis.get(sessionKey(publicId)));
      return data && { ...data, publicId };
    },
    async touch(id, lastSeenAt, ttlMs) {
      const key = sessionKey(publicIdOf(id));
      const data = parseData(await redis.get(key));
      if (!data || ttlMs <= 0) return;
      // XX: a session deleted between the read and this write stays deleted.
      await redis.set(key, JSON.stringify({ ...data, lastSeenAt }), "PX", Math.ceil(ttlMs), "XX");
    },
    async delete(id) {
      const publicId = publicIdOf(id);
      const data = parseData(await redis.get(sessionKey(publicId)));
      const tx = redis.multi().del(sessionKey(publicId));
      if (data) tx.srem(indexKey(data.userId), publicId);
      await tx.exec();
    },
    listForUser: members,
    async deleteByPublicId(userId, publicId) {
      if (!(await redis.sismember(indexKey(userId), publicId))) return false;
      const [[, deleted] = []] =
        (await redis.multi().del(sessionKey(publicId)).srem(indexKey(userId), publicId).exec()) ??
        [];
      return deleted === 1;
    },
    async deleteForUser(userId, exceptPublicId) {
      const ids = (await redis.smembers(indexKey(userId))).filter((p) => p !== exceptPublicId);
      if (ids.length === 0) return 0;
      const [[, deleted] = []] =
        (await redis
          .multi()
          .del(...ids.map(sessionKey))
          .srem(indexKey(userId), ...ids)
          .exec()) ?? [];
      return typeof deleted === "number" ? deleted : 0;
    },
  };
}

/**
 * Sessions in this process's memory, for `make demo` (no Redis): lost at restart and not shared
 * between replicas, which a single demo process does not need. Expired entries are dropped as
 * they are met.
 */
export function memorySessionStore(clock: () => number = Date.now): SessionStore {
  const sessions = new Map<string, { data: SessionData; expiresAt: number }>();

  function read(publicId: string): SessionData | undefined {
    const entry = sessions.get(publicId);
    if (!entry) return undefined;
    if (entry.expiresAt <= clock()) {
      sessions.delete(publicId);
      return undefined;
    }
    return entry.data;
  }
  function ofUser(userId: string): SessionRecord[] {
    return [...sessions.keys()].flatMap((publicId) => {
      const data = read(publicId);
      return data?.userId === userId ? [{ ...data, publicId }] : [];
    });
  }

  return {
    create(data, ttlMs) {
      // An abandoned session is never met again; sweep now and then so memory stays bounded.
      if (sessions.size > 1000) for (const publicId of sessions.keys()) read(publicId);
      const id = randomId(16);
      sessions.set(publicIdOf(id), { data: { ...data }, expiresAt: clock() + ttlMs });
      return Promise.resolve(id);
    },
    get(id) {
      const publicId = publicIdOf(id);
      const data = read(publicId);
      return Promise.resolve(data && { ...data, publicId });
    },
    touch(id, lastSeenAt, ttlMs) {
      const publicId = publicIdOf(id);
      const data = read(publicId);
      if (data && ttlMs > 0)
        sessions.set(publicId, { data: { ...data, lastSeenAt }, expiresAt: clock() + ttlMs });
      return Promise.resolve();
    },
    delete(id) {
      sessions.delete(publicIdOf(id));
      return Promise.resolve();
    },
    listForUser(userId) {
      return Promise.resolve(ofUser(userId));
    },
    deleteByPublicId(userId, publicId) {
      const mine = read(publicId)?.userId === userId;
      if (mine) sessions.delete(publicId);
      return Promise.resolve(mine);
    },
    deleteForUser(userId, exceptPublicId) {
      const doomed = ofUser(userId).filter((s) => s.publicId !== exceptPublicId);
      for (const s of doomed) sessions.delete(s.publicId);
      return Promise.resolve(doomed.length);
    },
  };
}
