// Above the register's rows: the search box, what the search found and its totals, and
// "select all".
import type { ComponentChildren } from "preact";
import { Amount } from "../../components/ui.tsx";
import type { TransactionSummary } from "../../lib/api.ts";
import { formatCount } from "../../lib/format.ts";

/** The count and totals of what the filters select (GET /transactions/summary). */
export type Summary = TransactionSummary;

/** Money in, money out and net of what the filters select, a line per currency. */
function Totals(props: { summary: Summary | undefined }) {
  const totals = props.summary?.totals;
  if (!totals || totals.length === 0) return null;
  return (
    <ul class="register-totals" data-testid="register-totals" aria-label="Totals">
      {totals.map((t) => (
        <li key={t.currency}>
          <span class="total-part">
            <span class="muted">In </span>
            <Amount value={t.income} currency={t.currency} />
          </span>
          <span class="total-part">
            <span class="muted">Out </span>
            <Amount value={t.expense} currency={t.currency} />
          </span>
          <span class="total-part">
            <span class="muted">Net </span>
            <Amount value={t.net} currency={t.currency} />
          </span>
        </li>
      ))}
    </ul>
  );
}

/** "12 transactions, total -€1,234.56" for the search results, or why the total is missing. */
function SummaryLine(props: { summary: Summary | undefined; loaded: number; more: boolean }) {
  const { summary } = props;
  if (summary?.count === null || summary?.count === undefined || summary.totals === null) {
    return (
      <>
        {`${formatCount(props.loaded)}${props.more ? "+" : ""} transactions`}
        {summary?.reason && <span class="hint"> (no total: {summary.reason})</span>}
      </>
    );
  }
  return (
    <span data-testid="search-summary">
      {formatCount(summary.count)} {summary.count === 1 ? "transaction" : "transactions"}
      {summary.totals.length > 0 && ", total "}
      {summary.totals.map((t, i) => (
        <span key={t.currency}>
          {i > 0 && " + "}
          <Amount value={t.net} currency={t.currency} />
        </span>
      ))}
    </span>
  );
}

/** The search box: the query language, with its parse error in place of the hint. */
function SearchBox(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error: string | undefined;
}) {
  const { error } = props;
  return (
    <div class="search">
      <label for="register-search" class="sr-only">
        {props.label}
      </label>
      <input
        id="register-search"
        type="search"
        placeholder="Search, e.g. amazon or payee:amazon amount:<-50"
        value={props.value}
        aria-invalid={error !== undefined || undefined}
        aria-describedby={error === undefined ? "register-search-hint" : "register-search-error"}
        onInput={(e) => {
          props.onValue(e.currentTarget.value);
        }}
      />
      {error === undefined ? (
        <small id="register-search-hint" class="hint">
          Words, or fields such as payee:, category:, account:, tag:, amount:&lt;-50,
          after:2026-01-01; combine with OR, leave out with -word
        </small>
      ) : (
        <small id="register-search-error" class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** "Select all N loaded": checked, mixed or clear as the rows are. */
function SelectAll(props: {
  count: number;
  state: "all" | "some" | "none";
  onAll: (all: boolean) => void;
}) {
  return (
    <label class="check select-all">
      <input
        type="checkbox"
        checked={props.state === "all"}
        indeterminate={props.state === "some"}
        onChange={(e) => {
          props.onAll(e.currentTarget.checked);
        }}
      />
      Select all {formatCount(props.count)} loaded
    </label>
  );
}

/** The search, the live count of what it found, and "select all" when rows can be selected. */
export function RegisterTools(props: {
  /** The search box's name: "Search this account", or all transactions. */
  searchLabel: string;
  search: string;
  onSearch: (value: string) => void;
  /** Why the search cannot be read, when it cannot. */
  searchError: string | undefined;
  loading: boolean;
  summary: Summary | undefined;
  loaded: number;
  more: boolean;
  canSelect: boolean;
  selection: "all" | "some" | "none";
  onAll: (all: boolean) => void;
  /** The saved searches, beside the box. */
  saved: ComponentChildren;
}) {
  const { searchError } = props;
  return (
    <div class="register-tools">
      <SearchBox
        label={props.searchLabel}
        value={props.search}
        onValue={props.onSearch}
        error={searchError}
      />
      {props.saved}
      <span class="muted register-count" role="status" aria-live="polite">
        {props.loading ? (
          "Loading…"
        ) : searchError === undefined ? (
          <SummaryLine summary={props.summary} loaded={props.loaded} more={props.more} />
        ) : (
          ""
        )}
      </span>
      {props.canSelect && props.loaded > 0 && (
        <SelectAll count={props.loaded} state={props.selection} onAll={props.onAll} />
      )}
      {!props.loading && searchError === undefined && <Totals summary={props.summary} />}
    </div>
  );
}
