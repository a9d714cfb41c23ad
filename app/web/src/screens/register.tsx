import { useEffect, useState } from "preact/hooks";
import { BulkBar, type BulkResult } from "../components/bulk-actions.tsx";
import { TxEditor } from "../components/tx-editor.tsx";
import { Amount, LoadError, Loading, PageHeader } from "../components/ui.tsx";
import { type Account, api, query, type Transaction } from "../lib/api.ts";
import { refreshAccounts, useAccounts, useCategories } from "../lib/data.ts";
import { useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";
import { queryProblem, RegisterList } from "./register/register-list.tsx";
import { RegisterTools, type Summary } from "./register/register-tools.tsx";
import { useRegisterRows } from "./register/use-register-rows.ts";
import { useRowSelection } from "./register/use-row-selection.ts";
import { useRunningBalances } from "./register/use-running-balances.ts";

/** The account's name and balance, with Reconcile and "Add transaction" for those who may edit. */
function RegisterHeader(props: {
  account: Account;
  canWrite: boolean;
  adding: boolean;
  onAdd: () => void;
}) {
  const { account, canWrite } = props;
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
      {canWrite && !props.adding && (
        <button type="button" class="primary" onClick={props.onAdd}>
          Add transaction
        </button>
      )}
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
  const canWrite = useCanWrite();
  const account = accounts.data?.find((a) => a.id === props.accountId);
  const { search, setSearch, q } = useSearch();
  const register = useRegisterRows(props.accountId, q);
  const { data } = register;
  const selection = useRowSelection(data.rows);
  const [editing, setEditing] = useState<string>(); // a transaction id, or "new";
  const balances = useRunningBalances(account, q, data);
  const summary = useResource(
    () =>
      api.get<Summary>(
        `/transactions/summary${query({ accountId: props.accountId, q: q || undefined })}`,
      ),
    [props.accountId, q],
  );

  useEffect(() => {
    setEditing(undefined);
    selection.clear();
  }, [props.accountId, q]);

  const saved = (tx: Transaction) => {
    register.saved(tx);
    setEditing(undefined);
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
  const bulkDone = (result: BulkResult) => {
    register.bulkDone(result);
    const gone = new Set(result.deleted);
    selection.keep(data.rows.filter((t) => !gone.has(t.id)));
    if (gone.size > 0) void refreshAccounts();
    summary.reload();
  };

  if (accounts.error !== undefined)
    return <LoadError error={accounts.error} retry={() => void accounts.reload()} />;
  if (!accounts.data || !categories.data) return <Loading />;
  if (!account) return <AccountNotFound />;
  const cats = categories.data;

  return (
    <div class="page register-page">
      <RegisterHeader
        account={account}
        canWrite={canWrite}
        adding={editing === "new"}
        onAdd={() => {
          setEditing("new");
        }}
      />
      <RegisterTools
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
      />
      {canWrite && selection.selectedRows.length > 0 && (
        <BulkBar
          rows={selection.selectedRows}
          categories={cats}
          onDone={bulkDone}
          onDeselect={selection.deselect}
          onClear={selection.clear}
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
      <RegisterList
        account={account}
        accounts={accounts.data}
        categories={cats}
        canWrite={canWrite}
        data={data}
        balances={balances}
        selected={selection.selected}
        editing={editing}
        searching={q !== ""}
        resetKey={`${props.accountId}\n${q}`}
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
