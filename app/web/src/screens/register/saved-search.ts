// A saved filter as the search box shows it: the list's structured filters written in the
// search language, so picking one fills the box with what it selects and the person can read,
// change and save it again.
import type { Account, Category, TransactionFilter } from "../../lib/api.ts";

/** `value` as one term's value: bare when it can be, else quoted with `"` and `\` escaped. */
export function searchValue(value: string): string {
  return /^[^\s()"\\:]+$/u.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** The day after `date` (YYYY-MM-DD): `before:` excludes its day, the filter's `to` includes it. */
function dayAfter(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/**
 * `filter` as search text: its account and category by name (a deleted one by its id, which
 * matches nothing rather than everything), then its `q`, in parentheses when it offers OR
 * alternatives, so the other terms bind to all of them. `except` leaves out the account the
 * register already shows.
 */
export function filterAsSearch(
  filter: TransactionFilter,
  accounts: readonly Account[],
  categories: readonly Category[],
  except?: string,
): string {
  const terms = namedTerms(filter, accounts, categories, except);
  if (filter.tag !== undefined) terms.push(`tag:${searchValue(filter.tag)}`);
  if (filter.from !== undefined) terms.push(`after:${filter.from}`);
  if (filter.to !== undefined) terms.push(`before:${dayAfter(filter.to)}`);
  if (filter.status !== undefined) terms.push(`status:${filter.status}`);
  const q = filter.q?.trim();
  if (q) terms.push(terms.length > 0 && /(^|\s)OR(\s|$)/.test(q) ? `(${q})` : q);
  return terms.join(" ");
}

/** The account and category terms of `filter`, by name (see filterAsSearch). */
function namedTerms(
  filter: TransactionFilter,
  accounts: readonly Account[],
  categories: readonly Category[],
  except: string | undefined,
): string[] {
  const terms: string[] = [];
  if (filter.accountId !== undefined && filter.accountId !== except) {
    const name = accounts.find((a) => a.id === filter.accountId)?.name ?? `#${filter.accountId}`;
    terms.push(`account:${searchValue(name)}`);
  }
  if (filter.categoryId !== undefined) {
    const name =
      categories.find((c) => c.id === filter.categoryId)?.name ?? `#${filter.categoryId}`;
    terms.push(`category:${searchValue(name)}`);
  }
  return terms;
}
