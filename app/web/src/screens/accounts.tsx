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
import { today } from "../lib/format.ts";
import { normalizeAmount, sumAmounts } from "../lib/money.ts";
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
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const code = currency.trim().toUpperCase();
      const created = await api.post<Account>("/accounts", {
        name,
        type,
        currency: code,
        openingBalance: normalizeAmount(opening, code) ?? opening,
        openingDate,
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

/** Every account with its balance, grouped by currency totals, and a way to add one. */
export function AccountsScreen() {
  const accounts = useAccounts();
  const canWrite = useCanWrite();
  const [adding, setAdding] = useState(false);
  const [showArchived, setShowArchived] = useState(false);
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
      {!accounts.data && accounts.error === undefined && <Loading />}
      {accounts.error !== undefined && (
        <LoadError error={accounts.error} retry={() => void accounts.reload()} />
      )}
      {accounts.data?.length === 0 && !adding && (
        <Empty title="No accounts yet">
          <p>Add a checking account, a credit card or cash to start tracking.</p>
        </Empty>
      )}
      {list.length > 0 && (
        <div class="card">
          <ul class="list">
            {list.map((a) => (
              <li key={a.id}>
                <a class="list-row" href={`/accounts/${a.id}`}>
                  <span class="list-main">
                    <span class="list-title">
                      {a.name}
                      {a.archived && <span class="badge">archived</span>}
                    </span>
                    <span class="list-sub">
                      {accountTypeLabels[a.type]} · {a.currency}
                    </span>
                  </span>
                  <Amount value={a.balance} currency={a.currency} />
                </a>
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
