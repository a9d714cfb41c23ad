import { useMemo } from "preact/hooks";
import { BudgetBar } from "../components/budget-bar.tsx";
import { LineChart } from "../components/chart.tsx";
import { MissingRates } from "../components/missing-rates.tsx";
import { Amount, Empty, LoadError, Loading, PageHeader, Section } from "../components/ui.tsx";
import {
  type Answer,
  api,
  type BudgetReport,
  type NetWorth,
  type Page,
  query,
  type Transaction,
} from "../lib/api.ts";
import { accountTypeLabels, categoryPath, useAccounts, useCategories } from "../lib/data.ts";
import { currentLocale, formatDate, formatMonth, today } from "../lib/format.ts";
import { formatMoney, negate } from "../lib/money.ts";
import { thisMonth } from "../lib/month.ts";
import { recentActivity } from "../lib/recent-activity.ts";
import { type Resource, useResource } from "../lib/resource.ts";
import { type LeftToSpend, leftToSpend, rolledOverOf } from "../lib/this-month.ts";

function monthsAgo(n: number): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth() - n, 1);
  return `${String(d.getFullYear())}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** Net worth at each month end over the last 12 months: chart and the same numbers as a table. */
function NetWorthCard() {
  const report = useResource(
    () =>
      api.get<NetWorth>(`/reports/net-worth${query({ from: monthsAgo(11), to: monthsAgo(0) })}`),
    [],
  );
  const chart = useMemo(() => {
    const points = report.data?.points ?? [];
    // Plotting needs numbers; the table beside it shows the exact decimal strings.
    const line = (label: string, pick: (p: NetWorth["points"][number]) => string) => ({
      label,
      values: points.map((p) => Number(pick(p))),
    });
    return {
      x: points.map((p) => Date.parse(`${p.date}T00:00:00Z`) / 1000),
      series: [
        line("Net worth", (p) => p.net),
        line("Assets", (p) => p.assets),
        line("Liabilities", (p) => p.liabilities),
      ],
    };
  }, [report.data]);
  const formatValue = useMemo(() => {
    const f = new Intl.NumberFormat(currentLocale(), { notation: "compact" });
    return (v: number) => f.format(v);
  }, []);
  const currency = report.data?.currency ?? "EUR";

  return (
    <Section title="Net worth, last 12 months">
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates rates={report.data.missingRates} total="Net worth" onFixed={report.reload} />
      )}
      {report.data?.points.length === 0 && (
        <Empty title="No balances yet">
          <p>Add an account to see your net worth grow here.</p>
        </Empty>
      )}
      {report.data && report.data.points.length > 0 && (
        <div class="chart-with-table">
          <LineChart x={chart.x} series={chart.series} formatValue={formatValue} />
          <div class="table-scroll" tabIndex={0} aria-label="Net worth by month, table">
            <table>
              <caption class="sr-only">Net worth at each month end, in {currency}</caption>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col" class="num">
                    Net worth
                  </th>
                  <th scope="col" class="num">
                    Liabilities
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...report.data.points].reverse().map((p) => (
                  <tr key={p.date}>
                    <th scope="row">{formatMonth(p.date)}</th>
                    <td class="num">
                      <Amount value={p.net} currency={currency} />
                    </td>
                    <td class="num">
                      <Amount value={p.liabilities} currency={currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Section>
  );
}

/** The month's headline: what is left for each day, or how far over budget it is. */
function LeftPerDay(props: { left: LeftToSpend; currency: string }) {
  const { left } = props;
  const bare = (amount: string) => formatMoney(amount, props.currency, currentLocale(), false);
  return (
    <p class="month-headline" data-testid="left-per-day">
      {left.kind === "per-day" && (
        <>
          <strong>{bare(left.perDay)}</strong> a day left to spend
          <span class="month-headline-sub">
            {left.days === 1
              ? "today, the last day of the budget month"
              : `for each of the ${String(left.days)} days left, today included`}
          </span>
        </>
      )}
      {left.kind === "over" && <strong class="neg">Over budget by {bare(left.over)}</strong>}
      {left.kind === "ended" && (
        <>
          The budget month has ended with <strong>{bare(left.left)}</strong> left
        </>
      )}
    </p>
  );
}

/** How the month's budgets stand: spent against budgeted, and what is left for each day. */
function ThisMonth(props: { report: Resource<BudgetReport> }) {
  const { report } = props;
  const data = report.data;
  const currency = data?.currency ?? "EUR";
  const locale = currentLocale();
  const bare = (amount: string) => formatMoney(amount, currency, locale, false);
  const budgeted = data?.lines.some((l) => l.hasBudget) ?? false;
  const left = data && leftToSpend(data.totals.available, currency, data, today());
  return (
    <Section title="This month">
      {report.loading && !data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {data && (
        <MissingRates rates={data.missingRates} total="This month" onFixed={report.reload} />
      )}
      {data && !budgeted && (
        <Empty title="No budgets this month">
          <p>
            <a href="/budgets">Set a budget</a> to see how much you can spend each day.
          </p>
        </Empty>
      )}
      {data && budgeted && left && (
        <>
          <LeftPerDay left={left} currency={currency} />
          <BudgetBar
            line={{
              categoryId: "",
              name: "This month",
              hasBudget: true,
              rollover: false,
              budgeted: data.totals.budgeted,
              spent: data.totals.spent,
              rolledOver: rolledOverOf(data.totals, currency),
              available: data.totals.available,
            }}
            label="This month's budgets used"
          />
          <dl class="facts month-facts">
            <dt>Spent so far</dt>
            <dd data-testid="month-spent">
              {bare(negate(data.totals.spent))} of {bare(data.totals.budgeted)} budgeted
            </dd>
            <dt>Left in budgets</dt>
            <dd>
              <Amount value={data.totals.available} currency={currency} />
            </dd>
            <dt>Outside budgets</dt>
            <dd>
              <Amount value={data.totals.unbudgeted} currency={currency} />
            </dd>
          </dl>
        </>
      )}
    </Section>
  );
}

/** This month's budgets: how much of each is spent. */
function BudgetProgress(props: { report: Resource<BudgetReport> }) {
  const { report } = props;
  // The report lists unbudgeted expense categories too; progress is about the budgets.
  const lines = (report.data?.lines ?? []).filter((l) => l.hasBudget);
  const currency = report.data?.currency ?? "EUR";
  return (
    <Section title="Budget progress">
      {report.loading && !report.data && <Loading />}
      {report.error !== undefined && <LoadError error={report.error} retry={report.reload} />}
      {report.data && (
        <MissingRates
          rates={report.data.missingRates}
          total="Budget spending"
          onFixed={report.reload}
        />
      )}
      {report.data && lines.length === 0 && (
        <Empty title="No budgets this month">
          <p>
            <a href="/budgets">Set a budget</a> to see how much is left.
          </p>
        </Empty>
      )}
      {lines.length > 0 && (
        <ul class="list budget-list">
          {lines.map((l) => (
            <li key={l.categoryId}>
              <a class="list-row" href="/budgets">
                <span class="list-title">{l.name}</span>
                <span>
                  <Amount value={l.available} currency={currency} /> left
                </span>
              </a>
              <BudgetBar line={l} label={`${l.name} budget used`} />
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

type Occurrence = Answer<"upcomingRecurring">["data"][number];

/** The bills and other recurring transactions of the next 30 days. */
function UpcomingBills() {
  const upcoming = useResource(
    () => api.get<{ data: Occurrence[] }>(`/recurring/upcoming${query({ days: 30 })}`),
    [],
  );
  const items = upcoming.data?.data.slice(0, 8) ?? [];
  return (
    <Section title="Upcoming bills">
      {upcoming.loading && !upcoming.data && <Loading />}
      {upcoming.error !== undefined && <LoadError error={upcoming.error} retry={upcoming.reload} />}
      {upcoming.data && items.length === 0 && (
        <Empty title="Nothing due in the next 30 days">
          <p>
            <a href="/bills">Set up a bill</a> to see it here before it is due.
          </p>
        </Empty>
      )}
      {items.length > 0 && (
        <ul class="list">
          {items.map((o) => (
            <li key={`${o.recurringId}-${o.date}`}>
              <a class="list-row" href="/bills">
                <span class="list-main">
                  <span class="list-title">{o.name}</span>
                  <span class="list-sub">
                    {formatDate(o.date)}
                    {o.due && " · due now"}
                    {o.payee && ` · ${o.payee}`}
                  </span>
                </span>
                <Amount value={o.amount} currency={o.currency} />
              </a>
            </li>
          ))}
        </ul>
      )}
      {upcoming.data && items.length > 0 && (
        <p class="card-more">
          <a href="/bills">All bills: post, skip or change them</a>
        </p>
      )}
    </Section>
  );
}

/** The latest activity; the two sides of a transfer are one line. */
function RecentTransactions() {
  // Twice the lines shown: a transfer's two sides make one line.
  const recent = useResource(
    () => api.get<Page<Transaction>>(`/transactions${query({ limit: 16 })}`),
    [],
  );
  const activity = useMemo(() => recentActivity(recent.data?.data ?? [], 8), [recent.data]);
  const accounts = useAccounts();
  const categories = useCategories();
  const accountName = (id: string) => accounts.data?.find((a) => a.id === id)?.name ?? "";
  return (
    <Section title="Recent transactions">
      {recent.loading && !recent.data && <Loading />}
      {recent.error !== undefined && <LoadError error={recent.error} retry={recent.reload} />}
      {recent.data?.data.length === 0 && (
        <Empty title="No transactions yet">
          <p>
            Open an <a href="/accounts">account</a> and add the first one.
          </p>
        </Empty>
      )}
      {activity.length > 0 && (
        <ul class="list">
          {activity.map((item) => {
            const t = item.transaction;
            return (
              <li key={item.key}>
                <a class="list-row" href={`/accounts/${t.accountId}`}>
                  {item.kind === "transfer" ? (
                    <>
                      <span class="list-main">
                        <span class="list-title transfer-title">
                          From {accountName(item.fromAccountId) || "another account"} to{" "}
                          {accountName(item.toAccountId) || "another account"}
                        </span>
                        <span class="list-sub">{formatDate(item.date)} · transfer</span>
                      </span>
                      <span class="amount transfer">
                        {formatMoney(item.amount, item.currency, currentLocale(), false)}
                      </span>
                    </>
                  ) : (
                    <>
                      <span class="list-main">
                        <span class="list-title">{t.payee || t.description || "(no payee)"}</span>
                        <span class="list-sub">
                          {formatDate(t.date)} · {accountName(t.accountId)}
                          {t.categoryId &&
                            ` · ${categoryPath(categories.data ?? [], t.categoryId)}`}
                          {t.splits.length > 0 && " · split"}
                        </span>
                      </span>
                      <Amount value={t.amount} currency={t.currency} />
                    </>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function Balances() {
  const accounts = useAccounts();
  const open = accounts.data?.filter((a) => !a.archived) ?? [];
  return (
    <Section title="Account balances">
      {!accounts.data && accounts.error === undefined && <Loading />}
      {accounts.error !== undefined && (
        <LoadError error={accounts.error} retry={() => void accounts.reload()} />
      )}
      {accounts.data && open.length === 0 && (
        <Empty title="No accounts yet">
          <p>
            <a href="/accounts">Add your first account</a>.
          </p>
        </Empty>
      )}
      {open.length > 0 && (
        <ul class="list">
          {open.map((a) => (
            <li key={a.id}>
              <a class="list-row" href={`/accounts/${a.id}`}>
                <span class="list-main">
                  <span class="list-title">{a.name}</span>
                  <span class="list-sub">{accountTypeLabels[a.type]}</span>
                </span>
                <Amount value={a.balance} currency={a.currency} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** The first screen: net worth, the month's budgets, balances, bills and the latest activity. */
export function DashboardScreen() {
  // One budget report feeds the month's summary and the per-category progress.
  const budget = useResource(
    () => api.get<BudgetReport>(`/reports/budget${query({ month: thisMonth() })}`),
    [],
  );
  return (
    <div class="page">
      <PageHeader title="Dashboard" />
      <div class="dashboard">
        <div class="span-2">
          <NetWorthCard />
        </div>
        <ThisMonth report={budget} />
        <Balances />
        <BudgetProgress report={budget} />
        <UpcomingBills />
        <RecentTransactions />
      </div>
    </div>
  );
}
