// The budget month: one row per expense category with what was budgeted, spent, rolled over
// and what is left. The budgeted amount is edited in place; Enter or leaving the field saves.
import { useMemo, useState } from "preact/hooks";
import {
  Amount,
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  Section,
} from "../components/ui.tsx";
import {
  type Answer,
  api,
  ApiError,
  type BudgetLine,
  type BudgetReport,
  query,
} from "../lib/api.ts";
import { categoryTree, useCategories } from "../lib/data.ts";
import { formatMonth } from "../lib/format.ts";
import { normalizeAmount, signOf } from "../lib/money.ts";
import { addMonths, thisMonth } from "../lib/month.ts";
import { BudgetBar } from "../components/budget-bar.tsx";
import { MissingRates } from "../components/missing-rates.tsx";
import { useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";

type Budgets = Answer<"getBudgets">;

function BudgetRow(props: {
  categoryId: string;
  name: string;
  depth: number;
  line: BudgetLine | undefined;
  currency: string;
  canWrite: boolean;
  save: (categoryId: string, amount: string, rollover: boolean) => Promise<void>;
}) {
  const { line, currency } = props;
  // A category without a budget still has its line (its activity); its budget is blank, 0.
  const budgeted = line?.hasBudget === true ? line.budgeted : "0";
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const commit = async (rollover: boolean) => {
    const text = draft ?? budgeted;
    const amount = normalizeAmount(text.trim() === "" ? "0" : text, currency);
    if (amount === undefined || signOf(amount) < 0) {
      setError("Enter an amount of zero or more");
      return;
    }
    setError(undefined);
    if (amount === normalizeAmount(budgeted, currency) && rollover === (line?.rollover ?? false)) {
      setDraft(undefined);
      return;
    }
    try {
      await props.save(props.categoryId, amount, rollover);
      setDraft(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const label = `Budgeted for ${props.name}`;
  return (
    <tr class={props.depth > 0 ? "sub" : ""}>
      <th scope="row" class={`depth-${String(Math.min(props.depth, 3))}`}>
        {props.name}
        {line?.hasBudget === true && <BudgetBar line={line} label={`${props.name} budget used`} />}
      </th>
      <td class="num" data-label="Budgeted">
        {props.canWrite ? (
          <>
            <input
              class="budget-input"
              inputMode="decimal"
              aria-label={label}
              value={draft ?? budgeted}
              aria-invalid={error !== undefined || undefined}
              onInput={(e) => {
                setDraft(e.currentTarget.value);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter") void commit(line?.rollover ?? false);
                if (e.key === "Escape") {
                  setDraft(undefined);
                  setError(undefined);
                }
              }}
              onBlur={() => {
                if (draft !== undefined) void commit(line?.rollover ?? false);
              }}
            />
            {error && (
              <small class="field-error" role="alert">
                {error}
              </small>
            )}
          </>
        ) : (
          <Amount value={budgeted} currency={currency} />
        )}
      </td>
      <td class="num" data-label="Spent">
        <Amount value={line?.spent ?? "0"} currency={currency} />
      </td>
      <td class="num rollover-cell" data-label="Rolled over">
        {props.canWrite && line ? (
          <label class="rollover">
            <input
              type="checkbox"
              checked={line.rollover}
              onChange={(e) => void commit(e.currentTarget.checked)}
            />
            <span class="sr-only">Roll over leftover of {props.name}</span>
            <Amount value={line.rolledOver} currency={currency} />
          </label>
        ) : (
          <Amount value={line?.rolledOver ?? "0"} currency={currency} />
        )}
      </td>
      <td class="num" data-label="Available">
        {/* Without a budget nothing is "available": what it spent counts as not budgeted. */}
        {line?.hasBudget === true ? (
          <Amount value={line.available} currency={currency} />
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}

/** Budgets month view with previous/next month. */
export function BudgetsScreen() {
  const [month, setMonth] = useState(thisMonth());
  const canWrite = useCanWrite();
  const categories = useCategories();
  const report = useResource(
    () => api.get<BudgetReport>(`/reports/budget${query({ month })}`),
    [month],
  );
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const byCategory = useMemo(
    () => new Map((report.data?.lines ?? []).map((l) => [l.categoryId, l])),
    [report.data],
  );
  const rows = useMemo(
    () => categoryTree((categories.data ?? []).filter((c) => c.kind === "expense")),
    [categories.data],
  );
  const currency = report.data?.currency ?? "EUR";

  // PUT replaces the month's budgets: read the current set, change one line, write it back with
  // the version read as If-Match. A save from elsewhere in between answers 412, and the one line
  // is applied again to the fresh set, so neither save loses the other's lines.
  const save = async (categoryId: string, amount: string, rollover: boolean) => {
    setSaveError(undefined);
    try {
      for (let attempt = 1; ; attempt++) {
        const current = await api.get<Budgets>(`/budgets${query({ month })}`);
        const others = current.lines.filter((l) => l.categoryId !== categoryId);
        const lines =
          signOf(amount) === 0 && !rollover
            ? others
            : [...others, { categoryId, amount, rollover }];
        try {
          await api.put(`/budgets${query({ month })}`, { lines }, { version: current.version });
          break;
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 412) || attempt === 3) throw error;
        }
      }
      report.reload();
    } catch (error) {
      setSaveError(error);
      throw error;
    }
  };

  return (
    <div class="page">
      <PageHeader title="Budgets">
        <div class="month-picker" role="group" aria-label="Month">
          <button
            type="button"
            aria-label="Previous month"
            onClick={() => {
              setMonth(addMonths(month, -1));
            }}
          >
            ‹
          </button>
          <span class="month-label" aria-live="polite">
            {formatMonth(month)}
          </span>
          <button
            type="button"
            aria-label="Next month"
            onClick={() => {
              setMonth(addMonths(month, 1));
            }}
          >
            ›
          </button>
        </div>
      </PageHeader>
      <FormError error={saveError} />
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {(report.loading || !categories.data) && !report.data && <Loading />}
      {report.data && categories.data && rows.length === 0 && (
        <Empty title="No expense categories yet">
          <p>
            <a href="/categories">Add categories</a> to budget for them.
          </p>
        </Empty>
      )}
      {report.data && rows.length > 0 && (
        <Section title={`Budget for ${formatMonth(month)}`}>
          <MissingRates
            rates={report.data.missingRates}
            total="Spending against these budgets"
            onFixed={report.reload}
          />
          <div class="table-wide">
            <table class="budget-table">
              <caption class="sr-only">
                Budgeted, spent, rolled over and available per category, in {currency}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col" class="num">
                    Budgeted
                  </th>
                  <th scope="col" class="num">
                    Spent
                  </th>
                  <th scope="col" class="num">
                    Rolled over
                  </th>
                  <th scope="col" class="num">
                    Available
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ category, depth }) => (
                  <BudgetRow
                    key={`${month}-${category.id}`}
                    categoryId={category.id}
                    name={category.name}
                    depth={depth}
                    line={byCategory.get(category.id)}
                    currency={currency}
                    canWrite={canWrite}
                    save={save}
                  />
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td class="num" data-label="Budgeted">
                    <Amount value={report.data.totals.budgeted} currency={currency} />
                  </td>
                  <td class="num" data-label="Spent">
                    <Amount value={report.data.totals.spent} currency={currency} />
                  </td>
                  <td class="num empty-cell" />
                  <td class="num" data-label="Available">
                    <Amount value={report.data.totals.available} currency={currency} />
                  </td>
                </tr>
                <tr class="muted">
                  <th scope="row">Not budgeted</th>
                  <td class="num empty-cell" />
                  <td class="num" data-label="Spent">
                    <Amount value={report.data.totals.unbudgeted} currency={currency} />
                  </td>
                  <td class="num empty-cell" />
                  <td class="num empty-cell" />
                </tr>
              </tfoot>
            </table>
          </div>
        </Section>
      )}
    </div>
  );
}
