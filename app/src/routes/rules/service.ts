import type pg from "pg";
import { compileQuery, isPlainText, parseQuery, QueryError } from "../../domain/query-language.ts";
import {
  type Action,
  compileRules,
  type Condition,
  conditionProblems,
  previewRule,
} from "../../domain/rules.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { formatMinor } from "../../http/amounts.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import {
  type AppliedChange,
  applyRulesToTransactions,
  ruleColumns,
  type RuleRow,
  type SubjectRow,
  subjectColumns,
  subjectOf,
} from "../../write-model/rules-on-write.ts";
import {
  type ApplyFilter,
  type ApplyResultJson,
  type ApplyRules,
  type CreateRule,
  MAX_RULE_POSITION,
  PREVIEW_BUDGET_MS,
  PREVIEW_WINDOW,
  type PreviewResultJson,
  type PreviewRule,
  type RuleChangeJson,
  type RuleJson,
  type UpdateRule,
} from "./schema.ts";

type Queryable = pg.Pool | pg.PoolClient;

function present(row: RuleRow): RuleJson {
  return {
    id: row.id,
    name: row.name,
    position: row.position,
    enabled: row.enabled,
    match: row.match,
    stopProcessing: row.stop_processing,
    conditions: row.conditions,
    actions: row.actions,
  };
}

/** Every rule, in the order they run. */
export async function listRules(db: Queryable): Promise<RuleJson[]> {
  const { rows } = await db.query<RuleRow>(
    `select ${ruleColumns} from rules order by position, rules.id`,
  );
  return rows.map(present);
}

/** One rule; 404 when there is none with `id`. */
export async function getRule(db: Queryable, id: string): Promise<RuleJson> {
  const { rows } = await db.query<RuleRow>(`select ${ruleColumns} from rules where id = $1`, [id]);
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the rule");
  return present(row);
}

/**
 * Checks regexes, amounts and date ranges, and that named accounts and categories exist; the
 * problems' paths start at `at` (where the rule sits in the request body).
 */
async function ruleProblems(
  client: Queryable,
  conditions: readonly Condition[] | undefined,
  actions: readonly Action[] | undefined,
  at = "body",
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  (conditions ?? []).forEach((condition, index) => {
    for (const [field, message] of conditionProblems(condition)) {
      problems.push({ path: `${at}.conditions[${index}].${field}`, message });
    }
  });
  const accountIds = (conditions ?? []).flatMap((c) =>
    c.field === "account" ? [c.accountId] : [],
  );
  const categoryIds = (actions ?? []).flatMap((a) =>
    a.type === "setCategory" ? [a.categoryId] : [],
  );
  const { rows } = await client.query<{ accounts: string[]; categories: string[] }>(
    `select array(select id::text from accounts where id = any($1::bigint[])) as accounts,
       array(select id::text from categories where id = any($2::bigint[])) as categories`,
    [accountIds, categoryIds],
  );
  const accounts = new Set(rows[0]?.accounts);
  const categories = new Set(rows[0]?.categories);
  (conditions ?? []).forEach((c, index) => {
    if (c.field === "account" && !accounts.has(c.accountId)) {
      problems.push({ path: `${at}.conditions[${index}].accountId`, message: "is not an account" });
    }
  });
  (actions ?? []).forEach((a, index) => {
    if (a.type === "setCategory" && !categories.has(a.categoryId)) {
      problems.push({ path: `${at}.actions[${index}].categoryId`, message: "is not a category" });
    }
  });
  return problems;
}

/**
 * Stores a new rule; without a position it runs after every existing rule. 422 names unsafe
 * regexes and unknown accounts or categories.
 */
