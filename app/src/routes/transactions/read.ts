import type pg from "pg";
import {
  compileQuery,
  isPlainText,
  parseQuery,
  QueryError,
  type QueryNode,
} from "../../domain/query-language.ts";
import { errors } from "../../errors.ts";
import { withTransaction } from "../../db/transaction.ts";
import { formatMinor } from "../../http/amounts.ts";
import { type Cursor, decodeCursor, encodeCursor } from "./cursor.ts";
import type {
  ListTransactionsQuery,
  TransactionFilters,
  TransactionJson,
  TransactionSummaryJson,
} from "./schema.ts";

/** A pool or one of its connections. */
export type Queryable = pg.Pool | pg.PoolClient;

/** A transaction as the detail query selects it. */
export interface TransactionRow {
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
  status: TransactionJson["status"];
  version: string;
  splits: { amount: string; categoryId: string | null; memo: string }[] | null;
  transfer_account_id: string | null;
  transfer_amount: string | null;
  transfer_currency: string | null;
}

/**
 * The full transactions of a page: `page` selects (booking_date, id) of the rows in order; the
 * split lines and the other side of a transfer are joined for those rows only, through their
 * indexes, never per row of the whole table.
 */
export function withDetails(page: string): string {
  return `with page as (${page})
select t.id::text, t.account_id::text, to_char(t.booking_date, 'YYYY-MM-DD') as date,
  t.amount::text, t.currency, t.payee, t.description, t.notes, t.category_id::text, t.tags,
  t.status, t.version::text, sp.splits, tr.account_id as transfer_account_id, tr.amount as transfer_amount,
  tr.currency as transfer_currency
from page p
join transactions t on t.id = p.id
left join lateral (
  select json_agg(json_build_object('amount', s.amount::text, 'categoryId', s.category_id::text,
    'memo', s.memo) order by s.position) as splits
  from transaction_splits s where s.transaction_id = t.id
) sp on true
left join lateral (
  select o.account_id::text, o.amount::text, o.currency from transactions o
  where o.transfer_group = t.transfer_group and o.id <> t.id
  limit 1
) tr on true
order by p.booking_date desc, p.id desc`;
}

/** A transaction row as the API shows it, amounts in their currencies' precision. */
export function presentTransaction(row: TransactionRow): TransactionJson {
  const transfer =
    row.transfer_account_id !== null && row.transfer_amount !== null && row.transfer_currency
      ? {
          accountId: row.transfer_account_id,
          amount: formatMinor(row.transfer_amount, row.transfer_currency),
        }
      : null;
  return {
    id: row.id,
    accountId: row.account_id,
    date: row.date,
    amount: formatMinor(row.amount, row.currency),
    currency: row.currency,
    payee: row.payee,
    description: row.description,
    notes: row.notes,
    categoryId: row.category_id,
    tags: row.tags,
    splits: (row.splits ?? []).map((split) => ({
      amount: formatMinor(split.amount, row.currency),
      categoryId: split.categoryId,
      memo: split.memo,
    })),
    transfer,
    status: row.status,
    version: row.version,
  };
}

