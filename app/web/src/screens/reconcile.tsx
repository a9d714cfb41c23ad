// Reconciling an account against a bank statement: enter the statement's date and closing
// balance, tick the transactions the statement shows until the difference is zero, finish.
import { useState } from "preact/hooks";
import {
  Amount,
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  Section,
  TextField,
} from "../components/ui.tsx";
import { type Answer, api, type Page, query, type Transaction } from "../lib/api.ts";
import { refreshAccounts, useAccounts } from "../lib/data.ts";
import { formatDate, today } from "../lib/format.ts";
import { signOf } from "../lib/money.ts";
import { useResource } from "../lib/resource.ts";
import { navigate } from "../lib/router.ts";
import { useCanWrite } from "../lib/session.ts";

type Reconciliation = Answer<"getReconciliation">;

function StartForm(props: { accountId: string; onStarted: (r: Reconciliation) => void }) {
  const [date, setDate] = useState(today());
  const [balance, setBalance] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  return (
    <Section title="Statement">
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api
            .post<Reconciliation>(`/accounts/${props.accountId}/reconciliations`, {
              statementDate: date,
              statementBalance: balance,
            })
            .then(props.onStarted, setError);
        }}
      >
        <TextField
          label="Statement date"
          name="statementDate"
          type="date"
          value={date}
          onValue={setDate}
          error={error}
          required
        />
        <TextField
          label="Closing balance on the statement"
          name="statementBalance"
          inputMode="decimal"
          value={balance}
          onValue={setBalance}
          error={error}
          required
        />
        <div class="form-actions span-all">
          <FormError error={error} />
          <button type="submit" class="primary">
            Start reconciling
          </button>
        </div>
      </form>
    </Section>
  );
}

function Work(props: {
  accountId: string;
  currency: string;
  rec: Reconciliation;
  onChange: (r: Reconciliation | undefined) => void;
}) {
  const { rec, currency } = props;
  const [error, setError] = useState<unknown>(undefined);
  const txs = useResource(
    () =>
      api.get<Page<Transaction>>(
        `/transactions${query({ accountId: props.accountId, to: rec.statementDate, limit: 500 })}`,
      ),
    [props.accountId, rec.statementDate],
  );
  const open = (txs.data?.data ?? []).filter((t) => t.status !== "reconciled");
  const ticked = new Set(rec.tickedTransactionIds);
  const base = `/accounts/${props.accountId}/reconciliations/${rec.id}`;
  const toggle = (id: string, on: boolean) => {
    setError(undefined);
    api
      .patch<Reconciliation>(base, on ? { tick: [id] } : { untick: [id] })
      .then(props.onChange, setError);
  };
  const finish = (adjust: boolean) => {
    setError(undefined);
    api.post(`${base}/finish`, { adjust }).then(() => {
      void refreshAccounts();
      navigate(`/accounts/${props.accountId}`);
    }, setError);
  };
  const balanced = signOf(rec.difference) === 0;
  return (
    <>
      <Section title={`Statement of ${formatDate(rec.statementDate)}`}>
        <dl class="facts recon-facts" aria-live="polite">
          <dt>Previously reconciled</dt>
          <dd>
            <Amount value={rec.previousBalance} currency={currency} />
          </dd>
          <dt>Ticked</dt>
          <dd>
            <Amount value={rec.tickedTotal} currency={currency} />
          </dd>
          <dt>Cleared balance</dt>
          <dd>
            <Amount value={rec.clearedBalance} currency={currency} />
          </dd>
          <dt>Statement balance</dt>
          <dd>
            <Amount value={rec.statementBalance} currency={currency} />
          </dd>
          <dt>Difference</dt>
          <dd data-testid="difference">
            <Amount value={rec.difference} currency={currency} />
            {balanced ? " ✓ balanced" : ""}
          </dd>
        </dl>
        <FormError error={error} />
        <div class="form-actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              api.del(base).then(() => {
                props.onChange(undefined);
              }, setError);
            }}
          >
            Cancel reconciliation
          </button>
          {!balanced && (
            <button
              type="button"
              onClick={() => {
                finish(true);
              }}
            >
              Finish with an adjustment
            </button>
          )}
          <button
            type="button"
            class="primary"
            disabled={!balanced}
            onClick={() => {
              finish(false);
            }}
          >
            Finish
          </button>
        </div>
      </Section>
      <Section title="Transactions up to the statement date">
        {txs.loading && !txs.data && <Loading />}
        {txs.error !== undefined && <LoadError error={txs.error} retry={txs.reload} />}
        {txs.data && open.length === 0 && <Empty title="No unreconciled transactions" />}
        {open.length > 0 && (
          <ul class="list recon-list">
            {open.map((t) => (
              <li key={t.id}>
                <label class="recon-row">
                  <input
                    type="checkbox"
                    checked={ticked.has(t.id)}
                    onChange={(e) => {
                      toggle(t.id, e.currentTarget.checked);
                    }}
                  />
                  <span class="list-main">
                    <span class="list-title">{t.payee || t.description || "(no payee)"}</span>
                    <span class="list-sub">{formatDate(t.date)}</span>
                  </span>
                  <Amount value={t.amount} currency={t.currency} />
                </label>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

/** The reconcile screen of one account. */
export function ReconcileScreen(props: { accountId: string }) {
  const accounts = useAccounts();
  const canWrite = useCanWrite();
  const account = accounts.data?.find((a) => a.id === props.accountId);
  const list = useResource(
    () => api.get<{ data: Reconciliation[] }>(`/accounts/${props.accountId}/reconciliations`),
    [props.accountId],
  );
  const current = list.data?.data.find((r) => r.status === "open");
  const set = (r: Reconciliation | undefined) => {
    list.set({ data: r ? [r] : [] });
  };
  return (
    <div class="page">
      <PageHeader title={`Reconcile ${account?.name ?? ""}`}>
        <a class="button" href={`/accounts/${props.accountId}`}>
          Back to the register
        </a>
      </PageHeader>
      {(list.loading || !accounts.data) && !list.data && <Loading />}
      {list.error !== undefined && <LoadError error={list.error} retry={list.reload} />}
      {!canWrite && <Empty title="Reconciling needs edit rights" />}
      {canWrite && list.data && account && !current && (
        <StartForm accountId={props.accountId} onStarted={set} />
      )}
      {canWrite && account && current && (
        <Work
          accountId={props.accountId}
          currency={account.currency}
          rec={current}
          onChange={set}
        />
      )}
    </div>
  );
}
