import { createHash } from "node:crypto";
import type pg from "pg";
import { checkIfMatch, type IfMatch } from "../../http/preconditions.ts";
import { budgetPeriod } from "../../domain/budgets.ts";
import { errors, type FieldProblem } from "../../errors.ts";
import { withTransaction } from "../../db/transaction.ts";
import { amountAt, formatMinor } from "../../http/amounts.ts";
import { monthStartDay } from "../../read-model/budget-report.ts";
import type { BudgetsJson, PutBudgets } from "./schema.ts";

/** Sets the day budget months start on. */
export async function setMonthStartDay(
  db: pg.Pool,
  day: number,
): Promise<{ monthStartDay: number }> {
  await db.query("update budget_settings set month_start_day = $1", [day]);
  return { monthStartDay: day };
}

/** The budgets of `month` and its period. */
export async function getBudgets(
  db: pg.Pool | pg.PoolClient,
  base: string,
  month: string,
): Promise<BudgetsJson> {
  const startDay = await monthStartDay(db);
  const { rows } = await db.query<{ category_id: string; amount: string; rollover: boolean }>(
    `select b.category_id::text, b.amount::text,
       exists (select 1 from budget_rollovers r where r.category_id = b.category_id) as rollover
     from budgets b where b.month = $1::date order by b.category_id`,
    [`${month}-01`],
  );
  const lines = rows.map((r) => ({
    categoryId: r.category_id,
    amount: formatMinor(r.amount, base),
    rollover: r.rollover,
  }));
  return {
    month,
    ...budgetPeriod(month, startDay),
    monthStartDay: startDay,
    currency: base,
    lines,
    version: budgetsVersion(lines),
  };
}

/**
 * A month's budgets have no row of their own to carry a version, so their ETag is a digest of
 * the lines as GET shows them: any change to what the person saw (an amount, a line, a rollover
 * flag) changes it, and two identical months have the same one, as a strong validator may.
 */
function budgetsVersion(lines: BudgetsJson["lines"]): string {
  const canonical = lines.map((l) => `${l.categoryId}:${l.amount}:${String(l.rollover)}`).join(";");
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 22);
}

/** Replaces the budgets of `month`; 422 names bad amounts, unknown and repeated categories. */
export async function putBudgets(
  db: pg.Pool,
  base: string,
  month: string,
  input: PutBudgets,
  ifMatch?: IfMatch,
): Promise<BudgetsJson> {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const amounts = input.lines.map((line, index) => {
    if (seen.has(line.categoryId)) {
      problems.push({ path: `body.lines[${index}].categoryId`, message: "is repeated" });
    }
    seen.add(line.categoryId);
    const amount = amountAt(line.amount, base, `body.lines[${index}].amount`, problems);
    if (amount !== undefined && amount.minor < 0n) {
      problems.push({ path: `body.lines[${index}].amount`, message: "must not be negative" });
    }
    return amount?.minor ?? 0n;
  });
  await withTransaction(db, async (client) => {
    // Saves of one month take turns, so If-Match is checked against what the save replaces.
    await client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `fintrack.budgets.${month}`,
    ]);
    checkIfMatch(ifMatch, (await getBudgets(client, base, month)).version);
    const { rows } = await client.query<{ id: string }>(
      "select id::text from categories where id = any($1::bigint[]) for key share",
      [[...seen]],
    );
    const known = new Set(rows.map((r) => r.id));
    input.lines.forEach((line, index) => {
      if (!known.has(line.categoryId)) {
        problems.push({ path: `body.lines[${index}].categoryId`, message: "is not a category" });
      }
    });
    if (problems.length > 0) throw errors.validation(problems);
    // An upsert, then the month's other lines deleted: two saves of the same month at once
    // serialize on the rows they share (the later wins), where deleting first let both insert
    // the same rows and one fail on the primary key.
    await client.query(
      `insert into budgets (category_id, month, amount)
       select u.category_id, $1::date, u.amount
       from unnest($2::bigint[], $3::bigint[]) as u (category_id, amount)
       order by u.category_id -- rows locked in one order: two saves cannot deadlock
       on conflict (category_id, month) do update set amount = excluded.amount`,
      [`${month}-01`, input.lines.map((l) => l.categoryId), amounts.map(String)],
    );
    await client.query(
      "delete from budgets where month = $1::date and category_id <> all($2::bigint[])",
      [`${month}-01`, input.lines.map((l) => l.categoryId)],
    );
    const on = input.lines.filter((l) => l.rollover === true).map((l) => l.categoryId);
    const off = input.lines.filter((l) => l.rollover === false).map((l) => l.categoryId);
    await client.query(
      "insert into budget_rollovers select unnest($1::bigint[]) on conflict do nothing",
      [on],
    );
    await client.query("delete from budget_rollovers where category_id = any($1::bigint[])", [off]);
  });
  return getBudgets(db, base, month);
}
