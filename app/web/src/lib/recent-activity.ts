// Recent activity as a person thinks of it: a transfer between two of the household's accounts
// is one event ("From Checking to Savings"), not the two transactions the ledger books for it.
import type { Transaction } from "./api.ts";
import { negate, signOf } from "./money.ts";

/** One line of recent activity: a transaction, or a transfer shown once. */
export type Activity =
  | { kind: "transaction"; key: string; transaction: Transaction }
  | {
      kind: "transfer";
      key: string;
      date: string;
      fromAccountId: string;
      toAccountId: string;
      /** What left the source account, positive, in `currency`. */
      amount: string;
      currency: string;
      /** The side on the list, first seen (its register is where the line leads). */
      transaction: Transaction;
    };

/** Whether `a` and `b` are the two sides of one transfer. */
function mirrors(a: Transaction, b: Transaction): boolean {
  return (
    a.id !== b.id &&
    a.transfer !== null &&
    b.transfer !== null &&
    a.transfer.accountId === b.accountId &&
    b.transfer.accountId === a.accountId &&
    a.date === b.date &&
    a.transfer.amount === b.amount &&
    b.transfer.amount === a.amount
  );
}

/** A transfer as one event, from whichever side is at hand (the outgoing one is preferred). */
function transferOf(seen: Transaction, other: Transaction | undefined): Activity {
  const outgoing = signOf(seen.amount) < 0 ? seen : other;
  const common = {
    kind: "transfer",
    key: [seen.id, other?.id].filter(Boolean).join("+"),
    date: seen.date,
    transaction: seen,
  } as const;
  if (outgoing?.transfer) {
    return {
      ...common,
      fromAccountId: outgoing.accountId,
      toAccountId: outgoing.transfer.accountId,
      amount: negate(outgoing.amount),
      currency: outgoing.currency,
    };
  }
  // Only the receiving side is listed: what arrived, in its own currency.
  return {
    ...common,
    fromAccountId: seen.transfer?.accountId ?? "",
    toAccountId: seen.accountId,
    amount: seen.amount,
    currency: seen.currency,
  };
}

/**
 * The newest `limit` events of `transactions` (newest first, as the API lists them): the two
 * sides of a transfer become one line where the first side appears; a side whose mirror is not
 * on the list is still one transfer line.
 */
export function recentActivity(transactions: readonly Transaction[], limit: number): Activity[] {
  const paired = new Set<string>();
  const activity: Activity[] = [];
  for (const t of transactions) {
    if (activity.length >= limit) break;
    if (paired.has(t.id)) continue;
    if (t.transfer === null) {
      activity.push({ kind: "transaction", key: t.id, transaction: t });
      continue;
    }
    const other = transactions.find((o) => !paired.has(o.id) && mirrors(t, o));
    paired.add(t.id);
    if (other) paired.add(other.id);
    activity.push(transferOf(t, other));
  }
  return activity;
}
