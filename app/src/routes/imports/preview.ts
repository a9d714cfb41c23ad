import { setImmediate as nextTurn } from "node:timers/promises";
import type pg from "pg";
import { allowLongWork } from "../../db/pool.ts";
import { formatAmount, money } from "../../domain/money.ts";
import type { CompiledRule, RuleChanges, RuleSubject } from "../../domain/rules.ts";
import { enabledRules, wouldApply } from "../../write-model/rules-on-write.ts";
import { type CommitPlan, stageAndClassify } from "./commit.ts";
import { type ImportPreview, PREVIEW_ROWS } from "./schema.ts";

// A preview runs the commit's own staging and classification (stageAndClassify) in a
// transaction that is always rolled back, then the rules engine on each new row as the commit
// would insert it: so what it shows is what the commit books, without writing anything.

const RULE_BATCH = 10_000;
// Give the event loop back this often while rules run over a large file (as rules-on-write does).
const TURN_MS = 50;

/** Runs `work` in a transaction that is rolled back however it ends. */
async function rolledBack<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    await client.query("begin");
    return await work(client);
  } finally {
    await client.query("rollback").catch((error: unknown) => {
      broken = error instanceof Error ? error : new Error(String(error));
    });
    client.release(broken);
  }
}

interface NewRow {
  seq: number;
  date: string;
  amount: string;
  payee: string;
  description: string;
  has_splits: boolean;
}

// A new row as the commit inserts it and then hands it to the rules: no category, tags or notes,
// not a transfer; the id is the row's place in the file, since rules do not read it.
function subjectOf(row: NewRow, accountId: string, currency: string): RuleSubject {
  return {
    id: `row-${String(row.seq)}`,
    accountId,
    date: row.date,
    amount: BigInt(row.amount),
    currency,
    payee: row.payee,
    description: row.description,
    notes: "",
    categoryId: null,
    tags: [],
    isTransfer: false,
    hasSplits: row.has_splits,
  };
}

interface RuleRun {
  matchedRuleIds: string[];
  changes: RuleChanges;
}

/**
 * The rules over every new row (for the counts), keeping each outcome of the rows in `keep`
 * (the ones listed).
 */
async function runOverNewRows(
  client: pg.PoolClient,
  rules: readonly CompiledRule[],
  plan: { accountId: string; currency: string },
  keep: ReadonlySet<number>,
): Promise<{ ruleMatched: number; categorised: number; kept: Map<number, RuleRun> }> {
  const kept = new Map<number, RuleRun>();
  let ruleMatched = 0;
  let categorised = 0;
  if (rules.length === 0) return { ruleMatched, categorised, kept };
  let after = 0;
  let turnStarted = performance.now();
  for (;;) {
    const { rows } = await client.query<NewRow>(
      `select seq, to_char(booking_date, 'YYYY-MM-DD') as date, amount::text, payee, description,
         splits is not null as has_splits
       from import_classified where duplicate is null and seq > $1 order by seq limit $2`,
      [after, RULE_BATCH],
    );
    for (const row of rows) {
      if (performance.now() - turnStarted > TURN_MS) {
        await nextTurn();
        turnStarted = performance.now();
      }
      const run = wouldApply(rules, subjectOf(row, plan.accountId, plan.currency));
      if (Object.keys(run.changes).length > 0) ruleMatched += 1;
      if (typeof run.changes.categoryId === "string") categorised += 1;
      if (keep.has(row.seq)) kept.set(row.seq, run);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < RULE_BATCH) break;
    after = last.seq;
  }
  return { ruleMatched, categorised, kept };
}

interface ListedRow {
  seq: number;
  line: number;
  date: string;
  amount: string;
  payee: string;
  description: string;
  external_id: string | null;
  duplicate: "bank_id" | "fingerprint" | "matched" | null;
  dup_id: string | null;
  dup_date: string | null;
  dup_payee: string | null;
  dup_amount: string | null;
  dup_line: number | null;
}

// The first rows with what each duplicates: the hand-entered twin, the transaction with the same
// bank id or fingerprint (the first, when several), or the earlier line with the same bank id.
const LISTED_ROWS = `
select c.seq, c.line, to_char(c.booking_date, 'YYYY-MM-DD') as date, c.amount::text,
  c.payee, c.description, c.external_id, c.duplicate,
  d.id::text as dup_id, to_char(d.booking_date, 'YYYY-MM-DD') as dup_date, d.payee as dup_payee,
  d.amount::text as dup_amount, e.line as dup_line
from (select * from import_classified order by seq limit $2) c
left join lateral (
  (select t.id, t.booking_date, t.payee, t.amount from transactions t
   where c.duplicate = 'matched' and t.id = c.matched_id)
  union all
  (select t.id, t.booking_date, t.payee, t.amount from transactions t
   where c.duplicate = 'bank_id' and t.account_id = $1 and t.external_id = c.external_id
   order by t.id limit 1)
  union all
  (select t.id, t.booking_date, t.payee, t.amount from transactions t
   where c.duplicate = 'fingerprint' and t.account_id = $1
     and t.import_fingerprint = c.fingerprint and (c.external_id is null or t.external_id is null)
   order by t.id limit 1)
  limit 1
) d on true
left join lateral (
  select min(o.line) as line from import_classified o
  where c.duplicate = 'bank_id' and d.id is null and o.external_id = c.external_id
    and o.seq < c.seq
) e on true
order by c.seq`;