/** One transaction; 404 when there is none with `id`. */
export async function getTransaction(db: Queryable, id: string): Promise<TransactionJson> {
  const { rows } = await db.query<TransactionRow>(
    withDetails("select booking_date, id from transactions where id = $1"),
    [id],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the transaction");
  return presentTransaction(row);
}

/** Collects query parameters and hands out their placeholders. */
class Params {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** What a list page is filtered by, with the category already expanded to its subtree. */
export interface ListFilter {
  accountId?: string | undefined;
  /** The category and its descendants. */
  categoryIds?: readonly string[] | undefined;
  tag?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  /** A query in the search language (field terms), compiled to a predicate of its own. */
  search?: QueryNode | undefined;
  status?: string | undefined;
  after?: Cursor | undefined;
  /** Rows to fetch: one more than the page, to know whether another page follows. */
  take: number;
}

/** `%`, `_` and the escape character itself taken literally in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

// lower() in SQL, like the generated search_text, so both fold case the same way.
function qPredicate(alias: string, params: Params, q: string): string {
  return `${alias}.search_text like '%' || lower(${params.add(escapeLike(q))}) || '%'`;
}

/**
 * How page keys are ordered: "index" lets the planner walk a page index in order and stop
 * after `take` rows; "sort" orders by an expression no index provides, which leaves it the
 * filters' own indexes (the trigram index) and a top-N sort of what they find.
 */
type Order = "index" | "sort";

/**
 * The plain predicates of the filters over the row `t`, the category filter and the cursor
 * apart: the list and the summary share them, so both select exactly the same rows.
 */
function filterPredicates(filter: Omit<ListFilter, "take">, params: Params): string[] {
  const where: string[] = [];
  if (filter.accountId !== undefined) where.push(`t.account_id = ${params.add(filter.accountId)}`);
  if (filter.tag !== undefined) where.push(`t.tags @> array[${params.add(filter.tag)}]::text[]`);
  if (filter.from !== undefined) where.push(`t.booking_date >= ${params.add(filter.from)}::date`);
  if (filter.to !== undefined) where.push(`t.booking_date <= ${params.add(filter.to)}::date`);
  if (filter.status !== undefined) where.push(`t.status = ${params.add(filter.status)}`);
  if (filter.q !== undefined) where.push(qPredicate("t", params, filter.q));
  if (filter.search !== undefined) {
    where.push(compileQuery(filter.search, (value) => params.add(value)));
  }
  return where;
}

/**
 * The (booking_date, id) keys of one page, newest first. Every filter is a plain predicate so
 * the planner can pick the page index, the account or category page index, or the tag and
 * trigram GIN indexes for rare matches. The category filter is two ordered branches (the
 * category's own rows, and rows split into it) merged lazily (Merge Append), so each branch
 * keeps its own index and reads only as far as the page needs.
 */
function pageKeys(filter: ListFilter, params: Params, order: Order): string {
  const where = filterPredicates(filter, params);
  if (filter.after !== undefined) {
    const date = params.add(filter.after.date);
    const id = params.add(filter.after.id);
    where.push(`(t.booking_date, t.id) < (${date}::date, ${id}::bigint)`);
  }
  const take = params.add(filter.take);
  const select = (extra: string[], by: Order = order) => {
    const conditions = [...where, ...extra];
    const clause = conditions.length > 0 ? `where ${conditions.join(" and ")}` : "";
    const orderBy =
      by === "index"
        ? "order by t.booking_date desc, t.id desc"
        : "order by t.booking_date + 0 desc, t.id + 0 desc";
    return `select t.booking_date, t.id from transactions t ${clause} ${orderBy} limit ${take}`;
  };
  const ids = filter.categoryIds;
  if (ids === undefined) return select([]);
  const own =
    ids.length === 1
      ? `t.category_id = ${params.add(ids[0])}`
      : `t.category_id = any(${params.add(ids)}::bigint[])`;
  const all = params.add(ids);
  const split = `t.id in (select s.transaction_id from transaction_splits s
    where s.category_id = any(${all}::bigint[]))`;
  // Split rows have no category of their own; saying so keeps the branches disjoint even for
  // rows written behind the API's back, so they merge without a de-duplicating step.
  const notOwn = `(t.category_id is null or t.category_id <> all(${all}::bigint[]))`;
  return `select booking_date, id from ((${select([own])}) union all (${select([split, notOwn])})) u
    order by booking_date desc, id desc limit ${take}`;
}

/** One statement for a whole page, the planner choosing the indexes: the list's usual path. */
export function listQuery(filter: ListFilter): { text: string; values: unknown[] } {
  const params = new Params();
  return { text: withDetails(pageKeys(filter, params, "index")), values: params.values };
}

/** The fewest rows a search walks in list order before the trigram index takes over. */
export const SEARCH_WINDOW = 1000;

/**
 * A search's first step, the whole page in one statement when `q` is common enough: the newest
 * SEARCH_WINDOW rows matching the other filters, walked lazily in order through their index
 * and tested against `q`, stopping as soon as the page is full.
 */
export function searchWindowQuery(
  filter: ListFilter & { q: string },
  window = SEARCH_WINDOW,
): { text: string; values: unknown[] } {
  const params = new Params();
  const keys = pageKeys({ ...filter, q: undefined, take: window }, params, "index");
  const take = params.add(filter.take);
  const page = `select w.booking_date, w.id from (${keys}) w join transactions x on x.id = w.id
    where ${qPredicate("x", params, filter.q)}
    order by w.booking_date desc, w.id desc limit ${take}`;
  return { text: withDetails(page), values: params.values };
}

/**
 * Where a search's window ended: the oldest of the newest `window` rows matching the other
 * filters, or null when fewer rows match at all (the window then covered every candidate).
 */
export function windowEndQuery(
  filter: ListFilter,
  window = SEARCH_WINDOW,
): { text: string; values: unknown[] } {
  const params = new Params();
  const keys = pageKeys({ ...filter, q: undefined, take: window }, params, "index");
  const text = `select to_char(booking_date, 'YYYY-MM-DD') as date, id::text,
      count(*) over () as seen
    from (${keys}) w order by w.booking_date, w.id limit 1`;
  return { text, values: params.values };
}

/**
 * A search's second step, past the walked window: the trigram index finds the candidates and
 * a top-N sort orders them, so a word that is rare among these older rows costs what its
 * matches cost, not a walk of them all.
 */
export function searchRestQuery(filter: ListFilter): { text: string; values: unknown[] } {
  const params = new Params();
  return { text: withDetails(pageKeys(filter, params, "sort")), values: params.values };
}

/** Whether pg_trgm can extract a trigram from `q` (three letters or digits in a row). */
export function trigramSearchable(q: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(q);
}

/**
 * A `q` search: SEARCH_WINDOW rows (or 40 pages' worth, if more) walked in list order and
 * tested, then the trigram index for what is older. The walk fills the page when the words are
 * common; past it they are rare among the remaining rows, so the index and a top-N sort cost what
 * their few matches cost. The planner is not asked to choose: its guess of how common the words
 * are goes wrong both ways (a long common word such as a payee's name looks rare, because it has
 * many trigrams), and a wrong guess cost 200 ms at a million rows.
 */
async function search(
  db: Queryable,
  filter: ListFilter & { q: string },
): Promise<TransactionRow[]> {
  const window = Math.max(SEARCH_WINDOW, 40 * filter.take);
  const first = searchWindowQuery(filter, window);
  const { rows } = await db.query<TransactionRow>(first.text, first.values);
  if (rows.length >= filter.take) return rows;
  const end = windowEndQuery(filter, window);
  const { rows: ends } = await db.query<{ date: string; id: string; seen: string }>(
    end.text,
    end.values,
  );
  const last = ends[0];
  // The walk saw every row matching the other filters: nothing older is left to find.
  if (last === undefined || Number(last.seen) < window) return rows;
  const rest = searchRestQuery({
    ...filter,
    after: { date: last.date, id: last.id },
    take: filter.take - rows.length,
  });
  const more = await db.query<TransactionRow>(rest.text, rest.values);
  return [...rows, ...more.rows];
}

async function rowsOf(db: Queryable, filter: ListFilter): Promise<TransactionRow[]> {
  const q = filter.q;
  if (q !== undefined && trigramSearchable(q)) return search(db, { ...filter, q });
  const { text, values } = listQuery(filter);
  return (await db.query<TransactionRow>(text, values)).rows;
}

/** The category `id` and every category below it (none when it does not exist). */
async function categorySubtree(db: Queryable, id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `with recursive tree (id) as (
       select id from categories where id = $1
       union
       select c.id from categories c join tree on c.parent_id = tree.id
     )
     select id::text from tree`,
    [id],
  );
  return rows.map((row) => row.id);
}

/** Where the filters came from, for the paths of 422 problems: the query, or a bulk body. */
type FilterSource = "query" | "body.filter";

/** A `q` in the search language; 422 at `<at>.q` naming the position of what is wrong. */
function parseSearch(q: string, at: FilterSource): QueryNode {
  try {
    return parseQuery(q);
  } catch (error) {
    if (error instanceof QueryError) {
      throw errors.validation([{ path: `${at}.q`, message: error.message }]);
    }
    throw error;
  }
}

/**
 * How `q` filters: plain words keep the tuned substring search, and so does a lone quoted
 * phrase; field terms, OR and negation go through the search language's compiled predicate.
 */
function searchOf(text: string | undefined, at: FilterSource): { q?: string; search?: QueryNode } {
  if (text === undefined || isPlainText(text)) return text === undefined ? {} : { q: text };
  const parsed = parseSearch(text, at);
  return parsed.kind === "text" ? { q: parsed.value } : { search: parsed };
}

/** The list's filters checked and compiled; undefined when no row can match. */
export async function resolveFilter(
  db: Queryable,
  query: TransactionFilters,
  at: FilterSource = "query",
): Promise<Omit<ListFilter, "take"> | undefined> {
  if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
    throw errors.validation([{ path: `${at}.to`, message: "is before from" }]);
  }
  const { q, search } = searchOf(query.q, at);
  const categoryIds =
    query.categoryId === undefined ? undefined : await categorySubtree(db, query.categoryId);
  if (categoryIds?.length === 0) return undefined;
  return {
    accountId: query.accountId,
    categoryIds,
    tag: query.tag,
    from: query.from,
    to: query.to,
    status: query.status,
    q,
    search,
  };
}

