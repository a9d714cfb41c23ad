import { useEffect, useState } from "preact/hooks";
import { BulkBar, type BulkResult } from "../components/bulk-actions.tsx";
import { Amount, LoadError, Loading, PageHeader } from "../components/ui.tsx";
import {
  type Account,
  api,
  type Category,
  query,
  type Transaction,
  type TransactionFilter,
} from "../lib/api.ts";
import { refreshAccounts, useAccounts, useCategories } from "../lib/data.ts";
import { useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";
import { queryProblem, RegisterList } from "./register/register-list.tsx";
import { RegisterTools, type Summary } from "./register/register-tools.tsx";
import { SavedFilters } from "./register/saved-filters.tsx";
import { EntryRow } from "./register/entry-row.tsx";
import { useRegisterRows } from "./register/use-register-rows.ts";
import { useRowSelection } from "./register/use-row-selection.ts";
import { useRunningBalances } from "./register/use-running-balances.ts";

/**
 * The account's name and balance, with Reconcile and "Add transaction" (which moves to the entry
 * row) for those who may edit; "Transactions" over the register of every account.
 */
function RegisterHeader(props: {
  account: Account | undefined;
  canWrite: boolean;
  onAdd: () => void;
}) {
  const { account, canWrite } = props;
  const add = canWrite && (
    <button type="button" class="primary" onClick={props.onAdd}>
      Add transaction
    </button>
  );
  if (!account) return <PageHeader title="Transactions">{add}</PageHeader>;
  return (
    <PageHeader title={account.name}>
      <span class="balance-label">
        Balance <Amount value={account.balance} currency={account.currency} />
      </span>
      {canWrite && (
        <a class="button" href={`/accounts/${account.id}/reconcile`}>
          Reconcile
        </a>
      )}
      {add}
    </PageHeader>
  );
}

function AccountNotFound() {
  return (
    <div class="page">
      <PageHeader title="Account not found" />
      <p>
        No such account. <a href="/accounts">Back to the accounts</a>.
      </p>
    </div>
  );
}

/** What is typed in the search box, and the search in force: what was typed, once typing pauses. */
function useSearch() {
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(search.trim());
    }, 250);
    return () => {
      clearTimeout(t);
    };
  }, [search]);
  return { search, setSearch, q };
}

/**
 * The account register: a virtualized list that loads pages of 500 by keyset cursor as it
 * scrolls, so 100,000 transactions scroll smoothly, with search, running balances, bulk actions
 * on the rows selected, and one row at a time open in place as an editor.
 */
export function RegisterView(props: { accountId: string }) {
  const accounts = useAccounts();
  const categories = useCategories();
  if (accounts.error !== undefined)
    return <LoadError error={accounts.error} retry={() => void accounts.reload()} />;
  if (!accounts.data || !categories.data) return <Loading />;
  const account = accounts.data.find((a) => a.id === props.accountId);
  if (!account) return <AccountNotFound />;
  return <Register account={account} accounts={accounts.data} categories={categories.data} />;
}

/**
 * The register of every account (/transactions): the same list, search, totals, saved searches
 * and bulk actions, with each row's account named and no running balance (one across accounts
 * means nothing).
 */
export function AllTransactionsView() {
  const accounts = useAccounts();
  const categories = useCategories();
  if (accounts.error !== undefined)
    return <LoadError error={accounts.error} retry={() => void accounts.reload()} />;
  if (!accounts.data || !categories.data) return <Loading />;
  return <Register account={undefined} accounts={accounts.data} categories={categories.data} />;
}

/**
 * "Every transaction the search matches" as the selection, rather than the loaded rows: offered
 * once every loaded row is ticked and more match than are loaded, forgotten as soon as a row is
 * ticked or unticked (the search changing clears the ticks too).
 */
function useAllMatching(
  selection: { state: "all" | "some" | "none"; selected: ReadonlySet<string> },
  more: boolean,
  count: number | null,
  filter: TransactionFilter,
) {
  const [all, setAll] = useState(false);
  useEffect(() => {
    setAll(false);
  }, [selection.selected]);
  const offer =
    selection.state === "all" && more && count !== null
      ? {
          count,
          onSelect: () => {
            setAll(true);
          },
        }
      : undefined;
  const matching = all && count !== null ? { count, filter } : undefined;
  return { offer, matching };
}

