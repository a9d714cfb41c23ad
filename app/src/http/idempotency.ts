import type { Request, Response } from "express";
import type pg from "pg";
import type { Principal } from "../auth/principal.ts";
import { errors } from "../errors.ts";
import { firstTransactionHook, isUniqueViolation } from "../db/transaction.ts";
import {
  decideOnKey,
  IDEMPOTENCY_KEY_TTL_HOURS,
  parseIdempotencyKey,
  type RecordedAnswer,
  REPLAYED_HEADERS,
  requestFingerprint,
  type StoredKey,
} from "./idempotency-key.ts";

/** The keys of one user, as PostgreSQL keeps them (migration 0013). */
export interface IdempotencyStore {
  /** The live (unexpired) key, or undefined. */
  find: (userId: string, key: string) => Promise<StoredKey | undefined>;
  /**
   * Claims the key inside the write's own transaction. A concurrent request holding the same key
   * makes this wait for it; once it commits, this one is refused with 409 and rolls back.
   */
  claim: (client: pg.PoolClient, userId: string, key: string, fingerprint: string) => Promise<void>;
  /**
   * Records the answer: on the claimed row, or (`claimed` false: the route wrote without a
   * transaction of withTransaction, or wrote nothing) as a new row. Prunes a batch of expired keys.
   */
  record: (
    userId: string,
    key: string,
    fingerprint: string,
    answer: RecordedAnswer,
    claimed: boolean,
  ) => Promise<void>;
  /** Forgets the key: its answer must not be replayed. */
  forget: (userId: string, key: string) => Promise<void>;
}

const ttl = `${String(IDEMPOTENCY_KEY_TTL_HOURS)} hours`;
const PRUNE_BATCH = 100;

/** The store of Idempotency-Keys in the app's database. */
export function idempotencyStore(db: pg.Pool): IdempotencyStore {
  return {
    find: async (userId, key) => {
      const { rows } = await db.query<{
        fingerprint: string;
        claimed_at: Date;
        response_status: number | null;
        response_headers: Record<string, string> | null;
        response_body: string | null;
      }>(
        `select fingerprint, claimed_at, response_status, response_headers, response_body
         from idempotency_keys where user_id = $1 and key = $2 and expires_at > now()`,
        [userId, key],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      return {
        fingerprint: row.fingerprint,
        claimedAt: row.claimed_at.getTime(),
        answer:
          row.response_status === null
            ? undefined
            : {
                status: row.response_status,
                headers: row.response_headers ?? {},
                body: row.response_body,
              },
      };
    },
    claim: async (client, userId, key, fingerprint) => {
      // An expired row not yet pruned is taken over; a live one (committed meanwhile by a
      // concurrent request) leaves no row updated.
      const { rowCount } = await client
        .query(
          `insert into idempotency_keys (user_id, key, fingerprint, expires_at)
           values ($1, $2, $3, now() + $4::interval)
           on conflict (user_id, key) do update
             set fingerprint = excluded.fingerprint, claimed_at = now(),
                 expires_at = excluded.expires_at, response_status = null,
                 response_headers = null, response_body = null
             where idempotency_keys.expires_at <= now()`,
          [userId, key, fingerprint, ttl],
        )
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? errors.idempotencyKeyInProgress() : error;
        });
      if (rowCount === 0) throw errors.idempotencyKeyInProgress();
    },
    record: async (userId, key, fingerprint, answer, claimed) => {
      const recorded = [answer.status, JSON.stringify(answer.headers), answer.body];
      if (claimed) {
        await db.query(
          `update idempotency_keys
           set response_status = $3, response_headers = $4::jsonb, response_body = $5
           where user_id = $1 and key = $2`,
          [userId, key, ...recorded],
        );
      } else {
        await db.query(
          `insert into idempotency_keys (user_id, key, fingerprint, expires_at,
             response_status, response_headers, response_body)
           values ($1, $2, $3, now() + $4::interval, $5, $6::jsonb, $7)
           on conflict (user_id, key) do nothing`,
          [userId, key, fingerprint, ttl, ...recorded],
        );
      }
      await db.query(
        // SKIP LOCKED: an expired row another request is taking over (or pruning) is left to
        // it; waiting on its lock held a writer for seconds under load.
        `delete from idempotency_keys where (user_id, key) in (
           select user_id, key from idempotency_keys where expires_at <= now()
           limit $1 for update skip locked)`,
        [PRUNE_BATCH],
      );
    },
    forget: async (userId, key) => {
      await db.query("delete from idempotency_keys where user_id = $1 and key = $2", [userId, key]);
    },
  };
}

/** The answer a handler's result makes, as mountRoutes sends it. */
function answerOf(res: Response, status: number, result: unknown): RecordedAnswer {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (typeof value === "string") headers[name] = value;
  }
  const empty = result === undefined || status === 204;
  return { status, headers, body: empty ? null : JSON.stringify(result) };
}

function replay(res: Response, answer: RecordedAnswer): void {
  res.status(answer.status).set(answer.headers).set("Idempotent-Replayed", "true");
  if (answer.body === null) res.end();
  else res.type("application/json").send(answer.body);
}

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Runs `handle` (which returns the JSON body of a `status` answer, or undefined having answered
 * `res` itself) under the request's `Idempotency-Key`, when an authenticated unsafe request
 * sends one: a retry of a completed request replays its answer without running again, another
 * request reusing the key gets 422, a retry while the first runs gets 409. The key is claimed
 * in the first SQL transaction the handler commits, so the write and the key commit together.
 * Answers that set a cookie are never recorded (a session is not replayed), and errors are not
 * recorded either: nothing was written, so the retry may run again. A route that writes outside
 * withTransaction has its answer recorded afterwards, which replays retries but cannot stop two
 * concurrent ones: every booking of money goes through withTransaction.
 */
export async function idempotently(
  store: IdempotencyStore | undefined,
  request: { req: Request; res: Response; principal: Principal | undefined; status: number },
  handle: () => Promise<unknown>,
): Promise<unknown> {
  const { req, res, principal, status } = request;
  if (store === undefined || principal === undefined || !unsafe.has(req.method)) return handle();
  const key = parseIdempotencyKey(req.get("idempotency-key"));
  if (key === undefined) return handle();
  const { userId } = principal;
  const fingerprint = requestFingerprint({
    method: req.method,
    url: req.originalUrl,
    body: req.body,
  });
  const decision = decideOnKey(await store.find(userId, key), fingerprint, Date.now());
  if (decision.action === "refuse") throw decision.error;
  if (decision.action === "replay") {
    replay(res, decision.answer);
    return undefined;
  }
  const claimed = firstTransactionHook((client) => store.claim(client, userId, key, fingerprint));
  const result = await claimed.run(handle).catch((error: unknown) => {
    // The write committed with its key and what came after it failed (reading it back as the
    // database went away): it must not run again, and a 503 would ask for exactly that.
    throw claimed.committed() ? errors.idempotencyAnswerLost(error) : error;
  });
  if (res.getHeader("set-cookie") !== undefined) {
    await store.forget(userId, key);
    return result;
  }
  // An answer the handler sent itself is not known here: when its write committed with the key,
  // a retry gets 409, never a second run.
  if (!res.headersSent) {
    // The write is done: its answer stands even when recording it fails (the database went away
    // just after the commit). A 503 here would tell the client "not applied, send it again" of a
    // write that was applied, and every retry would meet the key claimed without an answer.
    await store
      .record(userId, key, fingerprint, answerOf(res, status, result), claimed.committed())
      .catch(() => undefined);
  }
  return result;
}
