// The second line of a register row: the category, the split count, or the transfer's direction.
import type { Account, Category, Transaction } from "../../lib/api.ts";
import { categoryPath } from "../../lib/data.ts";

/**
 * A function that labels rows with `categories` and `accounts`. Each category's path is worked
 * out once and remembered: rows come into view on every scrolled frame, and a path walks the
 * whole category list.
 */
export function rowLabeller(
  categories: readonly Category[],
  accounts: readonly Account[],
): (t: Transaction) => string {
  const paths = new Map<string, string>();
  return (t) => {
    if (t.transfer) {
      const { accountId } = t.transfer;
      const other = accounts.find((a) => a.id === accountId)?.name ?? "another account";
      return `Transfer ${t.amount.startsWith("-") ? "to" : "from"} ${other}`;
    }
    if (t.splits.length > 0) return `Split (${String(t.splits.length)})`;
    if (!t.categoryId) return "Uncategorised";
    let path = paths.get(t.categoryId);
    if (path === undefined) {
      path = categoryPath(categories, t.categoryId);
      paths.set(t.categoryId, path);
    }
    return path;
  };
}
