import { Component } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { BulkBar, type BulkResult } from "../components/bulk-actions.tsx";
import { TxEditor } from "../components/tx-editor.tsx";
import { Amount, Empty, LoadError, Loading, PageHeader } from "../components/ui.tsx";
import { api, ApiError, type Category, type Page, query, type Transaction } from "../lib/api.ts";
import { categoryPath, refreshAccounts, useAccounts, useCategories } from "../lib/data.ts";
import { currentLocale, formatCount, formatDate } from "../lib/format.ts";
import { exponentOf, formatMoney, fromMinor, toMinor } from "../lib/money.ts";
import { useResource } from "../lib/resource.ts";
import { keepListed, selectionState, toggleSelection } from "../lib/selection.ts";
import { useCanWrite } from "../lib/session.ts";

/** Every row is this tall (>= 44 px touch targets), so positions are arithmetic, not measured. */
const ROW = 56;
const OVERSCAN = 8;
const PAGE = 500;

interface Loaded {
  rows: Transaction[];
  next: string | null;
  loading: boolean;
  error: unknown;
}

/** The count and totals of what the filters select (GET /transactions/summary). */
interface Summary {
  count: number | null;
  totals: { currency: string; income: string; expense: string; net: string }[] | null;
  reason?: string;
}

/** The search language's complaint about `q` (422 at query.q), if that is why a load failed. */
function queryProblem(error: unknown): string | undefined {
  return error instanceof ApiError ? error.fields["query.q"] : undefined;
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

/** A row's checkbox: Space ticks it, Shift+Space or shift-click ticks a range, arrows move. */
function RowCheck(props: {
  tx: Transaction;
  index: number;
  checked: boolean;
  onTick: (index: number, checked: boolean, range: boolean) => void;
  onMove: (index: number) => void;
}) {
  const { tx, index } = props;
  const amount = formatMoney(tx.amount, tx.currency, currentLocale());
  return (
    <span class="row-check">
      <input
        type="checkbox"
        data-check={index}
        checked={props.checked}
        aria-label={`Select ${titleOf(tx)}, ${formatDate(tx.date)}, ${amount}`}
        onClick={(e) => {
          props.onTick(index, e.currentTarget.checked, e.shiftKey);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            props.onMove(index + (e.key === "ArrowDown" ? 1 : -1));
          }
        }}
      />
    </span>
  );
}

/** What a row is called: its payee, else its description. */
function titleOf(t: Transaction): string {
  return t.payee || t.description || "(no payee)";
}

/** The second line of a row: the category, the split count, or the transfer's direction. */
function categoryLabel(
  t: Transaction,
  categories: readonly Category[],
  accountName: (id: string) => string,
): string {
  if (t.transfer) {
    return `Transfer ${t.amount.startsWith("-") ? "to" : "from"} ${accountName(t.transfer.accountId)}`;
  }
  if (t.splits.length > 0) return `Split (${String(t.splits.length)})`;
  return t.categoryId ? categoryPath(categories, t.categoryId) : "Uncategorised";
}

/** What the list shows instead of rows, or above them: nothing yet, no match, a failure. */
function ListState(props: {
  data: Loaded;
  searching: boolean;
  canWrite: boolean;
  retry: () => void;
}) {
  const { data, searching } = props;
  if (queryProblem(data.error) !== undefined) {
    return (
      <Empty title="The search cannot be read">
        <p>Correct it above to see the matching transactions.</p>
      </Empty>
    );
  }
  if (data.error !== undefined) return <LoadError error={data.error} retry={props.retry} />;
  if (data.rows.length > 0 || data.loading) return null;
  return (
    <Empty title={searching ? "No transactions match" : "No transactions yet"}>
      {!searching && props.canWrite && <p>Use “Add transaction” to record the first one.</p>}
    </Empty>
  );
}

/** What a row does, read through a ref so a row's props stay equal from one render to the next. */
interface RowActions {
  tick: (index: number, checked: boolean, range: boolean) => void;
  focusRow: (index: number, part?: "row" | "check") => void;
  edit: (id: string) => void;
}

interface RowProps {
  tx: Transaction;
  index: number;
  /** Its offset from the top of the list, px. */
  top: number;
  selected: boolean;
  canWrite: boolean;
  /** The second line: category, split count or transfer. */
  label: string;
  /** The running balance after it, when the register shows one. */
  balance: string | undefined;
  currency: string;
  actions: { readonly current: RowActions };
}

