// Reports: spending by category (drilling down the tree), cash flow, net worth and budget against
// actual for any date range (the last 12 months unless another is picked), narrowed to an account,
// a category or a tag. Every chart has a table with the same numbers beside it, newest period
// first, and every table downloads as CSV.
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { BudgetBar } from "../components/budget-bar.tsx";
import { type ChartSeries, LineChart } from "../components/chart.tsx";
import { MissingRates } from "../components/missing-rates.tsx";
import {
  Amount,
  Empty,
  LoadError,
  Loading,
  PageHeader,
  Section,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import { type Answer, api, type BudgetReport, type NetWorth, query } from "../lib/api.ts";
import { categoryTree, useAccounts, useCategories } from "../lib/data.ts";
import { currentLocale, formatDate, formatMonth, today } from "../lib/format.ts";
import { formatMoney } from "../lib/money.ts";
import {
  type DateRange,
  monthsOf,
  pickOf,
  quickPicks,
  quickRange,
  rangeProblem,
} from "../lib/report-range.ts";
import { useResource } from "../lib/resource.ts";

type Spending = Answer<"spendingReport">;
type Cashflow = Answer<"cashflowReport">;

/** What the reports are narrowed to: "" is every account, category or tag. */
interface Filters {
  accountId: string;
  categoryId: string;
  tag: string;
}

interface Column {
  label: string;
  num?: boolean;
}
type Cell = string | { amount: string };

function csvOf(columns: readonly Column[], rows: readonly Cell[][]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const line = (cells: readonly string[]) => cells.map(quote).join(",");
  return [
    line(columns.map((c) => c.label)),
    ...rows.map((r) => line(r.map((c) => (typeof c === "string" ? c : c.amount)))),
  ].join("\r\n");
}

function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1000);
}

/** A report's numbers as a table, with a CSV download of the same rows. */
function ReportTable(props: {
  caption: string;
  filename: string;
  currency: string;
  columns: Column[];
  rows: { key: string; cells: Cell[]; action?: ComponentChildren }[];
}) {
  return (
    <div class="report-table">
      <div class="table-scroll" tabIndex={0} aria-label={`${props.caption}, table`}>
        <table>
          <caption class="sr-only">{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c.label} scope="col" class={c.num ? "num" : ""}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.key}>
                {r.cells.map((c, i) =>
                  i === 0 ? (
                    <th key={i} scope="row">
                      {r.action ?? (typeof c === "string" ? c : c.amount)}
                    </th>
                  ) : (
                    <td key={i} class={props.columns[i]?.num ? "num" : ""}>
                      {typeof c === "string" ? (
                        c
                      ) : (
                        <Amount value={c.amount} currency={props.currency} />
                      )}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button
        type="button"
        class="ghost csv"
        onClick={() => {
          download(
            props.filename,
            csvOf(
              props.columns,
              props.rows.map((r) => r.cells),
            ),
          );
        }}
      >
        Download CSV<span class="sr-only"> of {props.caption}</span>
      </button>
    </div>
  );
}

/** The chart's axis labels, hover readouts and dates in the user's locale. */
function useChartFormats(currency: string, interval: "month" | "day") {
  return useMemo(() => {
    const compact = new Intl.NumberFormat(currentLocale(), { notation: "compact" });
    const isoDate = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
    return {
      formatValue: (v: number) => compact.format(v),
      formatReadout: (text: string) => formatMoney(text, currency, currentLocale()),
      formatX: (seconds: number) =>
        interval === "month" ? formatMonth(isoDate(seconds)) : formatDate(isoDate(seconds)),
    };
  }, [currency, interval]);
}

/** The query string of a report over `range` narrowed by `filters`. */
function reportQuery(range: DateRange, filters: Filters, extra: Record<string, string> = {}) {
  return query({
    from: range.from,
    to: range.to,
    accountId: filters.accountId,
    categoryId: filters.categoryId,
    tag: filters.tag,
    ...extra,
  });
}

function SpendingReport(props: { range: DateRange; filters: Filters }) {
  const { range, filters } = props;
  const key = reportQuery(range, filters);
  const report = useResource(() => api.get<Spending>(`/reports/spending${key}`), [key]);
  const [parent, setParent] = useState<{ id: string; name: string } | null>(null);
  const groups = (report.data?.groups ?? []).filter((g) =>
    parent === null ? (g.depth ?? 1) === 1 : g.parentId === parent.id,
  );
  const hasChildren = (key: string | null) =>
    key !== null && (report.data?.groups ?? []).some((g) => g.parentId === key);
  const max = Math.max(1, ...groups.map((g) => Math.abs(Number(g.amount))));
  const currency = report.data?.currency ?? "EUR";
  return (
    <Section title="Spending by category">
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates rates={report.data.missingRates} total="Spending" onFixed={report.reload} />
      )}
      {report.data && (
        <p class="report-total">
          Total spending:{" "}
          <span data-testid="spending-total">
            <Amount value={report.data.total} currency={currency} />
          </span>
        </p>
      )}
      {parent && (
        <nav class="crumbs" aria-label="Category level">
          <button
            type="button"
            class="ghost"
            onClick={() => {
              setParent(null);
            }}
          >
            ‹ All categories
          </button>
          <span aria-current="location">{parent.name}</span>
        </nav>
      )}
      {report.data && groups.length === 0 && <Empty title="No spending in this period" />}
      {groups.length > 0 && (
        <div class="report-grid">
          <ul class="hbars" aria-hidden="true">
            {groups.map((g) => (
              <li key={g.key ?? "none"}>
                <span class="hbar-label">{g.name}</span>
                <span class="hbar-track">
                  <span
                    class={`hbar ${Number(g.amount) > 0 ? "in" : "out"} w${String(Math.round((Math.abs(Number(g.amount)) / max) * 20) * 5)}`}
                  />
                </span>
              </li>
            ))}
          </ul>
          <ReportTable
            caption={`Spending by category${parent ? ` in ${parent.name}` : ""}, in ${currency}`}
            filename={`spending-${range.from}-${range.to}.csv`}
            currency={currency}
            columns={[{ label: "Category" }, { label: "Amount", num: true }]}
            rows={groups.map((g) => ({
              key: g.key ?? "none",
              cells: [g.name, { amount: g.amount }],
              action:
                g.key !== null && hasChildren(g.key) ? (
                  <button
                    type="button"
                    class="link"
                    onClick={() => {
                      if (g.key !== null) setParent({ id: g.key, name: g.name });
                    }}
                  >
                    {g.name} ›
                  </button>
                ) : undefined,
            }))}
          />
        </div>
      )}
    </Section>
  );
}

