// The register's list of transactions, virtualized: only the rows in view (and a few either side)
// are in the DOM, each placed by arithmetic. Scrolling renders this list alone, so what a frame
// costs is the rows coming into view, whatever the number of rows loaded.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { TxEditor } from "../../components/tx-editor.tsx";
import { Empty, LoadError } from "../../components/ui.tsx";
import { type Account, ApiError, type Category, type Transaction } from "../../lib/api.ts";
import { RegisterRow, type RowActions } from "./register-row.tsx";
import { rowLabeller } from "./row-label.ts";
import type { LoadedRows } from "./use-register-rows.ts";

/** Every row is this tall (>= 44 px touch targets), so positions are arithmetic, not measured. */
const ROW = 56;
/** Rows rendered beyond each edge of the view. */
const OVERSCAN = 8;
/** The next page is asked for once the rows rendered reach this close to the last loaded. */
const AHEAD = 100;

/** The search language's complaint about `q` (422 at query.q), if that is why a load failed. */
export function queryProblem(error: unknown): string | undefined {
  return error instanceof ApiError ? error.fields["query.q"] : undefined;
}

/** What the list shows instead of rows, or above them: nothing yet, no match, a failure. */
function ListState(props: {
  data: LoadedRows;
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

/**
 * Where rows sit when row `editIndex` (-1: none) is open as an editor `editorHeight` px tall:
 * a row's offset from the top, the row at an offset, and the height the editor adds.
 */
function rowLayout(editIndex: number, editorHeight: number) {
  const extra = editIndex >= 0 ? editorHeight - ROW : 0;
  return {
    extra,
    top: (i: number) => i * ROW + (editIndex >= 0 && i > editIndex ? extra : 0),
    indexAt: (y: number) => {
      if (editIndex < 0 || y < editIndex * ROW) return Math.floor(y / ROW);
      if (y < editIndex * ROW + editorHeight) return editIndex;
      return editIndex + 1 + Math.floor((y - editIndex * ROW - editorHeight) / ROW);
    },
  };
}

/** The height of the open editor, measured as it changes (it grows with its extra fields). */
function useEditorHeight(editIndex: number) {
  const [height, setHeight] = useState(ROW);
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      setHeight(Math.max(ROW, el.offsetHeight));
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, [editIndex]);
  return { height, box };
}

/** The scroll offset and height of `viewport`, kept as it scrolls and resizes. */
function useViewportScroll(viewport: { readonly current: HTMLDivElement | null }) {
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
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
  }, [viewport]);
  const onScroll = (e: { currentTarget: HTMLDivElement }) => {
    setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight });
  };
  return { scroll, onScroll };
}

export interface RegisterListProps {
  /** The account whose register this is; undefined lists every account's, with their names. */
  account: Account | undefined;
  accounts: readonly Account[];
  categories: readonly Category[];
  canWrite: boolean;
  data: LoadedRows;
  /** The running balance after each loaded row, when the register shows them. */
  balances: readonly string[] | undefined;
  selected: ReadonlySet<string>;
  /** The id of the row open as an editor, or "new" (edited above the list), or none. */
  editing: string | undefined;
  searching: boolean;
  /** Changes with the account and the search: the list then goes back to its top. */
  resetKey: string;
  loadMore: () => void;
  retry: () => void;
  onTick: (index: number, checked: boolean, range: boolean) => void;
  onEdit: (id: string | undefined) => void;
  onSaved: (tx: Transaction) => void;
  onDeleted: (id: string) => void;
}

/**
 * The register's rows under their column heads. One row at a time opens in place as an editor;
 * its height is measured and the rows after it shift.
 */
export function RegisterList(props: RegisterListProps) {
  const { account, data, balances, canWrite, editing, onEdit } = props;
  const { rows } = data;
  const viewport = useRef<HTMLDivElement>(null);
  const { scroll, onScroll } = useViewportScroll(viewport);
  const label = useMemo(
    () => rowLabeller(props.categories, props.accounts),
    [props.categories, props.accounts],
  );
  const accountsById = useMemo(
    () => new Map(props.accounts.map((a) => [a.id, a])),
    [props.accounts],
  );
  // Worked out when the rows or the editor change, not on every scrolled frame.
  const editIndex = useMemo(
    () => (editing && editing !== "new" ? rows.findIndex((t) => t.id === editing) : -1),
    [rows, editing],
  );
  const editor = useEditorHeight(editIndex);
  const { extra, top, indexAt } = rowLayout(editIndex, editor.height);
  const count = rows.length;
  const first = Math.max(0, indexAt(scroll.top) - OVERSCAN);
  const last = Math.min(count, indexAt(scroll.top + scroll.height) + OVERSCAN + 1);
  const { loadMore } = props;

  useEffect(() => {
    viewport.current?.scrollTo(0, 0);
  }, [props.resetKey]);

  useEffect(() => {
    if (last > count - AHEAD) loadMore();
  }, [last, count, loadMore]);

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
  const actions = useRef<RowActions>({ tick: props.onTick, focusRow, edit: onEdit });
  actions.current = { tick: props.onTick, focusRow, edit: onEdit };

  return (
    <div
      class={`register ${canWrite ? "selectable" : ""} ${account ? "" : "all-accounts"}`}
      role="region"
      aria-label="Transactions"
    >
      <div class="register-head" aria-hidden="true">
        <span class="c-date">Date</span>
        <span class="c-payee">Payee · category</span>
        {!account && <span class="c-account">Account</span>}
        <span class="c-status">Status</span>
        <span class="c-amount">Amount</span>
        {balances && <span class="c-balance">Balance</span>}
      </div>
      <div class="register-viewport" ref={viewport} onScroll={onScroll}>
        <ListState
          data={data}
          searching={props.searching}
          canWrite={canWrite}
          retry={props.retry}
        />
        <ul
          class="register-rows"
          aria-label={account ? `Transactions of ${account.name}` : "Transactions of every account"}
          style={{ height: `${String(count * ROW + extra)}px` }}
        >
          {rows.slice(first, last).map((t, k) => {
            const i = first + k;
            const own = account ?? accountsById.get(t.accountId);
            if (i === editIndex && own) {
              return (
                <li
                  key={t.id}
                  class="register-editing"
                  style={{ transform: `translateY(${String(top(i))}px)` }}
                >
                  <div ref={editor.box}>
                    <TxEditor
                      account={own}
                      accounts={props.accounts}
                      categories={props.categories}
                      tx={t}
                      canWrite={canWrite}
                      onSaved={props.onSaved}
                      onDeleted={props.onDeleted}
                      onCancel={() => {
                        onEdit(undefined);
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
                selected={props.selected.has(t.id)}
                canWrite={canWrite}
                label={label(t)}
                balance={balances ? (balances[i] ?? "0") : undefined}
                currency={own?.currency ?? t.currency}
                accountName={account ? undefined : (own?.name ?? "")}
                actions={actions}
              />
            );
          })}
        </ul>
      </div>
    </div>
  );
}
