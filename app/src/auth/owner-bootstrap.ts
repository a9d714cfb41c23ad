import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type { Logger } from "pino";
import type { ReadinessCheck } from "../health.ts";
import { ensureAdmin, type HouseholdSetup } from "./bootstrap.ts";

/** The configured owner's creation: started once at boot, watched by readiness. */
export interface OwnerBootstrap {
  /** Creates the owner, retrying while PostgreSQL is away; `stop` ends the retries at once. */
  run: (stop: AbortSignal) => Promise<void>;
  /** Fails until the configured owner exists, naming why (never the password). */
  readiness: ReadinessCheck;
}

/**
 * Creates the owner from FINTRACK_ADMIN_EMAIL (and, with it, `setUp`: the new household's
 * starter categories) and keeps the app not-ready until that user exists. Failing closed matters: while the configured owner is missing the household has no
 * owner, and an app that reported ready would be handed visitors who could try to claim it.
 * Readiness asks the database rather than this process, so a replica whose own attempt failed
 * still turns ready once another replica (or an earlier run) created the owner. It asks for the
 * email, not the role, as ensureAdmin does: ownership may since have been handed on.
 */
export function ownerBootstrap(
  pool: pg.Pool,
  admin: { email: string; password: string },
  log: Logger,
  setUp?: HouseholdSetup,
): OwnerBootstrap {
  let failure = "not created yet";
  return {
    run: async (stop) => {
      for (let attempt = 0; !stop.aborted; attempt++) {
        try {
          const result = await ensureAdmin(pool, admin, setUp);
          log.info({ userId: result.userId, created: result.created }, "owner account ensured");
          return;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // A password that breaks the policy will not get better by retrying; ensureAdmin's
          // message names the policy rule, never the password.
          if (message.startsWith("FINTRACK_ADMIN_PASSWORD_FILE")) {
            failure = `cannot be created: ${message}`;
            log.error(
              { error: message },
              "the owner account cannot be created: the app stays not-ready",
            );
            return;
          }
          log.warn({ error: message, attempt }, "cannot create the owner account yet; retrying");
          await sleep(Math.min(5000, 250 * 2 ** attempt), undefined, { signal: stop }).catch(
            () => undefined, // stopped: the loop ends
          );
        }
      }
    },
    readiness: {
      name: "owner",
      check: async () => {
        const { rows } = await pool.query("select 1 from users where lower(email) = lower($1)", [
          admin.email.trim(),
        ]);
        if (rows.length === 0)
          throw new Error(`the configured owner (FINTRACK_ADMIN_EMAIL) ${failure}`);
      },
    },
  };
}
