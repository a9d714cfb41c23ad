import type pg from "pg";
import { z } from "zod";
import { MAX_TAG_LENGTH } from "../domain/tags.ts";
import { errors } from "../errors.ts";
import { IdSchema, parseId } from "../http/ids.ts";

/**
 * Report filters by account, category (with its subcategories) and tag. The report aggregates
 * (category_days and friends) are kept per category and day without the account, so a filtered
 * report reads the ledger itself: the same lines the aggregate triggers add up (transfers left
 * out, a split transaction by its lines), filtered, then converted like the aggregates' sums.
 */

/** The most accounts one report filter names. */
export const MAX_FILTER_ACCOUNTS = 100;

const ID_LIST = /^[1-9][0-9]{0,18}(,[1-9][0-9]{0,18})*$/;
const IdListText = z.string().regex(ID_LIST, { message: "is not an id or a comma list of ids" });

/**
 * Account ids, repeated (`accountId=1&accountId=2`) or as a comma list (`accountId=1,2`); read as
 * one list of distinct ids.
 */
export const AccountIdsSchema = z
  .union([IdListText, z.array(IdListText).max(MAX_FILTER_ACCOUNTS)])
  .transform((value, ctx) => {
    const ids = [...new Set((Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")))];
    if (ids.length > MAX_FILTER_ACCOUNTS) {
      ctx.addIssue({ code: "custom", message: `at most ${String(MAX_FILTER_ACCOUNTS)} accounts` });
      return z.NEVER;
    }
    // The pattern allows 19 digits; past bigint's maximum it names no row and never can.
    if (ids.some((id) => parseId(id) === undefined)) {
      ctx.addIssue({ code: "custom", message: "is not an id" });
      return z.NEVER;
    }
    return ids;
  })
  .meta({
    description:
      "Only these accounts: repeat the parameter or give a comma list (`accountId=1,2`).",
  });

/** The filter query fields of the spending and cash-flow reports. */
export const ReportFilterQuery = {
  accountId: AccountIdsSchema.optional(),
  categoryId: IdSchema.optional().meta({
    description: "Only this category and its subcategories (split transactions by their lines).",
  }),
  tag: z
    .string()
    .trim()
    .min(1)
    .max(MAX_TAG_LENGTH)
    .optional()
    .meta({ description: "Only transactions with this tag." }),
};

/** The filters as a query gives them. */
export interface ReportFilterInput {
  accountId?: string[] | undefined;
  categoryId?: string | undefined;
  tag?: string | undefined;
}

/** A checked filter: account ids, the category with every category below it, a tag. */
export interface ReportFilter {
  accountIds: string[] | null;
  categoryIds: string[] | null;
  tag: string | null;
}

/** Those of `ids` that name no account. */
async function unknownAccounts(db: pg.Pool, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "select id::text from accounts where id = any($1::bigint[])",
    [ids],
  );
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/** The category `id` and every category below it; none when it does not exist. */
async function categorySubtree(db: pg.Pool, id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `with recursive tree (id) as (
       select id from categories where id = $1
       union
       select c.id from categories c join tree on c.parent_id = tree.id
     )
     select id::text from tree`,
    [id],
  );
  return rows.map((r) => r.id);
}

/**
 * The filter `query` asks for, its ids checked against the ledger (422 naming the field for one
 * that names nothing), the category widened to its subtree; undefined when nothing is filtered,
 * so the report takes its aggregate path.
 */
export async function resolveFilter(
  db: pg.Pool,
  query: ReportFilterInput,
): Promise<ReportFilter | undefined> {
  const { accountId, categoryId, tag } = query;
  if (accountId === undefined && categoryId === undefined && tag === undefined) return undefined;
  const [unknown, categoryIds] = await Promise.all([
    accountId === undefined ? [] : unknownAccounts(db, accountId),
    categoryId === undefined ? null : categorySubtree(db, categoryId),
  ]);
  const problems: { path: string; message: string }[] = [];
  if (unknown.length > 0) {
    problems.push({ path: "query.accountId", message: `no account ${unknown.join(", ")}` });
  }
  if (categoryIds?.length === 0) {
    problems.push({ path: "query.categoryId", message: `no category ${String(categoryId)}` });
  }
  if (problems.length > 0) throw errors.validation(problems);
  return { accountIds: accountId ?? null, categoryIds, tag: tag ?? null };
}

/** The filter's query parameters, in the order the SQL below numbers them from `first`. */
export function filterParams(filter: ReportFilter): unknown[] {
  return [filter.accountIds, filter.categoryIds, filter.tag];
}

/** The conditions on a transaction `t` of the range $1..$2: no transfer, account, tag. */
function transactionWhere(first: number): string {
  const accounts = `$${String(first)}::bigint[]`;
  const tag = `$${String(first + 2)}::text`;
  return `t.transfer_group is null and t.booking_date between $1::date and $2::date
    and (${accounts} is null or t.account_id = any(${accounts}))
    and (${tag} is null or t.tags @> array[${tag}])`;
}

/**
 * SQL of the ledger's rows (category_id, currency, day, inflow, outflow) from $1 to $2 under the
 * filter whose parameters start at $`first` (filterParams): day by day what category_days holds
 * for the matching transactions. A transaction counts under its category (0: none); each split
 * line under its own and, as the split trigger does, back out of bucket 0 on its transaction's
 * side, so a split transaction's bucket 0 nets to nothing. With a category filter only rows of
 * those categories remain.
 */
export function filteredCategoryRowsSql(first: number): string {
  const categories = `$${String(first + 1)}::bigint[]`;
  return `
    select m.category_id, m.currency, m.day, m.inflow, m.outflow from (
      select coalesce(t.category_id, 0) as category_id, t.currency, t.booking_date as day,
        greatest(t.amount, 0) as inflow, least(t.amount, 0) as outflow
      from transactions t where ${transactionWhere(first)}
      union all
      select x.category_id, t.currency, t.booking_date, x.inflow, x.outflow
      from transaction_splits s join transactions t on t.id = s.transaction_id
      cross join lateral (values
        (coalesce(s.category_id, 0), greatest(s.amount, 0), least(s.amount, 0)),
        (0, case when t.amount > 0 then -s.amount else 0 end,
          case when t.amount > 0 then 0 else -s.amount end)
      ) x (category_id, inflow, outflow)
      where ${transactionWhere(first)}
    ) m
    where ${categories} is null or m.category_id = any(${categories})`;
}

/**
 * SQL of the money out (currency, day, payee, tags, outflow) of the matching transactions from
 * $1 to $2, as payee_days and tag_days count it: whole transactions; with a category filter, the
 * transactions and split lines of those categories.
 */
export function filteredOutflowSql(first: number): string {
  const categories = `$${String(first + 1)}::bigint[]`;
  return `
    select t.currency, t.booking_date as day, t.payee, t.tags, least(t.amount, 0) as outflow
    from transactions t
    where ${transactionWhere(first)}
      and (${categories} is null or t.category_id = any(${categories}))
    union all
    select t.currency, t.booking_date, t.payee, t.tags, least(s.amount, 0)
    from transaction_splits s join transactions t on t.id = s.transaction_id
    where ${categories} is not null and s.category_id = any(${categories})
      and ${transactionWhere(first)}`;
}
