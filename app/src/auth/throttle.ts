import { isIPv6 } from "node:net";
import type { Redis } from "ioredis";

/**
 * A budget of attempts: `limit` attempts are free; each one after that must wait twice as long as
 * the previous (`baseDelayMs`, doubling, capped at `maxDelayMs`), so guessing slows to a crawl
 * but the rightful user is never locked out for good: the wait never exceeds the cap, and the
 * count is forgotten once nobody has tried for `windowMs`.
 */
export interface ThrottlePolicy {
  limit: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The budgets of sign-in attempts; see loginBudgets for which apply to an attempt. */
export interface LoginThrottlePolicy {
  /** One account from one client (an address, a trusted device or a signed-in session). */
  client: ThrottlePolicy;
  /** One account from every unknown client together: the ceiling a botnet runs into. */
  account: ThrottlePolicy;
  /** One address across every account (password spraying). */
  ip: ThrottlePolicy;
}

/**
 * Per account and client 5 free attempts; per account across unknown clients 100 a day, the
 * most NIST SP 800-63B section 5.2.2 allows ("no more than 100 consecutive failed attempts on a
 * single subscriber account"); per IP 50 (a household behind one NAT). Every wait is capped at
 * 15 minutes, so the owner is slowed at worst, never locked out.
 */
export const defaultLoginThrottle: LoginThrottlePolicy = {
  client: { limit: 5, windowMs: 15 * 60_000, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 },
  account: { limit: 100, windowMs: 24 * 60 * 60_000, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 },
  ip: { limit: 50, windowMs: 15 * 60_000, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 },
};

/** The attempts counted under one key, and when the last was. */
export interface ThrottleState {
  count: number;
  lastAt: number;
}

/** How long the `count`-th counted attempt makes the next one wait (0 while within the limit). */
export function backoffMs(count: number, policy: ThrottlePolicy): number {
  if (count < policy.limit) return 0;
  return Math.min(policy.baseDelayMs * 2 ** (count - policy.limit), policy.maxDelayMs);
}

/**
 * One attempt at `now`: either it must wait (`waitMs` > 0, nothing counted, so hammering during
 * a wait does not prolong it) or it is counted and may go ahead. Pure: the memory store runs it
 * as is and the Redis store runs the same steps in a Lua script.
 */
export function throttleStep(
  state: ThrottleState | undefined,
  now: number,
  policy: ThrottlePolicy,
): { state: ThrottleState; waitMs: number } {
  const current =
    state === undefined || now - state.lastAt >= policy.windowMs ? { count: 0, lastAt: 0 } : state;
  const waitMs = current.count === 0 ? 0 : current.lastAt + backoffMs(current.count, policy) - now;
  if (waitMs > 0) return { state: current, waitMs };
  return { state: { count: current.count + 1, lastAt: now }, waitMs: 0 };
}

/**
 * The throttling bucket of an address: an IPv4 address as is (also when IPv6-mapped), an IPv6
 * address by its /64, since one subscriber usually holds a whole /64 and could otherwise rotate
 * through billions of addresses to escape the per-IP budget.
 */
export function ipBucket(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4?.[1] !== undefined) return v4[1];
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === "" ? [] : tail.split(":");
  const groups = ip.includes("::")
    ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t]
    : h;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** How long a store keeps a key nobody touches: the wait may run to the cap, then a window. */
function keepMs(policy: ThrottlePolicy): number {
  return policy.windowMs + policy.maxDelayMs;
}

/**
 * Counters of attempts, shared by every replica in Redis. Attempts are counted before the
 * password is checked, so a burst of parallel guesses cannot all slip through a free slot.
 */
export interface Throttle {
  /** Counts an attempt under `key` and answers 0, or answers the milliseconds to wait first. */
  attempt(key: string, policy: ThrottlePolicy, now: number): Promise<number>;
  /** Forgets every attempt under `key` (a successful login resets its account's count). */
  reset(key: string): Promise<void>;
  /** Uncounts one attempt under `key` (a successful login does not eat into its IP's budget). */
  forgive(key: string): Promise<void>;
}

// The steps of throttleStep, atomically in Redis. KEYS[1] a hash {count, lastAt};
// ARGV now, limit, windowMs, baseDelayMs, maxDelayMs, keepMs. Returns the wait in ms, 0 = counted.
const attemptScript = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local lastAt = tonumber(redis.call('HGET', KEYS[1], 'lastAt') or '0')
if count > 0 and now - lastAt >= tonumber(ARGV[3]) then count = 0 end
if count >= limit then
  local delay = math.min(tonumber(ARGV[4]) * 2 ^ (count - limit), tonumber(ARGV[5]))
  local wait = lastAt + delay - now
  if wait > 0 then return math.ceil(wait) end
end
redis.call('HSET', KEYS[1], 'count', count + 1, 'lastAt', now)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 0
`;

const forgiveScript = `
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count > 0 then redis.call('HSET', KEYS[1], 'count', count - 1) end
return 0
`;

/** Throttle counters in Redis under `<prefix>throttle:<key>`. */
export function redisThrottle(redis: Redis, prefix = "fintrack:"): Throttle {
  const k = (key: string) => `${prefix}throttle:${key}`;
  return {
    async attempt(key, policy, now) {
      const wait = await redis.eval(
        attemptScript,
        1,
        k(key),
        Math.floor(now),
        policy.limit,
        policy.windowMs,
        policy.baseDelayMs,
        policy.maxDelayMs,
        keepMs(policy),
      );
      return Number(wait);
    },
    async reset(key) {
      await redis.del(k(key));
    },
    async forgive(key) {
      await redis.eval(forgiveScript, 1, k(key));
    },
  };
}

/** Throttle counters in memory, for `make demo`; keys idle for a window are swept. */
export function memoryThrottle(): Throttle {
  const states = new Map<string, ThrottleState & { keepUntil: number }>();
  function sweep(now: number) {
    if (states.size < 1000) return;
    for (const [key, s] of states) if (s.keepUntil <= now) states.delete(key);
  }
  return {
    attempt(key, policy, now) {
      sweep(now);
      const { state, waitMs } = throttleStep(states.get(key), now, policy);
      if (waitMs === 0) states.set(key, { ...state, keepUntil: now + keepMs(policy) });
      return Promise.resolve(Math.ceil(waitMs));
    },
    reset(key) {
      states.delete(key);
      return Promise.resolve();
    },
    forgive(key) {
      const s = states.get(key);
      if (s && s.count > 0) states.set(key, { ...s, count: s.count - 1 });
      return Promise.resolve();
    },
  };
}
