import type pg from "pg";
import { z } from "zod";
import { isCurrency } from "../../domain/currencies.ts";
import { errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import { IdSchema } from "../../http/ids.ts";
import { formatMinor } from "../../http/amounts.ts";
import { problemResponse } from "../../http/schema.ts";

/** What the audit log records changes of. */
export const AuditEntitySchema = z.enum([
  "transaction",
  "transaction_split",
  "account",
  "reconciliation",
  "rule",
  "user",
]);

/** `GET /audit`: one object's history (entity and id) or one kind's, newest first. */
export const AuditQuerySchema = z.object({
  entity: AuditEntitySchema.optional(),
  id: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: IdSchema.optional(),
});

const StateSchema = z.record(z.string(), z.unknown()).nullable();

/** One audit entry: who did what to which object when, with the state before and after. */
export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  before: StateSchema,
  after: StateSchema,
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = z.object({
  data: z.array(AuditEntrySchema),
  nextCursor: z.string().nullable(),
});

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
}

const MONEY_KEYS = new Set(["amount", "opening_balance"]);

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * A stored row state in the API's shape: camelCase keys, ids as strings, amounts as decimal
 * strings in the row's currency (statement balances stay minor units: their currency is the
 * account's, which the row does not carry).
 */
export function presentState(state: unknown): Record<string, unknown> | null {
  if (Array.isArray(state)) return { lines: state.map(presentState) };
  if (typeof state !== "object" || state === null) return null;
  const entries = Object.entries(state as Record<string, unknown>);
  const currency = entries.find(([key]) => key === "currency")?.[1];
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (
      MONEY_KEYS.has(key) &&
      typeof value === "number" &&
      typeof currency === "string" &&
      isCurrency(currency)
    ) {
      out[camel(key)] = formatMinor(BigInt(value), currency);
    } else if (
      typeof value === "number" &&
      (key === "id" || key.endsWith("_id") || key.endsWith("_balance") || key === "position")
    ) {
      out[camel(key)] = String(value);
    } else {
      out[camel(key)] = value;
    }
  }
  return out;
}

/** The audit routes: reading the append-only history of money data. */
export function auditRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/audit",
      operationId: "listAudit",
      summary: "Read the audit log, newest first",
      description:
        "Every create, update, delete, import, import_undo (the deletes of undoing an import), " +
        "reconcile, unlock, rule and recurring change of transactions, split lines, accounts, " +
        "reconciliations and rules, with who made it and the state before and after; and the " +
        "owner's role_change, password_reset and user_remove of users (their role, never a " +
        "secret). `entity` " +
        "and `id` narrow it to one object's history. Pass `nextCursor` as `cursor` for older " +
        "entries.",
      tag: "audit",
      access: "read",
      query: AuditQuerySchema,
      responses: {
        200: { description: "One page of entries", schema: AuditPageSchema },
        422: problemResponse("Invalid filters"),
      },
      handler: async ({ query }) => {
        if (query.id !== undefined && query.entity === undefined) {
          throw errors.validation([{ path: "query.entity", message: "is required with id" }]);
        }
        // Ordered by the column, not by the text `id` of the select list: as text "10" < "9".
        const { rows } = await db.query<AuditRow>(
          `select id::text, at, actor_id::text, action, entity, entity_id, before, after
           from audit_log
           where ($1::text is null or entity = $1) and ($2::text is null or entity_id = $2)
             and ($3::bigint is null or id < $3)
           order by audit_log.id desc limit $4`,
          [query.entity ?? null, query.id ?? null, query.cursor ?? null, query.limit + 1],
        );
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return {
          data: page.map((row): AuditEntry => ({
            id: row.id,
            at: row.at.toISOString(),
            actorId: row.actor_id,
            action: row.action,
            entity: row.entity,
            entityId: row.entity_id,
            before: presentState(row.before),
            after: presentState(row.after),
          })),
          nextCursor: rows.length > query.limit && last !== undefined ? last.id : null,
        };
      },
    }),
  ];
}
