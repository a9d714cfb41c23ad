import { formatAmount, type Money, negate } from "./money.ts";

/**
 * A transfer is one movement of money seen from two accounts: two transactions sharing a
 * transfer group, one taking money out, the other putting it in. In one currency the two amounts
 * mirror each other exactly; across currencies each side is in its own account's currency and
 * the caller gives both (the exchange is whatever the bank did), but their signs still oppose.
 */

/** One thing wrong with a transfer, against the request field it concerns. */
export interface TransferProblem {
  readonly path: "amount" | "transfer.accountId" | "transfer.amount";
  readonly message: string;
}

/** What a new transfer is made of, seen from the side the request names (`accountId`). */
export interface NewTransfer {
  readonly accountId: string;
  /** This side's amount, in its account's currency; negative takes money out of it. */
  readonly amount: Money;
  readonly counterAccountId: string;
  readonly counterCurrency: string;
  /** The other side's amount, in the other account's currency, when the caller gave one. */
  readonly counterAmount?: Money;
}

/** Either the other side's amount, or why the transfer cannot be made. */
export type TransferDecision =
  | { readonly ok: true; readonly counterAmount: Money }
  | { readonly ok: false; readonly problems: readonly TransferProblem[] };

/**
 * Decides the other side of a new transfer: two different accounts, a non-zero amount, and a
 * counter amount of the opposite sign; in one currency it is exactly -amount (and defaults to
 * that), across currencies it is required.
 */
export function planTransfer(transfer: NewTransfer): TransferDecision {
  const problems: TransferProblem[] = [];
  if (transfer.accountId === transfer.counterAccountId) {
    problems.push({
      path: "transfer.accountId",
      message: "is the transaction's own account; a transfer needs two different accounts",
    });
  }
  const counter = counterFor(transfer.amount, transfer.counterCurrency, transfer.counterAmount);
  return counter.ok && problems.length === 0
    ? counter
    : { ok: false, problems: [...problems, ...(counter.ok ? [] : counter.problems)] };
}

/**
 * Decides the other side after one side's amount changed to `amount`. In one currency it
 * mirrors the new amount. Across currencies a given `counterAmount` wins; otherwise the previous
 * counter amount stays if its sign still opposes, else the caller must say what it became.
 */
export function repriceTransfer(change: {
  readonly amount: Money;
  readonly previousCounter: Money;
  readonly counterAmount?: Money;
}): TransferDecision {
  const { amount, previousCounter, counterAmount } = change;
  const crossCurrency = amount.currency !== previousCounter.currency;
  if (crossCurrency && counterAmount === undefined && opposes(amount, previousCounter)) {
    return { ok: true, counterAmount: previousCounter };
  }
  return counterFor(amount, previousCounter.currency, counterAmount);
}

function opposes(a: Money, b: Money): boolean {
  return a.minor !== 0n && b.minor !== 0n && a.minor < 0n !== b.minor < 0n;
}

function counterFor(
  amount: Money,
  counterCurrency: string,
  given: Money | undefined,
): TransferDecision {
  if (amount.minor === 0n) {
    return {
      ok: false,
      problems: [{ path: "amount", message: "is zero; a transfer must move money" }],
    };
  }
  const sameCurrency = amount.currency === counterCurrency;
  if (given === undefined) {
    if (sameCurrency) return { ok: true, counterAmount: negate(amount) };
    const message =
      `is required: the accounts are in ${amount.currency} and ${counterCurrency}, ` +
      "so give the amount the other account receives or pays";
    return { ok: false, problems: [{ path: "transfer.amount", message }] };
  }
  const problem = counterProblem(amount, counterCurrency, given);
  return problem === undefined
    ? { ok: true, counterAmount: given }
    : { ok: false, problems: [{ path: "transfer.amount", message: problem }] };
}

function counterProblem(amount: Money, counterCurrency: string, given: Money): string | undefined {
  if (given.currency !== counterCurrency) {
    return `is in ${given.currency} but the other account is in ${counterCurrency}`;
  }
  if (amount.currency === counterCurrency) {
    const expected = negate(amount);
    return given.minor === expected.minor
      ? undefined
      : `must be ${formatAmount(expected)}: in one currency both sides of a transfer mirror each other`;
  }
  return opposes(amount, given)
    ? undefined
    : `is ${formatAmount(given)} but must have the opposite sign of ${formatAmount(amount)}: ` +
        "money leaving one account enters the other";
}