function RowView(props: RowProps) {
  const { tx: t, index: i, actions } = props;
  return (
    <li
      style={{ transform: `translateY(${String(props.top)}px)` }}
      class={props.selected ? "selected" : undefined}
    >
      {props.canWrite && (
        <RowCheck
          tx={t}
          index={i}
          checked={props.selected}
          onTick={(index, checked, range) => {
            actions.current.tick(index, checked, range);
          }}
          onMove={(to) => {
            actions.current.focusRow(to, "check");
          }}
        />
      )}
      <button
        type="button"
        class="register-row"
        data-index={i}
        onClick={() => {
          actions.current.edit(t.id);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            actions.current.focusRow(i + 1);
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            actions.current.focusRow(i - 1);
          }
        }}
      >
        <span class="c-date">{formatDate(t.date, "short")}</span>
        <span class="c-payee">
          <span class="list-title">{titleOf(t)}</span>
          <span class="list-sub">
            {props.label}
            {t.tags.map((tag) => (
              <span class="tag" key={tag}>
                #{tag}
              </span>
            ))}
          </span>
        </span>
        <span class={`c-status status-${t.status}`}>{t.status}</span>
        <span class="c-amount">
          <Amount value={t.amount} currency={t.currency} />
        </span>
        {props.balance !== undefined && (
          <span class="c-balance">
            <span class="sr-only">balance </span>
            <Amount value={props.balance} currency={props.currency} />
          </span>
        )}
      </button>
    </li>
  );
}

/**
 * A register row that renders again only when its props change: as the list scrolls, the rows
 * that stay in view are left alone and only those coming into view are rendered (formatting a
 * row's dates and amounts on every frame was most of a scroll frame's work).
 */
class RegisterRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const keys = Object.keys(next) as (keyof RowProps)[];
    return keys.some((key) => next[key] !== this.props[key]);
  }

  override render() {
    return <RowView {...this.props} />;
  }
}

/** Newest first, as the API orders: date descending, then id descending. */
function before(a: Transaction, b: Transaction): boolean {
  if (a.date !== b.date) return a.date > b.date;
  return BigInt(a.id) > BigInt(b.id);
}

/**
 * The account register: a virtualized list (only the rows in view are in the DOM) that loads
 * pages of 500 by keyset cursor as it scrolls, so 100,000 transactions scroll smoothly. One row
 * at a time opens in place as an editor; its height is measured and the rows after it shift.
 */
