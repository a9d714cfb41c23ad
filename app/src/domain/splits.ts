import { allocate, formatAmount, money, type Money } from "./money.ts";

/** One category line of a split transaction; `categoryId` null leaves the line uncategorised. */
export interface Split {
  readonly amount: Money;
  readonly categoryId: string | null;
  readonly memo?: string;
}

/**
 * One thing wrong with a set of splits. `path` names the field ("splits[2].amount", or "splits"
 * for the list as a whole) and `index` the line, or null when the problem is the whole list.
 */
export interface SplitProblem {
  readonly path: string;
  readonly index: number | null;
  readonly message: string;
}

/** The most lines one transaction may be split into. */
export const MAX_SPLITS = 100;

/**
 * Lists every problem with splitting `total` into `splits`; never throws. There must be 1 to
 * MAX_SPLITS lines, each non-zero, in the transaction's currency and on the same side (money in or
 * out) as the total; and they must add up to the total exactly.
 */
export function validateSplits(total: Money, splits: readonly Split[]): SplitProblem[] {
  return [
    ...countProblems(splits),
    ...splits.flatMap((split, index) => lineProblems(total, split, index)),
    ...sumProblems(total, splits),
  ];
}

function countProblems(splits: readonly Split[]): SplitProblem[] {
  if (splits.length === 0) {
    return [{ path: "splits", index: null, message: "a split needs at least one line" }];
  }
  if (splits.length > MAX_SPLITS) {
    const message = `has ${splits.length} lines; at most ${MAX_SPLITS} are allowed`;
    return [{ path: "splits", index: null, message }];
  }
  return [];
}

function lineProblems(total: Money, { amount }: Split, index: number): SplitProblem[] {
  const path = `splits[${index}].amount`;
  const problems: SplitProblem[] = [];
  if (amount.currency !== total.currency) {
    const message = `is in ${amount.currency} but the transaction is in ${total.currency}`;
    problems.push({ path, index, message });
  }
  if (amount.minor === 0n) {
    problems.push({ path, index, message: "is zero; remove the line instead" });
  } else if (total.minor === 0n) {
    const message =
      `is ${formatAmount(amount)} but the transaction is ${formatAmount(total)}, ` +
      "so no line can carry money";
    problems.push({ path, index, message });
  } else if (amount.minor < 0n !== total.minor < 0n) {
    const message =
      `is ${formatAmount(amount)} (money ${direction(amount)}) but the transaction is ` +
      `${formatAmount(total)} (money ${direction(total)}); one transaction cannot mix the two`;
    problems.push({ path, index, message });
  }
  return problems;
}

function direction(amount: Money): "in" | "out" {
  return amount.minor < 0n ? "out" : "in";
}

// Lines in another currency cannot be added up; their currency problem is reported instead.
function sumProblems(total: Money, splits: readonly Split[]): SplitProblem[] {
  if (splits.some(({ amount }) => amount.currency !== total.currency)) return [];
  const assigned = money(
    splits.reduce((acc, { amount }) => acc + amount.minor, 0n),
    total.currency,
  );
  const gap = total.minor - assigned.minor;
  if (gap === 0n) return [];
  const size = formatAmount(money(gap < 0n ? -gap : gap, total.currency));
  // A gap on the total's side is money no line claims; on the other side, lines claim too much.
  const verdict =
    total.minor === 0n
      ? `they are ${size} apart`
      : gap < 0n === total.minor < 0n
        ? `${size} is unassigned`
        : `${size} too much is assigned`;
  const message =
    `splits add up to ${formatAmount(assigned)} but the transaction is ` +
    `${formatAmount(total)}: ${verdict}`;
  return [{ path: "splits", index: null, message }];
}

/**
 * Splits `total` as evenly as possible across `categoryIds`, one line each in order; the lines
 * always add up to `total` exactly (earlier lines take the leftover minor units). A total with
 * fewer minor units than categories leaves some lines zero, which validateSplits reports.
 */
export function evenSplits(total: Money, categoryIds: readonly string[]): Split[] {
  if (categoryIds.length === 0) throw new RangeError("evenSplits needs at least one category");
  const amounts = allocate(
    total,
    categoryIds.map(() => 1),
  );
  return categoryIds.map((categoryId, index) => ({
    amount: amounts[index] ?? money(0n, total.currency),
    categoryId,
  }));
}
