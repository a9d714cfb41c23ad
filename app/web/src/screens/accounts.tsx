import { useState } from "preact/hooks";
import {
  Amount,
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import type { RateList } from "../components/exchange-rates.tsx";
import { api, type Account, type AccountType } from "../lib/api.ts";
import { accountTypeLabels, refreshAccounts, useAccounts } from "../lib/data.ts";
import { formatDate, today } from "../lib/format.ts";
import { normalizeAmount, signOf, sumAmounts } from "../lib/money.ts";
import { useResource } from "../lib/resource.ts";
import { navigate } from "../lib/router.ts";
import { useCanWrite } from "../lib/session.ts";

const typeOptions = Object.entries(accountTypeLabels) as [AccountType, string][];
const commonCurrencies = ["EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "BHD"];

/** The form for a new account; it opens the account's register once created. */
function NewAccountForm(props: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [type, setType] = useState<AccountType>("checking");
  // The household's base currency until the person picks another: a CHF household's first
  // account is in CHF, and its reports need no exchange rate to count it.
  const household = useResource(() => api.get<RateList>("/exchange-rates?limit=1"), []);
  const [picked, setPicked] = useState<string>();
  const currency = picked ?? household.data?.base ?? "EUR";
  const [opening, setOpening] = useState("0");
  const [openingDate, setOpeningDate] = useState(today());
  const [iban, setIban] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Not the field's fallback: a form sent before the base currency has loaded would open a
      // CHF household's account in EUR (the real node's end-to-end run caught it).
      const base =
        household.data?.base ?? (await api.get<RateList>("/exchange-rates?limit=1")).base;
      const code = (picked ?? base).trim().toUpperCase();
      const created = await api.post<Account>("/accounts", {
        name,
        type,
        currency: code,
        openingBalance: normalizeAmount(opening, code) ?? opening,
        openingDate,
        ...(iban.trim() === "" ? {} : { iban }),
      });
      await refreshAccounts();
      navigate(`/accounts/${created.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="card form-grid"
      aria-label="New account"
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onClose();
      }}
    >
      <h2 class="span-all">New account</h2>
      <TextField
        label="Name"
        name="name"
        required
        autoFocus
        value={name}
        onValue={setName}
        error={error}
      />
      <SelectField
        label="Type"
        name="type"
        value={type}
        onValue={(v) => {
          setType(v as AccountType);
        }}
        options={typeOptions}
        error={error}
      />
      <TextField
        label="Currency"
        name="currency"
        list="currencies"
        maxLength={3}
        required
        value={currency}
        onValue={setPicked}
        error={error}
      />
      <datalist id="currencies">
        {commonCurrencies.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <TextField
        label="Opening balance"
        name="openingBalance"
        inputMode="decimal"
        value={opening}
        onValue={setOpening}
        error={error}
      />
      <TextField
        label="Opening date"
        name="openingDate"
        type="date"
        value={openingDate}
        onValue={setOpeningDate}
        error={error}
      />
      <IbanField value={iban} onValue={setIban} error={error} />
      <div class="span-all form-actions">
        <FormError error={error} />
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Create account
        </button>
      </div>
    </form>
  );
}

/** The optional IBAN, typed any way; the server's message says what is wrong with it. */
function IbanField(props: { value: string; onValue: (value: string) => void; error: unknown }) {
  return (
    <TextField
      label="IBAN (optional)"
      name="iban"
      autoComplete="off"
      maxLength={50}
      value={props.value}
      onValue={props.onValue}
      error={props.error}
      hint="Bank statements that name it are imported into this account"
    />
  );
}

/** Sets, changes or forgets (left empty) an account's IBAN. */
function AccountIban(props: {
  account: Account;
  busy: boolean;
  error: unknown;
  change: (patch: Record<string, unknown>, message: string) => Promise<void>;
}) {
  const { account } = props;
  const [iban, setIban] = useState(account.iban ?? "");
  const cleared = iban.trim() === "";
  return (
    <form
      class="account-rename"
      aria-label={`IBAN of ${account.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void props.change(
          { iban: cleared ? null : iban },
          cleared ? `Forgot the IBAN of ${account.name}.` : `Saved the IBAN of ${account.name}.`,
        );
      }}
    >
      <IbanField value={iban} onValue={setIban} error={props.error} />
      <button type="submit" disabled={props.busy || iban === (account.iban ?? "")}>
        Save IBAN
      </button>
    </form>
  );
}

/**
 * Renaming, archiving and closing one account. Closing needs a zero balance; the server also
 * refuses a day before the last transaction and names the field.
 */
function ManageAccount(props: { account: Account; id: string; onDone: (message: string) => void }) {
  const { account } = props;
  const [name, setName] = useState(account.name);
  const [closedOn, setClosedOn] = useState(today());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const change = async (patch: Record<string, unknown>, message: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.patch(`/accounts/${account.id}`, patch, { version: account.version });
      await refreshAccounts();
      props.onDone(message);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const zero = signOf(account.balance) === 0;
  return (
    <div id={props.id} class="account-manage">
      <form
        class="account-rename"
        aria-label={`Rename ${account.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          void change({ name }, `Renamed to ${name.trim()}.`);
        }}
      >
        <TextField label="Name" name="name" required value={name} onValue={setName} error={error} />
        <button type="submit" disabled={busy || name.trim() === account.name}>
          Rename
        </button>
      </form>
      <AccountIban account={account} busy={busy} error={error} change={change} />
      {account.closedOn ? (
        <div class="account-close">
          <p>Closed on {formatDate(account.closedOn)}: nothing can be booked after that day.</p>
          <button
            type="button"
            disabled={busy}
            onClick={() => void change({ closedOn: null }, `Reopened ${account.name}.`)}
          >
            Reopen
          </button>
        </div>
      ) : (
        <>
          <div class="account-close">
            <p>
              {account.archived
                ? "Archived: hidden from the lists, its history kept."
                : "Archive an account you no longer use: it leaves the lists, its history stays."}
            </p>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void change(
                  { archived: !account.archived },
                  account.archived ? `Unarchived ${account.name}.` : `Archived ${account.name}.`,
                )
              }
            >
              {account.archived ? "Unarchive" : "Archive"}
            </button>
          </div>
          {zero ? (
            <form
              class="account-close"
              aria-label={`Close ${account.name}`}
              onSubmit={(e) => {
                e.preventDefault();
                void change({ closedOn }, `Closed ${account.name}; it is archived now.`);
              }}
            >
              <TextField
                label="Closing date"
                name="closedOn"
                type="date"
                required
                value={closedOn}
                onValue={setClosedOn}
                error={error}
                hint="No transaction can be dated after it"
              />
              <button type="submit" class="danger" disabled={busy}>
                Close account
              </button>
            </form>
          ) : (
            <p class="muted">
              To close this account, bring its balance to zero first (it is{" "}
              <Amount value={account.balance} currency={account.currency} />
              ).
            </p>
          )}
        </>
      )}
      <FormError error={error} />
    </div>
  );
}

/** Every account with its balance, grouped by currency totals, and a way to add one. */
export function AccountsScreen() {
  const accounts = useAccounts();
  const canWrite = useCanWrite();
  const [adding, setAdding] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
  const [managing, setManaging] = useState<string>();
  const [done, setDone] = useState("");
  const list = (accounts.data ?? []).filter((a) => showArchived || !a.archived);
  const currencies = [...new Set(list.map((a) => a.currency))];
  return (
    <div class="page">
      <PageHeader title="Accounts">
        {canWrite && !adding && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              setAdding(true);
            }}
          >
            New account
          </button>
        )}
      </PageHeader>
      {adding && (
        <NewAccountForm
          onClose={() => {
            setAdding(false);
          }}
        />
      )}
      <p class="account-done" role="status">
        {done}
      </p>
      {!accounts.data && accounts.error === undefined && <Loading />}
      {accounts.error !== undefined && (
        <LoadError error={accounts.error} retry={() => void accounts.reload()} />
      )}
      {accounts.data?.length === 0 && !adding && (
        <Empty title="No accounts yet">
          <p>
            {canWrite
              ? "Add a checking account, a credit card or cash to start tracking."
              : "Accounts appear here once a member of the household adds them."}
          </p>
        </Empty>
      )}
      {list.length > 0 && (
        <div class="card">
          <ul class="list">
            {list.map((a) => (
              <li key={a.id}>
                <div class="account-line">
                  <a class="list-row" href={`/accounts/${a.id}`}>
                    <span class="list-main">
                      <span class="list-title">
                        {a.name}
                        {a.closedOn ? (
                          <span class="badge">closed {formatDate(a.closedOn, "short")}</span>
                        ) : (
                          a.archived && <span class="badge">archived</span>
                        )}
                      </span>
                      <span class="list-sub">
                        {accountTypeLabels[a.type]} · {a.currency}
                        {a.iban && (
                          <>
                            {" · "}
                            <span class="iban">{a.iban}</span>
                          </>
                        )}
                      </span>
                    </span>
                    <Amount value={a.balance} currency={a.currency} />
                  </a>
                  {canWrite && (
                    <button
                      type="button"
                      class="ghost account-manage-toggle"
                      aria-expanded={managing === a.id}
                      aria-controls={`manage-${a.id}`}
                      onClick={() => {
                        setDone("");
                        setManaging(managing === a.id ? undefined : a.id);
                      }}
                    >
                      Manage<span class="sr-only"> {a.name}</span>
                    </button>
                  )}
                </div>
                {managing === a.id && (
                  <ManageAccount
                    key={a.version}
                    account={a}
                    id={`manage-${a.id}`}
                    onDone={(message) => {
                      setDone(message);
                      setManaging(undefined);
                    }}
                  />
                )}
              </li>
            ))}
          </ul>
          <dl class="totals">
            {currencies.map((c) => (
              <div key={c}>
                <dt>Total {c}</dt>
                <dd>
                  <Amount
                    value={sumAmounts(
                      list.filter((a) => a.currency === c).map((a) => a.balance),
                      c,
                    )}
                    currency={c}
                  />
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      {accounts.data?.some((a) => a.archived) && (
        <label class="check">
          <input
            type="checkbox"
            checked={showArchived}
            onChange={(e) => {
              setShowArchived(e.currentTarget.checked);
            }}
          />
          Show archived accounts
        </label>
      )}
    </div>
  );
}
