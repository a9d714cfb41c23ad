// Reports: spending by category (drilling down the tree), cash flow, net worth and budget against
// actual for a chosen period. Every chart has a table with the same numbers beside it, and every
// table downloads as CSV.
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
} from "../components/ui.tsx";
import { type Answer, api, type BudgetReport, type NetWorth, query } from "../lib/api.ts";
import { currentLocale, formatMonth, today } from "../lib/format.ts";
import { addMonths, thisMonth } from "../lib/month.ts";
import { useResource } from "../lib/resource.ts";

type Spending = Answer<"spendingReport">;
type Cashflow = Answer<"cashflowReport">;

type PeriodKey = "month" | "last-month" | "3m" | "12m" | "year";

const periods: [PeriodKey, string][] = [
  ["month", "This month"],
  ["last-month", "Last month"],
  ["3m", "Last 3 months"],
  ["12m", "Last 12 months"],
  ["year", "This year"],
];

function lastDay(month: string): string {
  const [y, m] = month.split("-").map(Number);
  const days = new Date(Date.UTC(y ?? 1970, m ?? 1, 0)).getUTCDate();
  return `${month}-${String(days).padStart(2, "0")}`;
}

/** A period as first and last month ("YYYY-MM") and first and last day. */
export function periodRange(key: PeriodKey, now = thisMonth()) {
  const ranges: Record<PeriodKey, [string, string]> = {
    month: [now, now],
    "last-month": [addMonths(now, -1), addMonths(now, -1)],
    "3m": [addMonths(now, -2), now],
    "12m": [addMonths(now, -11), now],
    year: [`${now.slice(0, 4)}-01`, now],
  };
  const [fromMonth, toMonth] = ranges[key];
  const to = toMonth === now ? today() : lastDay(toMonth);
  return { fromMonth, toMonth, from: `${fromMonth}-01`, to };
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

function useCompact() {
  return useMemo(() => {
    const f = new Intl.NumberFormat(currentLocale(), { notation: "compact" });
    return (v: number) => f.format(v);
  }, []);
}

function SpendingReport(props: { from: string; to: string }) {
  const report = useResource(
    () => api.get<Spending>(`/reports/spending${query({ from: props.from, to: props.to })}`),
    [props.from, props.to],
  );
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
                    class={`hbar w${String(Math.round((Math.abs(Number(g.amount)) / max) * 20) * 5)}`}
                  />
                </span>
              </li>
            ))}
          </ul>
          <ReportTable
            caption={`Spending by category${parent ? ` in ${parent.name}` : ""}, in ${currency}`}
            filename={`spending-${props.from}-${props.to}.csv`}
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

function CashflowReport(props: { from: string; to: string }) {
  const report = useResource(
    () => api.get<Cashflow>(`/reports/cashflow${query({ from: props.from, to: props.to })}`),
    [props.from, props.to],
  );
  const formatValue = useCompact();
  const chart = useMemo(() => {
    const points = report.data?.points ?? [];
    const line = (label: string, pick: (p: Cashflow["points"][number]) => string): ChartSeries => ({
      label,
      values: points.map((p) => Number(pick(p))),
    });
    return {
      x: points.map((p) => Date.parse(`${p.start}T00:00:00Z`) / 1000),
      series: [
        line("Net", (p) => p.net),
        line("Income", (p) => p.income),
        line("Expense", (p) => p.expense),
      ],
    };
  }, [report.data]);
  const currency = report.data?.currency ?? "EUR";
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
            <LineChart x={chart.x} series={chart.series} formatValue={formatValue} />
          ) : (
            <p class="hint">One point so far: the chart appears from two on.</p>
          )}
          <ReportTable
            caption={`Cash flow per month, in ${currency}`}
            filename={`cashflow-${props.from}-${props.to}.csv`}
            currency={currency}
            columns={[
              { label: "Month" },
              { label: "Income", num: true },
              { label: "Expense", num: true },
              { label: "Net", num: true },
            ]}
            rows={report.data.points.map((p) => ({
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

function NetWorthReport(props: { fromMonth: string; toMonth: string }) {
  const report = useResource(
    () =>
      api.get<NetWorth>(`/reports/net-worth${query({ from: props.fromMonth, to: props.toMonth })}`),
    [props.fromMonth, props.toMonth],
  );
  const formatValue = useCompact();
  const chart = useMemo(() => {
    const points = report.data?.points ?? [];
    return {
      x: points.map((p) => Date.parse(`${p.date}T00:00:00Z`) / 1000),
      series: [
        { label: "Net worth", values: points.map((p) => Number(p.net)) },
        { label: "Assets", values: points.map((p) => Number(p.assets)) },
        { label: "Liabilities", values: points.map((p) => Number(p.liabilities)) },
      ],
    };
  }, [report.data]);
  const currency = report.data?.currency ?? "EUR";
  return (
    <Section title="Net worth">
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates rates={report.data.missingRates} total="Net worth" onFixed={report.reload} />
      )}
      {report.data && report.data.points.length > 0 && (
        <div class="report-grid">
          {chart.x.length > 1 ? (
            <LineChart x={chart.x} series={chart.series} formatValue={formatValue} />
          ) : (
            <p class="hint">One point so far: the chart appears from two on.</p>
          )}
          <ReportTable
            caption={`Net worth at each month end, in ${currency}`}
            filename={`net-worth-${props.fromMonth}-${props.toMonth}.csv`}
            currency={currency}
            columns={[
              { label: "Month" },
              { label: "Assets", num: true },
              { label: "Liabilities", num: true },
              { label: "Net worth", num: true },
            ]}
            rows={report.data.points.map((p) => ({
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

function BudgetReportCard(props: { month: string }) {
  const report = useResource(
    () => api.get<BudgetReport>(`/reports/budget${query({ month: props.month })}`),
    [props.month],
  );
  const currency = report.data?.currency ?? "EUR";
  const lines = (report.data?.lines ?? []).filter((l) => l.hasBudget);
  return (
    <Section title={`Budget against actual, ${formatMonth(props.month)}`}>
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

/** The reports screen with its period picker. */
export function ReportsScreen() {
  const [period, setPeriod] = useState<PeriodKey>("month");
  const range = periodRange(period);
  return (
    <div class="page">
      <PageHeader title="Reports">
        <SelectField
          label="Period"
          name="period"
          value={period}
          options={periods}
          onValue={(v) => {
            setPeriod(v as PeriodKey);
          }}
        />
      </PageHeader>
      <SpendingReport from={range.from} to={range.to} />
      <CashflowReport from={range.from} to={range.to} />
      <NetWorthReport fromMonth={range.fromMonth} toMonth={range.toMonth} />
      <BudgetReportCard month={range.toMonth} />
    </div>
  );
}