function CashflowReport(props: { range: DateRange; filters: Filters }) {
  const { range, filters } = props;
  const key = reportQuery(range, filters);
  const report = useResource(() => api.get<Cashflow>(`/reports/cashflow${key}`), [key]);
  const currency = report.data?.currency ?? "EUR";
  const formats = useChartFormats(currency, "month");
  const chart = useMemo(() => {
    const points = report.data?.points ?? [];
    const series = (
      label: string,
      pick: (p: Cashflow["points"][number]) => string,
      tone: ChartSeries["tone"],
      bars: boolean,
    ): ChartSeries => ({
      label,
      values: points.map((p) => Number(pick(p))),
      texts: points.map(pick),
      tone,
      bars,
    });
    return {
      x: points.map((p) => Date.parse(`${p.start}T00:00:00Z`) / 1000),
      series: [
        series("Net", (p) => p.net, "net", false),
        series("Income", (p) => p.income, "positive", true),
        series("Expense", (p) => p.expense, "negative", true),
      ],
    };
  }, [report.data]);
  return (
    <Section title="Cash flow">
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates rates={report.data.missingRates} total="Cash flow" onFixed={report.reload} />
      )}
      {report.data && report.data.points.length > 0 && (
        <div class="report-grid">
          {chart.x.length > 1 ? (
            <LineChart x={chart.x} series={chart.series} {...formats} />
          ) : (
            <p class="hint">One point so far: the chart appears from two on.</p>
          )}
          <ReportTable
            caption={`Cash flow per month, newest first, in ${currency}`}
            filename={`cashflow-${range.from}-${range.to}.csv`}
            currency={currency}
            columns={[
              { label: "Month" },
              { label: "Income", num: true },
              { label: "Expense", num: true },
              { label: "Net", num: true },
            ]}
            rows={[...report.data.points].reverse().map((p) => ({
              key: p.start,
              cells: [
                formatMonth(p.start),
                { amount: p.income },
                { amount: p.expense },
                { amount: p.net },
              ],
            }))}
          />
        </div>
      )}
    </Section>
  );
}