/** The register of `account`, or of every account when it is undefined. */
function Register(props: {
  account: Account | undefined;
  accounts: readonly Account[];
  categories: readonly Category[];
}) {
  const { account, accounts, categories: cats } = props;
  const accountId = account?.id;
  const canWrite = useCanWrite();
  const { search, setSearch, q } = useSearch();
  const register = useRegisterRows(accountId, q);
  const { data } = register;
  const selection = useRowSelection(data.rows);
  const [editing, setEditing] = useState<string>(); // the id of the transaction open in place
  const [focusEntry, setFocusEntry] = useState(0);
  const balances = useRunningBalances(account, q, data);
  const filter: TransactionFilter = { accountId, q: q || undefined };
  const summary = useResource(
    () => api.get<Summary>(`/transactions/summary${query(filter)}`),
    [accountId, q],
  );

  // What the last bulk action by filter did, until the search changes.
  const [notice, setNotice] = useState("");

  useEffect(() => {
    setEditing(undefined);
    selection.clear();
    setNotice("");
  }, [accountId, q]);

  const saved = (tx: Transaction) => {
    register.saved(tx);
    setEditing(undefined);
    void refreshAccounts();
    summary.reload();
  };
  // A new transfer also books its other half, which this register may show as well.
  const entered = (tx: Transaction) => {
    if (tx.transfer && !account) register.reload();
    else register.saved(tx);
    void refreshAccounts();
    summary.reload();
  };
  const deleted = (id: string) => {
    register.deleted(id);
    selection.keep(data.rows.filter((t) => t.id !== id));
    setEditing(undefined);
    void refreshAccounts();
    summary.reload();
  };
  const bulkDone = (result: BulkResult, message: string) => {
    if (result.matched !== undefined) {
      // By filter: any row may have changed, loaded or not. The bar goes with the selection,
      // so what was done is said above the list.
      setNotice(message);
      selection.clear();
      register.reload();
      void refreshAccounts();
      summary.reload();
      return;
    }
    register.bulkDone(result);
    const gone = new Set(result.deleted);
    selection.keep(data.rows.filter((t) => !gone.has(t.id)));
    if (gone.size > 0) void refreshAccounts();
    summary.reload();
  };
  const { offer, matching } = useAllMatching(
    selection,
    data.next !== null,
    summary.data?.count ?? null,
    filter,
  );

  return (
    <div class="page register-page">
      <RegisterHeader
        account={account}
        canWrite={canWrite}
        onAdd={() => {
          setFocusEntry((n) => n + 1);
        }}
      />
      <RegisterTools
        searchLabel={account ? "Search this account" : "Search all transactions"}
        search={search}
        onSearch={setSearch}
        searchError={queryProblem(data.error)}
        loading={data.loading}
        summary={summary.data}
        loaded={data.rows.length}
        more={data.next !== null}
        canSelect={canWrite}
        selection={selection.state}
        onAll={selection.all}
        saved={
          <SavedFilters
            q={q}
            accountId={accountId}
            accounts={accounts}
            categories={cats}
            canWrite={canWrite}
            onPick={setSearch}
          />
        }
      />
      {canWrite && selection.selectedRows.length > 0 && (
        <BulkBar
          rows={selection.selectedRows}
          categories={cats}
          matching={matching}
          offer={offer}
          onDone={bulkDone}
          onDeselect={selection.deselect}
          onClear={selection.clear}
        />
      )}
      {notice !== "" && selection.selectedRows.length === 0 && (
        <p class="muted bulk-notice" role="status">
          {notice}
        </p>
      )}
      {canWrite && (
        <EntryRow
          account={account}
          accounts={accounts}
          categories={cats}
          focusSignal={focusEntry}
          onSaved={entered}
        />
      )}
      <RegisterList
        account={account}
        accounts={accounts}
        categories={cats}
        canWrite={canWrite}
        data={data}
        balances={balances}
        selected={selection.selected}
        editing={editing}
        searching={q !== ""}
        resetKey={`${accountId ?? ""}\n${q}`}
        loadMore={register.loadMore}
        retry={register.retry}
        onTick={selection.tick}
        onEdit={setEditing}
        onSaved={saved}
        onDeleted={deleted}
      />
    </div>
  );
}