/** One page of the transaction list, newest first, and the cursor of the next page. */
export async function listTransactions(
  db: Queryable,
  query: ListTransactionsQuery,
): Promise<{ data: TransactionJson[]; nextCursor: string | null }> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && after === undefined) {
    throw errors.validation([{ path: "query.cursor", message: "is not a cursor of this list" }]);
  }
  const filter = await resolveFilter(db, query);
  if (filter === undefined) return { data: [], nextCursor: null };
  const rows = await rowsOf(db, { ...filter, after, take: query.limit + 1 });
  const page = rows.slice(0, query.limit).map(presentTransaction);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last !== undefined
      ? encodeCursor({ date: last.date, id: last.id })
      : null;
  return { data: page, nextCursor };
}

/**
 * The where clause selecting every row the list's filters select: their predicates, the
 * category filter as one disjunction instead of the list's two ordered branches.
 */
function matchClause(filter: Omit<ListFilter, "take">, params: Params): string {
  const where = filterPredicates(filter, params);
  const ids = filter.categoryIds;
  if (ids !== undefined) {
    const all = params.add(ids);
    where.push(`(t.category_id = any(${all}::bigint[]) or t.id in (
      select s.transaction_id from transaction_splits s where s.category_id = any(${all}::bigint[])))`);
  }
  return where.length > 0 ? `where ${where.join(" and ")}` : "";
}