// Minor units as the API's decimal text ("-12.34").
const decimal = (minor: string, currency: string) => formatAmount(money(BigInt(minor), currency));

/** The names of the categories `ids` (rules may name one deleted since: it has none). */
async function categoryNames(
  client: pg.PoolClient,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; name: string }>(
    "select id::text, name from categories where id = any($1::bigint[])",
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** What a rule's own actions set, as the preview shows it. */
function ruleSets(rule: CompiledRule["rule"], names: ReadonlyMap<string, string>) {
  const sets: ImportPreview["rows"][number]["rules"][number]["sets"] = {};
  for (const action of rule.actions) {
    if (action.type === "setCategory") {
      sets.category = { id: action.categoryId, name: names.get(action.categoryId) ?? "(deleted)" };
    } else if (action.type === "setPayee") sets.payee = action.payee;
    else if (action.type === "setNotes") sets.notes = action.notes;
    else sets.tags = [...(sets.tags ?? []), action.tag];
  }
  return sets;
}

type PreviewRow = ImportPreview["rows"][number];

/** What a duplicate row repeats: a transaction of the account, or an earlier line of the file. */
function presentDuplicate(row: ListedRow, currency: string): PreviewRow["duplicate"] {
  if (row.duplicate === null) return null;
  const transaction =
    row.dup_id === null
      ? null
      : {
          id: row.dup_id,
          date: row.dup_date ?? "",
          payee: row.dup_payee ?? "",
          amount: decimal(row.dup_amount ?? "0", currency),
        };
  return { reason: row.duplicate, transaction, line: row.dup_line };
}

/** One listed row: the bank's texts, and what the rules' run (new rows only) would book. */
function presentRow(
  row: ListedRow,
  run: RuleRun | undefined,
  known: {
    names: ReadonlyMap<string, string>;
    rules: ReadonlyMap<string, CompiledRule["rule"]>;
    currency: string;
  },
): PreviewRow {
  const categoryId = run?.changes.categoryId ?? null;
  return {
    line: row.line,
    date: row.date,
    amount: decimal(row.amount, known.currency),
    bankPayee: row.payee,
    bankText: row.description,
    bankId: row.external_id,
    payee: run?.changes.payee ?? row.payee,
    description: row.description,
    category:
      categoryId === null
        ? null
        : { id: categoryId, name: known.names.get(categoryId) ?? "(deleted)" },
    tags: run?.changes.tags ?? [],
    notes: run?.changes.notes ?? "",
    duplicate: presentDuplicate(row, known.currency),
    rules: (run?.matchedRuleIds ?? []).flatMap((id) => {
      const rule = known.rules.get(id);
      return rule === undefined ? [] : [{ id, name: rule.name, sets: ruleSets(rule, known.names) }];
    }),
  };
}

/**
 * What committing the import with `plan` would book, without booking it: counts over the whole
 * file, and its first `limit` rows each with the bank's texts, what would be booked, and why it
 * would be skipped or which rules would change it.
 */
export async function previewImport(
  db: pg.Pool,
  plan: CommitPlan,
  limit = PREVIEW_ROWS,
): Promise<ImportPreview> {
  return rolledBack(db, async (client) => {
    await allowLongWork(client);
    const classified = await stageAndClassify(db, client, plan, "preview");
    const { rows: accounts } = await client.query<{ name: string }>(
      "select name from accounts where id = $1",
      [plan.accountId],
    );
    const { rows: counted } = await client.query<{ new: number; duplicates: number }>(
      `select count(*) filter (where duplicate is null)::int as new,
         count(*) filter (where duplicate is not null)::int as duplicates from import_classified`,
    );
    const { rows: listed } = await client.query<ListedRow>(LISTED_ROWS, [plan.accountId, limit]);
    const rules = classified.anyNew ? await enabledRules(client) : [];
    const byId = new Map(rules.map((r) => [r.rule.id, r.rule]));
    const runs = await runOverNewRows(
      client,
      rules,
      { accountId: plan.accountId, currency: classified.currency },
      new Set(listed.filter((r) => r.duplicate === null).map((r) => r.seq)),
    );
    const names = await categoryNames(client, [
      ...rules.flatMap((r) =>
        r.rule.actions.flatMap((a) => (a.type === "setCategory" ? [a.categoryId] : [])),
      ),
    ]);
    return {
      importId: plan.importId,
      account: { id: plan.accountId, name: accounts[0]?.name ?? "", currency: classified.currency },
      counts: {
        rows: classified.totals.rows,
        new: counted[0]?.new ?? 0,
        duplicates: counted[0]?.duplicates ?? 0,
        ruleMatched: runs.ruleMatched,
        categorised: runs.categorised,
      },
      rows: listed.map((row) =>
        presentRow(row, runs.kept.get(row.seq), {
          names,
          rules: byId,
          currency: classified.currency,
        }),
      ),
      truncated: classified.totals.rows > listed.length,
    };
  });
}