export function RegisterView(props: { accountId: string }) {
  const accounts = useAccounts();
  const categories = useCategories();
  const canWrite = useCanWrite();
  const account = accounts.data?.find((a) => a.id === props.accountId);
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [data, setData] = useState<Loaded>({
    rows: [],
    next: null,
    loading: true,
    error: undefined,
  });
  const [editing, setEditing] = useState<string>(); // a transaction id, or "new";
  const [editorHeight, setEditorHeight] = useState(ROW);
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
  const viewport = useRef<HTMLDivElement>(null);
  const editorBox = useRef<HTMLDivElement>(null);
  const generation = useRef(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set<string>());
  const anchor = useRef<number | undefined>(undefined);
  const summary = useResource(
    () =>
      api.get<Summary>(
        `/transactions/summary${query({ accountId: props.accountId, q: q || undefined })}`,
      ),
    [props.accountId, q],
  );

  const fetchPage = useCallback(
    async (cursor: string | null, reset: boolean) => {
      const gen = generation.current;
      setData((d) => ({ ...d, loading: true, error: undefined }));
      try {
        const page = await api.get<Page<Transaction>>(
          `/transactions${query({ accountId: props.accountId, q: q || undefined, limit: PAGE, cursor: cursor ?? undefined })}`,
        );
        if (gen !== generation.current) return;
        setData((d) => ({
          rows: reset ? page.data : [...d.rows, ...page.data],
          next: page.nextCursor,
          loading: false,
          error: undefined,
        }));
      } catch (error) {
        // A failed new search shows no rows rather than the previous search's.
        if (gen === generation.current) {
          setData((d) => ({
            rows: reset ? [] : d.rows,
            next: reset ? null : d.next,
            loading: false,
            error,
          }));
        }
      }
    },
    [props.accountId, q],
  );

  useEffect(() => {
    generation.current++;
    setEditing(undefined);
    setSelected(new Set());
    anchor.current = undefined;
    viewport.current?.scrollTo(0, 0);
    void fetchPage(null, true);
  }, [fetchPage]);

  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim());
    }, 250);
    return () => {
      clearTimeout(t);
    };
  }, [search]);

  // Running balance: newest row ends at the account's balance; each older one is the newer
  // one's minus its amount. Exact (bigint), and only without a filter, where it means something.
  const balances = useMemo(() => {
    if (!account || q) return undefined;
    const exponent = exponentOf(account.currency);
    let running = toMinor(account.balance, exponent) ?? 0n;
    return data.rows.map((t) => {
      const here = running;
      running -= toMinor(t.amount, exponent) ?? 0n;
      return fromMinor(here, exponent);
    });
  }, [account, data.rows, q]);

  const editIndex =
    editing && editing !== "new" ? data.rows.findIndex((t) => t.id === editing) : -1;
  const extra = editIndex >= 0 ? editorHeight - ROW : 0;
  const top = (i: number) => i * ROW + (editIndex >= 0 && i > editIndex ? extra : 0);
  const indexAt = (y: number) => {
    if (editIndex < 0 || y < editIndex * ROW) return Math.floor(y / ROW);
    if (y < editIndex * ROW + editorHeight) return editIndex;
    return editIndex + 1 + Math.floor((y - editIndex * ROW - editorHeight) / ROW);
  };
  const count = data.rows.length;
  const first = Math.max(0, indexAt(scroll.top) - OVERSCAN);
  const last = Math.min(count, indexAt(scroll.top + scroll.height) + OVERSCAN + 1);

  useEffect(() => {
    if (data.next && !data.loading && data.error === undefined && last > count - 100) {
      void fetchPage(data.next, false);
    }
  }, [last, count, data.next, data.loading, data.error, fetchPage]);

  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const measure = () => {
      setScroll({ top: el.scrollTop, height: el.clientHeight });
    };
    measure();
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => {
      resize.disconnect();
    };
  }, [account]);

  useLayoutEffect(() => {
    const el = editorBox.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      setEditorHeight(Math.max(ROW, el.offsetHeight));
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, [editIndex]);

  const saved = (tx: Transaction) => {
    setData((d) => {
      const rows = d.rows.filter((t) => t.id !== tx.id);
      const at = rows.findIndex((t) => before(tx, t));
      // Past the loaded rows: a later page brings it, unless this was the last page.
      if (at >= 0) rows.splice(at, 0, tx);
      else if (!d.next) rows.push(tx);
      return { ...d, rows };
    });
    setEditing(undefined);
    void refreshAccounts();
    summary.reload();
  };
  const deleted = (id: string) => {
    setData((d) => ({ ...d, rows: d.rows.filter((t) => t.id !== id) }));
    setSelected((s) =>
      keepListed(
        s,
        ids.filter((x) => x !== id),
      ),
    );
    setEditing(undefined);
    void refreshAccounts();
    summary.reload();
  };
  const bulkDone = (result: BulkResult) => {
    const changed = new Map(result.data.map((t) => [t.id, t]));
    const gone = new Set(result.deleted);
    setData((d) => ({
      ...d,
      rows: d.rows.filter((t) => !gone.has(t.id)).map((t) => changed.get(t.id) ?? t),
    }));
    setSelected((s) =>
      keepListed(
        s,
        ids.filter((id) => !gone.has(id)),
      ),
    );
    if (gone.size > 0) void refreshAccounts();
    summary.reload();
  };
  /** Scrolls row `index` into view and focuses its row button, or with "check" its checkbox. */
  const focusRow = (index: number, part: "row" | "check" = "row") => {
    const el = viewport.current;
    if (!el || index < 0 || index >= count) return;
    if (top(index) < el.scrollTop) el.scrollTop = top(index);
    else if (top(index) + ROW > el.scrollTop + el.clientHeight)
      el.scrollTop = top(index) + ROW - el.clientHeight;
    const selector = `[${part === "row" ? "data-index" : "data-check"}="${String(index)}"]`;
    const target = el.querySelector<HTMLElement>(selector);
    // A row already in the DOM takes focus now, so fast key presses land on it; one scrolled
    // into view is rendered on the next frame.
    if (target) target.focus();
    else
      requestAnimationFrame(() => {
        el.querySelector<HTMLElement>(selector)?.focus();
      });
  };
  const ids = data.rows.map((t) => t.id);
  const tick = (index: number, checked: boolean, range: boolean) => {
    setSelected((s) => toggleSelection(s, ids, index, checked, anchor.current, range));
    anchor.current = index;
  };
  const actions = useRef<RowActions>({ tick, focusRow, edit: setEditing });
  actions.current = { tick, focusRow, edit: setEditing };

  if (accounts.error !== undefined)
    return <LoadError error={accounts.error} retry={() => void accounts.reload()} />;
  if (!accounts.data || !categories.data) return <Loading />;
  if (!account) {
    return (
      <div class="page">
        <PageHeader title="Account not found" />
        <p>
          No such account. <a href="/accounts">Back to the accounts</a>.
        </p>
      </div>
    );
  }
  const cats = categories.data;
  const accountName = (id: string) =>
    accounts.data?.find((a) => a.id === id)?.name ?? "another account";
  const searchError = queryProblem(data.error);
  const selectedRows = data.rows.filter((t) => selected.has(t.id));

  return (
    <div class="page register-page">
      <PageHeader title={account.name}>
        <span class="balance-label">
          Balance <Amount value={account.balance} currency={account.currency} />
        </span>
        {canWrite && (
          <a class="button" href={`/accounts/${account.id}/reconcile`}>
            Reconcile
          </a>
        )}
        {canWrite && editing !== "new" && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setEditing("new");
            }}
          >
            Add transaction
          </button>
        )}
      </PageHeader>
      <div class="register-tools">
        <SearchBox value={search} onValue={setSearch} error={searchError} />
        <span class="muted register-count" role="status" aria-live="polite">
          {data.loading ? (
            "Loading…"
          ) : searchError === undefined ? (
            <SummaryLine summary={summary.data} loaded={count} more={data.next !== null} />
          ) : (
            ""
          )}
        </span>
        {canWrite && count > 0 && (
          <SelectAll
            count={count}
            state={selectionState(selected, ids)}
            onAll={(all) => {
              setSelected(all ? new Set(ids) : new Set());
              anchor.current = undefined;
            }}
          />
        )}
      </div>
      {canWrite && selectedRows.length > 0 && (
        <BulkBar
          rows={selectedRows}
          categories={cats}
          onDone={bulkDone}
          onDeselect={(gone) => {
            setSelected((s) => new Set([...s].filter((id) => !gone.includes(id))));
          }}
          onClear={() => {
            setSelected(new Set());
            anchor.current = undefined;
          }}
        />
      )}
      {editing === "new" && (
        <div class="card">
          <TxEditor
            account={account}
            accounts={accounts.data}
            categories={cats}
            canWrite={canWrite}
            onSaved={saved}
            onCancel={() => {
              setEditing(undefined);
            }}
          />
        </div>
      )}
      <div
        class={`register ${canWrite ? "selectable" : ""}`}
        role="region"
        aria-label="Transactions"
      >
        <div class="register-head" aria-hidden="true">
          <span class="c-date">Date</span>
          <span class="c-payee">Payee · category</span>
          <span class="c-status">Status</span>
          <span class="c-amount">Amount</span>
          {balances && <span class="c-balance">Balance</span>}
        </div>
        <div
          class="register-viewport"
          ref={viewport}
          onScroll={(e) => {
            setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight });
          }}
        >
          <ListState
            data={data}
            searching={q !== ""}
            canWrite={canWrite}
            retry={() => void fetchPage(data.next, data.rows.length === 0)}
          />
          <ul
            class="register-rows"
            aria-label={`Transactions of ${account.name}`}
            style={{ height: `${String(count * ROW + extra)}px` }}
          >
            {data.rows.slice(first, last).map((t, k) => {
              const i = first + k;
              const style = { transform: `translateY(${String(top(i))}px)` };
              if (i === editIndex) {
                return (
                  <li key={t.id} class="register-editing" style={style}>
                    <div ref={editorBox}>
                      <TxEditor
                        account={account}
                        accounts={accounts.data ?? []}
                        categories={cats}
                        tx={t}
                        canWrite={canWrite}
                        onSaved={saved}
                        onDeleted={deleted}
                        onCancel={() => {
                          setEditing(undefined);
                          focusRow(i);
                        }}
                      />
                    </div>
                  </li>
                );
              }
              return (
                <RegisterRow
                  key={t.id}
                  tx={t}
                  index={i}
                  top={top(i)}
                  selected={selected.has(t.id)}
                  canWrite={canWrite}
                  label={categoryLabel(t, cats, accountName)}
                  balance={balances ? (balances[i] ?? "0") : undefined}
                  currency={account.currency}
                  actions={actions}
                />
              );
            })}
          </ul>
        </div>
      </div>
    </div>
  );
}
