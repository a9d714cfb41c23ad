import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { TxEditor } from "../components/tx-editor.tsx";
import { Amount, Empty, LoadError, Loading, PageHeader } from "../components/ui.tsx";
import { api, type Page, query, type Transaction } from "../lib/api.ts";
import { categoryPath, refreshAccounts, useAccounts, useCategories } from "../lib/data.ts";
import { formatDate } from "../lib/format.ts";
import { exponentOf, fromMinor, toMinor } from "../lib/money.ts";
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
        if (gen === generation.current) setData((d) => ({ ...d, loading: false, error }));
      }
    },
    [props.accountId, q],
  );

  useEffect(() => {
    generation.current++;
    setEditing(undefined);
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
  };
  const deleted = (id: string) => {
    setData((d) => ({ ...d, rows: d.rows.filter((t) => t.id !== id) }));
    setEditing(undefined);
    void refreshAccounts();
  };
  const focusRow = (index: number) => {
    const el = viewport.current;
    if (!el || index < 0 || index >= count) return;
    if (top(index) < el.scrollTop) el.scrollTop = top(index);
    else if (top(index) + ROW > el.scrollTop + el.clientHeight)
      el.scrollTop = top(index) + ROW - el.clientHeight;
    requestAnimationFrame(() => {
      el.querySelector<HTMLElement>(`[data-index="${String(index)}"]`)?.focus();
    });
  };

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
        <label class="search">
          <span class="sr-only">Search this account</span>
          <input
            type="search"
            placeholder="Search payee, description, notes"
            value={search}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
            }}
          />
        </label>
        <span class="muted" role="status" aria-live="polite">
          {data.loading
            ? "Loading…"
            : `${count.toLocaleString()}${data.next ? "+" : ""} transactions`}
        </span>
      </div>
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
      <div class="register" role="region" aria-label="Transactions">
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
          {count === 0 && !data.loading && data.error === undefined && (
            <Empty title={q ? "No transactions match" : "No transactions yet"}>
              {!q && canWrite && <p>Use “Add transaction” to record the first one.</p>}
            </Empty>
          )}
          {data.error !== undefined && (
            <LoadError error={data.error} retry={() => void fetchPage(data.next, count === 0)} />
          )}
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
              const category = t.transfer
                ? `Transfer ${t.amount.startsWith("-") ? "to" : "from"} ${accountName(t.transfer.accountId)}`
                : t.splits.length > 0
                  ? `Split (${String(t.splits.length)})`
                  : t.categoryId
                    ? categoryPath(cats, t.categoryId)
                    : "Uncategorised";
              return (
                <li key={t.id} style={style}>
                  <button
                    type="button"
                    class="register-row"
                    data-index={i}
                    onClick={() => {
                      setEditing(t.id);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === "ArrowDown") {
                        e.preventDefault();
                        focusRow(i + 1);
                      } else if (e.key === "ArrowUp") {
                        e.preventDefault();
                        focusRow(i - 1);
                      }
                    }}
                  >
                    <span class="c-date">{formatDate(t.date, "short")}</span>
                    <span class="c-payee">
                      <span class="list-title">{t.payee || t.description || "(no payee)"}</span>
                      <span class="list-sub">
                        {category}
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
                    {balances && (
                      <span class="c-balance">
                        <span class="sr-only">balance </span>
                        <Amount value={balances[i] ?? "0"} currency={account.currency} />
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      </div>
    </div>
  );
}