function NetWorthReport(props: { range: DateRange; accountId: string; narrowed: boolean }) {
  const { fromMonth, toMonth } = monthsOf(props.range);
  const key = query({ from: fromMonth, to: toMonth, accountId: props.accountId });
  const report = useResource(() => api.get<NetWorth>(`/reports/net-worth${key}`), [key]);
  const currency = report.data?.currency ?? "EUR";
  const formats = useChartFormats(currency, "day");
  const chart = useMemo(() => {
    const points = report.data?.points ?? [];
    const series = (
      label: string,
      pick: (p: NetWorth["points"][number]) => string,
      tone: ChartSeries["tone"],
    ): ChartSeries => ({
      label,
      values: points.map((p) => Number(pick(p))),
      texts: points.map(pick),
      tone,
    });
    return {
      x: points.map((p) => Date.parse(`${p.date}T00:00:00Z`) / 1000),
      series: [
        series("Net worth", (p) => p.net, "net"),
        series("Assets", (p) => p.assets, "positive"),
        series("Liabilities", (p) => p.liabilities, "negative"),
      ],
    };
  }, [report.data]);
  return (
    <Section title="Net worth">
      {props.narrowed && (
        <p class="hint">Balances of the chosen accounts; a category or tag does not apply here.</p>
      )}
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates rates={report.data.missingRates} total="Net worth" onFixed={report.reload} />
      )}
      {report.data && report.data.points.length > 0 && (
        <div class="report-grid">
          {chart.x.length > 1 ? (
            <LineChart x={chart.x} series={chart.series} {...formats} />
          ) : (
            <p class="hint">One point so far: the chart appears from two on.</p>
          )}
          <ReportTable
            caption={`Net worth at each month end, newest first, in ${currency}`}
            filename={`net-worth-${fromMonth}-${toMonth}.csv`}
            currency={currency}
            columns={[
              { label: "Month" },
              { label: "Assets", num: true },
              { label: "Liabilities", num: true },
              { label: "Net worth", num: true },
            ]}
            rows={[...report.data.points].reverse().map((p) => ({
              key: p.date,
              cells: [
                formatMonth(p.date),
                { amount: p.assets },
                { amount: p.liabilities },
                { amount: p.net },
              ],
            }))}
          />
        </div>
      )}
    </Section>
  );
}

function BudgetReportCard(props: { month: string; narrowed: boolean }) {
  const report = useResource(
    () => api.get<BudgetReport>(`/reports/budget${query({ month: props.month })}`),
    [props.month],
  );
  const currency = report.data?.currency ?? "EUR";
  const lines = (report.data?.lines ?? []).filter((l) => l.hasBudget);
  return (
    <Section title={`Budget against actual, ${formatMonth(props.month)}`}>
      {props.narrowed && (
        <p class="hint">The whole household&rsquo;s budgets: the filters do not apply here.</p>
      )}
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates
          rates={report.data.missingRates}
          total="Budget against actual"
          onFixed={report.reload}
        />
      )}
      {report.data && lines.length === 0 && (
        <Empty title="No budgets for this month">
          <p>
            <a href="/budgets">Set budgets</a> to compare them with what was spent.
          </p>
        </Empty>
      )}
      {lines.length > 0 && (
        <div class="report-grid">
          <ul class="plain-bars">
            {lines.map((l) => (
              <li key={l.categoryId}>
                <span class="hbar-label" aria-hidden="true">
                  {l.name}
                </span>
                <BudgetBar line={l} label={`${l.name} budget used`} />
              </li>
            ))}
          </ul>
          <ReportTable
            caption={`Budget against actual per category, in ${currency}`}
            filename={`budget-${props.month}.csv`}
            currency={currency}
            columns={[
              { label: "Category" },
              { label: "Budgeted", num: true },
              { label: "Spent", num: true },
              { label: "Available", num: true },
            ]}
            rows={lines.map((l) => ({
              key: l.categoryId,
              cells: [l.name, { amount: l.budgeted }, { amount: l.spent }, { amount: l.available }],
            }))}
          />
        </div>
      )}
    </Section>
  );
}

