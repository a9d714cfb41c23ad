// Above the register's rows: the search box, what the search found, and "select all".
import { Amount } from "../../components/ui.tsx";
import { formatCount } from "../../lib/format.ts";

/** The count and totals of what the filters select (GET /transactions/summary). */
export interface Summary {
  count: number | null;
  totals: { currency: string; income: string; expense: string; net: string }[] | null;
  reason?: string;
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
  value: string;
  onValue: (value: string) => void;
  error: string | undefined;
}) {
  const { error } = props;
  return (
    <div class="search">
      <label for="register-search" class="sr-only">
        Search this account
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
          Words, or fields such as payee:, category:, tag:, amount:&lt;-50, after:2026-01-01;
          combine with OR, leave out with -word
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
}) {
  const { searchError } = props;
  return (
    <div class="register-tools">
      <SearchBox value={props.search} onValue={props.onSearch} error={searchError} />
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
    </div>
  );
}
