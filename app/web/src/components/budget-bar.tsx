// A budget's progress: how much of what was budgeted (plus rolled over) is spent.
import type { BudgetLine } from "../lib/api.ts";
import { signOf } from "../lib/money.ts";

/** How much of a budget is used, 0..1 (over budget caps at 1); spent is negative for money out. */
export function usedShare(line: Pick<BudgetLine, "budgeted" | "rolledOver" | "spent">): number {
  const funds = Number(line.budgeted) + Number(line.rolledOver);
  const used = -Number(line.spent);
  if (funds <= 0) return used > 0 ? 1 : 0;
  return Math.max(0, Math.min(1, used / funds));
}

/** A progress bar with its meaning in text for screen readers. */
export function BudgetBar(props: { line: BudgetLine; label: string }) {
  const share = usedShare(props.line);
  const over = signOf(props.line.available) < 0;
  const percent = Math.round(share * 100);
  // Width steps of 5% as classes: the CSP forbids inline styles.
  const step = Math.round(share * 20) * 5;
  return (
    <div
      class={`budget-bar ${over ? "over" : ""}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={over ? `${String(percent)}% used, over budget` : `${String(percent)}% used`}
    >
      <span class={`budget-fill w${String(step)}`} />
    </div>
  );
}