/** The date range: from and to, and the quick picks that fill them. */
function RangePicker(props: { range: DateRange; onRange: (range: DateRange) => void }) {
  const [draft, setDraft] = useState(props.range);
  const problem = rangeProblem(draft);
  const now = today();
  const active = problem === undefined ? pickOf(draft, now) : undefined;
  const change = (next: DateRange) => {
    setDraft(next);
    if (rangeProblem(next) === undefined) props.onRange(next);
  };
  return (
    <fieldset class="report-range">
      <legend>Period</legend>
      <div class="quick-picks">
        {quickPicks.map(([pick, label]) => (
          <button
            key={pick}
            type="button"
            class="chip"
            aria-pressed={active === pick}
            onClick={() => {
              change(quickRange(pick, now));
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <div class="range-inputs">
        <TextField
          type="date"
          label="From"
          name="from"
          value={draft.from}
          onValue={(from) => {
            change({ ...draft, from });
          }}
        />
        <TextField
          type="date"
          label="To"
          name="to"
          value={draft.to}
          onValue={(to) => {
            change({ ...draft, to });
          }}
        />
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}

/** The account, category and tag the reports are narrowed to. */
function FilterPicker(props: {
  range: DateRange;
  filters: Filters;
  onFilters: (filters: Filters) => void;
}) {
  const accounts = useAccounts();
  const categories = useCategories();
  // The tags with money out in the period: what filtering by one can show.
  const tagKey = query({ from: props.range.from, to: props.range.to, groupBy: "tag" });
  const tags = useResource(() => api.get<Spending>(`/reports/spending${tagKey}`), [tagKey]);
  const set = (patch: Partial<Filters>) => {
    props.onFilters({ ...props.filters, ...patch });
  };
  const tagNames = (tags.data?.groups ?? []).map((g) => g.name).sort((a, b) => a.localeCompare(b));
  // A tag chosen before the period changed stays listed, so the select shows what is applied.
  if (props.filters.tag !== "" && !tagNames.includes(props.filters.tag)) {
    tagNames.push(props.filters.tag);
  }
  return (
    <div class="report-filters">
      <SelectField
        label="Account"
        name="accountId"
        value={props.filters.accountId}
        options={[
          ["", "All accounts"],
          ...(accounts.data ?? []).map((a): [string, string] => [a.id, a.name]),
        ]}
        onValue={(accountId) => {
          set({ accountId });
        }}
      />
      <SelectField
        label="Category"
        name="categoryId"
        value={props.filters.categoryId}
        options={[
          ["", "All categories"],
          ...categoryTree(categories.data ?? []).map(({ category, depth }): [string, string] => [
            category.id,
            `${"\u00a0\u00a0".repeat(depth)}${category.name}`,
          ]),
        ]}
        onValue={(categoryId) => {
          set({ categoryId });
        }}
      />
      <SelectField
        label="Tag"
        name="tag"
        value={props.filters.tag}
        options={[["", "All tags"], ...tagNames.map((t): [string, string] => [t, t])]}
        onValue={(tag) => {
          set({ tag });
        }}
      />
    </div>
  );
}

/** The reports screen: the last 12 months unless another range is picked, with its filters. */
export function ReportsScreen() {
  const [range, setRange] = useState<DateRange>(() => quickRange("last-12-months", today()));
  const [filters, setFilters] = useState<Filters>({ accountId: "", categoryId: "", tag: "" });
  const narrowed = filters.categoryId !== "" || filters.tag !== "";
  return (
    <div class="page">
      <PageHeader title="Reports" />
      <section class="card report-controls" aria-label="Report period and filters">
        <RangePicker range={range} onRange={setRange} />
        <FilterPicker range={range} filters={filters} onFilters={setFilters} />
      </section>
      <SpendingReport range={range} filters={filters} />
      <CashflowReport range={range} filters={filters} />
      <NetWorthReport range={range} accountId={filters.accountId} narrowed={narrowed} />
      <BudgetReportCard
        month={monthsOf(range).toMonth}
        narrowed={narrowed || filters.accountId !== ""}
      />
    </div>
  );
}
