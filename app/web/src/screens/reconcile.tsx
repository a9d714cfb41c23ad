// Reconciling an account against a bank statement: enter the statement's date and closing
// balance (as the user writes amounts: 1.234,56 or 1,234.56), start with the cleared
// transactions ticked, tick or untick until the difference is zero, finish. The difference
// stays in view at the bottom of the screen however long the list.
import { useRef, useState } from "preact/hooks";
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
import { type Answer, api, ApiError, type Page, query, type Transaction } from "../lib/api.ts";
import { refreshAccounts, useAccounts } from "../lib/data.ts";
import { currentLocale, formatDate, today } from "../lib/format.ts";
import {
  amountProblemMessage,
  exponentOf,
  formatMoney,
  fromMinor,
  readTypedAmount,
  signOf,
} from "../lib/money.ts";
import { useResource } from "../lib/resource.ts";
import { navigate } from "../lib/router.ts";
import { useCanWrite } from "../lib/session.ts";

type Reconciliation = Answer<"getReconciliation">;

/** The account's transactions up to `date` that are not reconciled yet, every page of them. */
async function openTransactions(accountId: string, date: string): Promise<Transaction[]> {
  const rows: Transaction[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<Page<Transaction>>(
      `/transactions${query({ accountId, to: date, limit: 500, cursor })}`,
    );
    rows.push(...page.data.filter((t) => t.status !== "reconciled"));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rows;
}

/** The API ticks at most this many transactions a request. */
const TICK_BATCH = 5000;

/** Ticks (or unticks) `ids` in batches the API takes; the reconciliation after the last one. */
async function tickAll(
  path: string,
  ids: readonly string[],
  key: "tick" | "untick" = "tick",
): Promise<Reconciliation | undefined> {
  let rec: Reconciliation | undefined;
  for (let at = 0; at < ids.length; at += TICK_BATCH) {
    rec = await api.patch<Reconciliation>(path, { [key]: ids.slice(at, at + TICK_BATCH) });
  }
  return rec;
}

/** A refused field as the API would name it, so the form shows it beside the control. */
function fieldError(field: string, message: string): ApiError {
  return new ApiError(422, { errors: [{ path: `body.${field}`, message }] });
}

function StartForm(props: {
  accountId: string;
  currency: string;
  onStarted: (r: Reconciliation) => void;
}) {
  const [date, setDate] = useState(today());
  const [balance, setBalance] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const exponent = exponentOf(props.currency);
  const read = readTypedAmount(balance, exponent, currentLocale());
  const check = (): string | undefined => {
    if ("minor" in read) return fromMinor(read.minor, exponent);
    setError(
      fieldError(
        "statementBalance",
        amountProblemMessage(read.problem, props.currency, currentLocale()),
      ),
    );
    return undefined;
  };
  const start = async (statementBalance: string) => {
    const rec = await api.post<Reconciliation>(`/accounts/${props.accountId}/reconciliations`, {
      statementDate: date,
      statementBalance,
    });
    // What the bank has cleared is most likely on the statement: start with it ticked.
    const cleared = (await openTransactions(props.accountId, date))
      .filter((t) => t.status === "cleared")
      .map((t) => t.id);
    // Ticking is a convenience: if it fails, the reconciliation is open all the same.
    return tickAll(`/accounts/${props.accountId}/reconciliations/${rec.id}`, cleared).then(
      (ticked) => ticked ?? rec,
      () => rec,
    );
  };
  return (
    <Section title="Statement">
      <form
        class="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          const statementBalance = check();
          if (statementBalance === undefined) return;
          setBusy(true);
          start(statementBalance)
            .then(props.onStarted, setError)
            .finally(() => {
              setBusy(false);
            });
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
          autoComplete="off"
          value={balance}
          onValue={(value) => {
            setBalance(value);
            if (error instanceof ApiError && error.field("statementBalance")) setError(undefined);
          }}
          error={error}
          hint={
            "minor" in read
              ? `Reads as ${formatMoney(fromMinor(read.minor, exponent), props.currency, currentLocale())}`
              : "As printed on the statement, such as 1.234,56 or -12,50"
          }
          required
        />
        <div class="form-actions span-all">
          <FormError error={error} />
          <button type="submit" class="primary" disabled={busy}>
            Start reconciling
          </button>
        </div>
      </form>
    </Section>
  );
}

/** The difference, always in view, and the Finish button it unlocks. */
function DifferenceBar(props: {
  rec: Reconciliation;
  currency: string;
  tickedCount: number;
  onFinish: () => void;
}) {
  const balanced = signOf(props.rec.difference) === 0;
  return (
    <div class={`recon-bar ${balanced ? "balanced" : ""}`}>
      <div class="recon-bar-figures" role="status" aria-live="polite" aria-atomic="true">
        <span class="recon-bar-label">Difference</span>
        <span class="recon-bar-amount" data-testid="difference">
          <Amount value={props.rec.difference} currency={props.currency} />
          <span class="recon-state">
            {balanced ? (
              <>
                <span aria-hidden="true">✓ </span>Balanced
              </>
            ) : (
              "Not balanced yet"
            )}
          </span>
        </span>
        <span class="recon-bar-sub">
          {props.tickedCount} ticked · statement{" "}
          <Amount value={props.rec.statementBalance} currency={props.currency} />
        </span>
      </div>
      <button type="button" class="primary" disabled={!balanced} onClick={props.onFinish}>
        Finish
      </button>
    </div>
  );
}

function Work(props: {
  accountId: string;
  currency: string;
  rec: Reconciliation;
  onChange: (r: Reconciliation | undefined) => void;
}) {
  const { rec, currency } = props;
  const accounts = useAccounts();
  const [error, setError] = useState<unknown>(undefined);
  const txs = useResource(
    () => openTransactions(props.accountId, rec.statementDate),
    [props.accountId, rec.statementDate],
  );
  const open = txs.data ?? [];
  const ticked = new Set(rec.tickedTransactionIds);
  const base = `/accounts/${props.accountId}/reconciliations/${rec.id}`;
  // Changes go one after another, so the last answer shown is the state after the last click.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const change = (key: "tick" | "untick", ids: readonly string[]) => {
    setError(undefined);
    queue.current = queue.current.then(() =>
      tickAll(base, ids, key).then((r) => {
        if (r) props.onChange(r);
      }, setError),
    );
  };
  const finish = (adjust: boolean) => {
    setError(undefined);
    api.post(`${base}/finish`, { adjust }).then(() => {
      void refreshAccounts();
      navigate(`/accounts/${props.accountId}`);
    }, setError);
  };
  const balanced = signOf(rec.difference) === 0;
  const titleOf = (t: Transaction) => {
    const other = accounts.data?.find((a) => a.id === t.transfer?.accountId)?.name;
    if (other === undefined) return t.payee || t.description || "(no payee)";
    return signOf(t.amount) < 0 ? `Transfer to ${other}` : `Transfer from ${other}`;
  };
  const unticked = open.filter((t) => !ticked.has(t.id)).map((t) => t.id);
  return (
    <>
      <Section title={`Statement of ${formatDate(rec.statementDate)}`}>
        <dl class="facts recon-facts">
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
        </div>
      </Section>
      <Section title="Transactions up to the statement date">
        {txs.loading && !txs.data && <Loading />}
        {txs.error !== undefined && <LoadError error={txs.error} retry={txs.reload} />}
        {txs.data && open.length === 0 && <Empty title="No unreconciled transactions" />}
        {open.length > 0 && (
          <>
            <div class="recon-tools">
              <button
                type="button"
                disabled={unticked.length === 0}
                onClick={() => {
                  change("tick", unticked);
                }}
              >
                Tick all
              </button>
              <button
                type="button"
                disabled={ticked.size === 0}
                onClick={() => {
                  change("untick", [...ticked]);
                }}
              >
                Untick all
              </button>
            </div>
            <ul class="list recon-list">
              {open.map((t) => (
                <li key={t.id}>
                  <label class="recon-row">
                    <input
                      type="checkbox"
                      checked={ticked.has(t.id)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        change(on ? "tick" : "untick", [t.id]);
                      }}
                    />
                    <span class="list-main">
                      <span class="list-title">{titleOf(t)}</span>
                      <span class="list-sub">
                        {formatDate(t.date)}
                        {t.status === "pending" && " · pending"}
                      </span>
                    </span>
                    <Amount value={t.amount} currency={t.currency} />
                  </label>
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>
      <DifferenceBar
        rec={rec}
        currency={currency}
        tickedCount={ticked.size}
        onFinish={() => {
          finish(false);
        }}
      />
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
        <StartForm accountId={props.accountId} currency={account.currency} onStarted={set} />
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