export async function createRule(db: pg.Pool, input: CreateRule, actor: string): Promise<RuleJson> {
  return withAuditedTransaction(db, { actor }, async (client) => {
    const problems = await ruleProblems(client, input.conditions, input.actions);
    if (problems.length > 0) throw errors.validation(problems);
    // Two rules created at once must not both read the same highest position: the lock (which
    // conflicts with itself and other rule writes, not with readers) makes the second wait for
    // the first to commit. At the limit the position ties and the newer id still runs last.
    if (input.position === undefined) {
      await client.query("lock table rules in share row exclusive mode");
    }
    const { rows } = await client.query<RuleRow>(
      `insert into rules (name, position, enabled, match, stop_processing, conditions, actions)
       values ($1, coalesce($2::int,
           (select least(coalesce(max(position) + 1, 0), ${MAX_RULE_POSITION}) from rules)),
         $3, $4, $5, $6::jsonb, $7::jsonb)
       returning ${ruleColumns}`,
      [
        input.name,
        input.position ?? null,
        input.enabled,
        input.match,
        input.stopProcessing,
        JSON.stringify(input.conditions),
        JSON.stringify(input.actions),
      ],
    );
    const row = rows[0];
    if (row === undefined) throw new Error("insert into rules returned no row");
    return present(row);
  });
}

/** Changes a rule; conditions and actions, when given, replace the stored lists. */
export async function updateRule(
  db: pg.Pool,
  id: string,
  patch: UpdateRule,
  actor: string,
): Promise<RuleJson> {
  return withAuditedTransaction(db, { actor }, async (client) => {
    const { rows } = await client.query<RuleRow>(
      `select ${ruleColumns} from rules where id = $1 for update`,
      [id],
    );
    const current = rows[0];
    if (current === undefined) throw errors.notFound("the rule");
    const problems = await ruleProblems(client, patch.conditions, patch.actions);
    if (problems.length > 0) throw errors.validation(problems);
    const { rows: updated } = await client.query<RuleRow>(
      `update rules set name = $2, position = $3, enabled = $4, match = $5, stop_processing = $6,
         conditions = $7::jsonb, actions = $8::jsonb, updated_at = now()
       where id = $1 returning ${ruleColumns}`,
      [
        id,
        patch.name ?? current.name,
        patch.position ?? current.position,
        patch.enabled ?? current.enabled,
        patch.match ?? current.match,
        patch.stopProcessing ?? current.stop_processing,
        JSON.stringify(patch.conditions ?? current.conditions),
        JSON.stringify(patch.actions ?? current.actions),
      ],
    );
    const row = updated[0];
    if (row === undefined) throw errors.notFound("the rule");
    return present(row);
  });
}

/** Deletes a rule; what it changed before stays changed. */
export async function deleteRule(db: pg.Pool, id: string, actor: string): Promise<void> {
  await withAuditedTransaction(db, { actor }, async (client) => {
    const { rowCount } = await client.query("delete from rules where id = $1", [id]);
    if (rowCount === 0) throw errors.notFound("the rule");
  });
}

/** The SQL condition of an apply filter's `q`; 422 at body.filter.q for a malformed query. */
function filterPredicate(q: string, add: (value: unknown) => string): string {
  if (isPlainText(q)) {
    return `t.search_text like '%' || lower(${add(q.replace(/[\\%_]/g, "\\$&"))}) || '%'`;
  }
  try {
    return compileQuery(parseQuery(q), add);
  } catch (error) {
    if (error instanceof QueryError) {
      throw errors.validation([{ path: "body.filter.q", message: error.message }]);
    }
    throw error;
  }
}

/** The SQL conditions choosing the transactions of an apply or preview: never reconciled ones. */
function filterWhere(filter: ApplyFilter, add: (value: unknown) => string): string[] {
  const where = ["t.status <> 'reconciled'"];
  if (filter.q !== undefined) where.push(filterPredicate(filter.q, add));
  if (filter.accountId !== undefined) where.push(`t.account_id = ${add(filter.accountId)}`);
  if (filter.from !== undefined) where.push(`t.booking_date >= ${add(filter.from)}::date`);
  if (filter.to !== undefined) where.push(`t.booking_date <= ${add(filter.to)}::date`);
  return where;
}