/** The ids of every transaction the list's filters select (the summary's rows), in id order. */
export function matchingIdsQuery(filter: Omit<ListFilter, "take">): {
  text: string;
  values: unknown[];
} {
  const params = new Params();
  const text = `select t.id::text from transactions t ${matchClause(filter, params)} order by t.id`;
  return { text, values: params.values };
}

/**
 * The summary's one aggregate statement: the rows the list's filters select (the same
 * predicates, the category filter as one disjunction instead of the list's two ordered
 * branches), counted and summed per currency.
 */
export function summaryQuery(filter: Omit<ListFilter, "take">): {
  text: string;
  values: unknown[];
} {
  const params = new Params();
  const clause = matchClause(filter, params);
  const text = `select t.currency, count(*)::text as count,
      coalesce(sum(t.amount) filter (where t.amount > 0), 0)::text as income,
      coalesce(sum(t.amount) filter (where t.amount < 0), 0)::text as expense,
      coalesce(sum(t.amount), 0)::text as net
    from transactions t ${clause} group by t.currency order by t.currency`;
  return { text, values: params.values };
}

/** How long the summary's aggregate may run before it gives up (count: null). */
export const SUMMARY_TIMEOUT_MS = 2000;

/** PostgreSQL's query_canceled: here, the statement_timeout ran out. */
const QUERY_CANCELED = "57014";

function canceled(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error
    ? error.code === QUERY_CANCELED
    : false;
}

/**
 * How many transactions match the list's filters and their totals per currency, exact. The one
 * aggregate runs under a statement_timeout: a broad search over millions of rows answers
 * `count: null, totals: null` with the reason instead of holding a connection for long.
 */
export async function summarizeTransactions(
  db: pg.Pool,
  query: TransactionFilters,
  timeoutMs = SUMMARY_TIMEOUT_MS,
): Promise<TransactionSummaryJson> {
  const filter = await resolveFilter(db, query);
  if (filter === undefined) return { count: 0, totals: [] };
  const { text, values } = summaryQuery(filter);
  try {
    const rows = await withTransaction(db, async (client) => {
      await client.query("select set_config('statement_timeout', $1, true)", [String(timeoutMs)]);
      return (
        await client.query<{
          currency: string;
          count: string;
          income: string;
          expense: string;
          net: string;
        }>(text, values)
      ).rows;
    });
    return {
      count: rows.reduce((sum, row) => sum + Number(row.count), 0),
      totals: rows.map((row) => ({
        currency: row.currency,
        income: formatMinor(row.income, row.currency),
        expense: formatMinor(row.expense, row.currency),
        net: formatMinor(row.net, row.currency),
      })),
    };
  } catch (error) {
    if (!canceled(error)) throw error;
    return {
      count: null,
      totals: null,
      reason: `the search matches too many transactions to total within ${String(timeoutMs / 1000)} s; narrow it down`,
    };
  }
}

/** The transactions `ids` (those that exist), newest first. */
export async function getTransactions(
  db: Queryable,
  ids: readonly string[],
): Promise<TransactionJson[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<TransactionRow>(
    withDetails("select booking_date, id from transactions where id = any($1::bigint[])"),
    [ids],
  );
  return rows.map(presentTransaction);
}
