import { setImmediate as nextTurn } from "node:timers/promises";
import type pg from "pg";
import {
  type Action,
  changeOf,
  type CompiledRule,
  compileRules,
  type Condition,
  type Rule,
  RULE_BUDGET_MS,
  type RuleChanges,
  type RuleSubject,
  runRules,
} from "../domain/rules.ts";
import { withAuditAction } from "./audit-context.ts";

// Rules run where transactions are written (create, import, recurring posting) as well as on
// demand, so running them lives here rather than in the rules routes.

/** A rule as stored. */
export interface RuleRow {
  id: string;
  name: string;
  position: number;
  enabled: boolean;
  match: "all" | "any";
  stop_processing: boolean;
  conditions: Condition[];
  actions: Action[];
}

/** The columns of a RuleRow, from `rules`. */
export const ruleColumns = `id::text, name, position, enabled, match, stop_processing, conditions, actions`;

/** A transaction as rules read it. */
export interface SubjectRow {
  id: string;
  account_id: string;
  date: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  category_id: string | null;
  tags: string[];
  is_transfer: boolean;
  has_splits: boolean;
}

/** The columns of a SubjectRow, from `transactions t`. */
export const subjectColumns = `t.id::text, t.account_id::text,
  to_char(t.booking_date, 'YYYY-MM-DD') as date, t.amount::text, t.currency, t.payee,
  t.description, t.notes, t.category_id::text, t.tags, t.transfer_group is not null as is_transfer,
  exists (select 1 from transaction_splits s where s.transaction_id = t.id) as has_splits`;

/** A transaction row as the rules engine takes it. */
export function subjectOf(row: SubjectRow): RuleSubject {
  return {
    id: row.id,
    accountId: row.account_id,
    date: row.date,
    amount: BigInt(row.amount),
    currency: row.currency,
    payee: row.payee,
    description: row.description,
    notes: row.notes,
    categoryId: row.category_id,
    tags: row.tags,
    isTransfer: row.is_transfer,
    hasSplits: row.has_splits,
  };
}

/** What one rule run changed on one transaction. */
export interface AppliedChange {
  transactionId: string;
  matchedRuleIds: string[];
  before: RuleChanges;
  after: RuleChanges;
}

/** The outcome of running rules on a batch of transactions. */
export interface ApplyOutcome {
  examined: number;
  changes: AppliedChange[];
  timedOut: string[];
}

async function loadRules(
  client: pg.Pool | pg.PoolClient,
  ruleIds?: readonly string[],
): Promise<Rule[]> {
  const { rows } = await client.query<RuleRow>(
    `select ${ruleColumns} from rules
     where enabled and ($1::bigint[] is null or id = any($1::bigint[]))
     order by position, rules.id`,
    [ruleIds ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    position: row.position,
    enabled: row.enabled,
    match: row.match,
    stopProcessing: row.stop_processing,
    conditions: row.conditions,
    actions: row.actions,
  }));
}

/**
 * Runs the enabled rules (or only `ruleIds`) on the given transactions inside the caller's SQL
 * transaction and writes what they change, unless `dryRun`. Reconciled transactions are left
 * alone (they are locked). The changes are audited as action "rule". For the import module:
 * call it with the ids just inserted, on the same client, before committing.
 */
export async function applyRulesToTransactions(
  client: pg.PoolClient,
  transactionIds: string[],
  options: { ruleIds?: readonly string[]; dryRun?: boolean } = {},
): Promise<ApplyOutcome> {
  const rules = compileRules(await loadRules(client, options.ruleIds));
  if (rules.length === 0 || transactionIds.length === 0) {
    return { examined: 0, changes: [], timedOut: [] };
  }
  const { rows } = await client.query<SubjectRow>(
    `select ${subjectColumns} from transactions t
     where t.id = any($1::bigint[]) and t.status <> 'reconciled'
     order by t.booking_date desc, t.id desc
     for no key update of t`,
    [transactionIds],
  );
  const changes: AppliedChange[] = [];
  const timedOut: string[] = [];
  let turnStarted = performance.now();
  for (const row of rows) {
    // One run is bounded (runRules' budgets), a batch of thousands is not: give the event loop
    // back about every RULE_BUDGET_MS so health checks and other requests are served during
    // a large import or apply.
    if (performance.now() - turnStarted > RULE_BUDGET_MS) {
      await nextTurn();
      turnStarted = performance.now();
    }
    const subject = subjectOf(row);
    const outcome = runRules(rules, subject);
    if (outcome.timedOut) timedOut.push(row.id);
    const change = changeOf(subject, outcome.changes);
    if (change === undefined) continue;
    changes.push({
      transactionId: row.id,
      matchedRuleIds: outcome.matchedRuleIds,
      before: change.before,
      after: change.after,
    });
  }
  if (!options.dryRun && changes.length > 0) await writeChanges(client, rows, changes);
  return { examined: rows.length, changes, timedOut };
}

async function writeChanges(
  client: pg.PoolClient,
  rows: readonly SubjectRow[],
  changes: readonly AppliedChange[],
): Promise<void> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const records = changes.map((change) => {
    const row = byId.get(change.transactionId);
    return {
      id: change.transactionId,
      category_id:
        change.after.categoryId === undefined
          ? (row?.category_id ?? null)
          : change.after.categoryId,
      tags: change.after.tags ?? row?.tags ?? [],
      payee: change.after.payee ?? row?.payee ?? "",
      notes: change.after.notes ?? row?.notes ?? "",
    };
  });
  await withAuditAction(client, "rule", async () => {
    // A category deleted since the rule was saved is skipped rather than failing the batch.
    await client.query(
      `update transactions t set
         category_id = case when u.category_id is null
           or exists (select 1 from categories c where c.id = u.category_id)
           then u.category_id else t.category_id end,
         tags = u.tags, payee = u.payee, notes = u.notes, updated_at = now()
       from jsonb_to_recordset($1::jsonb)
         as u (id bigint, category_id bigint, tags text[], payee text, notes text)
       where t.id = u.id`,
      [JSON.stringify(records)],
    );
  });
}

/** What the rules would do to one transaction not written yet. */
export interface WouldApply {
  matchedRuleIds: string[];
  changes: RuleChanges;
}

/**
 * The enabled rules, compiled, for wouldApply: loaded once for a batch of would-be
 * transactions (an import's preview), with each rule's name and actions for showing.
 */
export async function enabledRules(client: pg.Pool | pg.PoolClient): Promise<CompiledRule[]> {
  return compileRules(await loadRules(client));
}

/**
 * What `rules` would change on a transaction that is not written yet (a row of an import
 * being previewed), exactly as applyRulesToTransactions would decide once it is: the same
 * engine, run on the same fields, without writing anything.
 */
export function wouldApply(rules: readonly CompiledRule[], subject: RuleSubject): WouldApply {
  if (rules.length === 0) return { matchedRuleIds: [], changes: {} };
  const outcome = runRules(rules, subject);
  return { matchedRuleIds: outcome.matchedRuleIds, changes: outcome.changes };
}