function toJson(change: AppliedChange): RuleChangeJson {
  return {
    transactionId: change.transactionId,
    matchedRuleIds: change.matchedRuleIds,
    before: change.before,
    after: change.after,
  };
}

/**
 * Runs rules on existing transactions chosen by `filter` (newest first, at most `limit`). A dry
 * run answers what would change without writing; otherwise the changes are written and audited.
 */
export async function applyRulesOnDemand(
  db: pg.Pool,
  input: ApplyRules,
  actor: string,
): Promise<ApplyResultJson> {
  if (input.ruleIds !== undefined) {
    const { rows } = await db.query<{ id: string }>(
      "select id::text from rules where id = any($1::bigint[])",
      [input.ruleIds],
    );
    const found = new Set(rows.map((row) => row.id));
    const problems = input.ruleIds.flatMap((id, index) =>
      found.has(id) ? [] : [{ path: `body.ruleIds[${index}]`, message: "is not a rule" }],
    );
    if (problems.length > 0) throw errors.validation(problems);
  }
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = filterWhere(input.filter, add);
  const take = add(input.limit + 1);
  return withAuditedTransaction(db, { actor }, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `select t.id::text from transactions t where ${where.join(" and ")}
       order by t.booking_date desc, t.id desc limit ${take}`,
      values,
    );
    const ids = rows.slice(0, input.limit).map((row) => row.id);
    const outcome = await applyRulesToTransactions(client, ids, {
      ...(input.ruleIds === undefined ? {} : { ruleIds: input.ruleIds }),
      dryRun: input.dryRun,
    });
    return {
      dryRun: input.dryRun,
      examined: outcome.examined,
      changes: outcome.changes.map(toJson),
      truncated: rows.length > input.limit,
      timedOut: outcome.timedOut,
    };
  });
}

/**
 * What an unsaved rule would change, without storing or writing anything: the draft runs alone
 * (as if enabled) on the most recent PREVIEW_WINDOW transactions `filter` chooses, newest
 * first, under the same regex checks as a saved rule and a time budget for the whole run.
 */
export async function previewDraftRule(
  db: pg.Pool,
  input: PreviewRule,
  budgetMs = PREVIEW_BUDGET_MS,
): Promise<PreviewResultJson> {
  const draft = input.rule;
  const problems = await ruleProblems(db, draft.conditions, draft.actions, "body.rule");
  if (problems.length > 0) throw errors.validation(problems);
  const [rule] = compileRules([
    {
      id: "draft",
      name: draft.name ?? "",
      position: 0,
      enabled: true,
      match: draft.match,
      stopProcessing: draft.stopProcessing,
      conditions: draft.conditions,
      actions: draft.actions,
    },
  ]);
  if (rule === undefined) throw new Error("a draft rule did not compile");
  const values: unknown[] = [];
  const add = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = filterWhere(input.filter, add);
  // A read without row locks: nothing is written, and typing must not block the ledger.
  const { rows } = await db.query<SubjectRow>(
    `select ${subjectColumns} from transactions t where ${where.join(" and ")}
     order by t.booking_date desc, t.id desc limit ${add(PREVIEW_WINDOW + 1)}`,
    values,
  );
  const window = rows.slice(0, PREVIEW_WINDOW).map(subjectOf);
  const outcome = previewRule(rule, window, { limit: input.limit, budgetMs });
  return {
    examined: outcome.examined,
    matched: outcome.matched,
    changes: outcome.changes.map(({ subject, before, after }) => ({
      transactionId: subject.id,
      accountId: subject.accountId,
      date: subject.date,
      payee: subject.payee,
      amount: formatMinor(subject.amount, subject.currency),
      currency: subject.currency,
      before,
      after,
    })),
    truncated: rows.length > PREVIEW_WINDOW,
    outOfTime: outcome.outOfTime,
  };
}
