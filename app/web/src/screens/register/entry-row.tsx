import { useEffect, useId, useRef, useState } from "preact/hooks";
import { FormError, SelectField, TextField } from "../../components/ui.tsx";
import {
  type Account,
  api,
  ApiError,
  type Attachment,
  type Category,
  messageOf,
  type Transaction,
} from "../../lib/api.ts";
import { categoryOptions, categoryPath } from "../../lib/data.ts";
import { useDropZone } from "../../lib/drop-zone.ts";
import { otherSideAmount, signedAmount } from "../../lib/entry.ts";
import { currentLocale, formatBytes, today } from "../../lib/format.ts";
import { onEntryRequest, takeEntryRequest } from "../../lib/quick-add.ts";
import { PayeeInput } from "./payee-input.tsx";

const acceptedReceipts = "application/pdf,image/jpeg,image/png,image/webp,image/heic,image/heif";

interface EntryDraft {
  accountId: string;
  date: string;
  payee: string;
  categoryId: string;
  memo: string;
  outflow: string;
  inflow: string;
  transfer: boolean;
  transferAccountId: string;
  transferAmount: string;
}

/** An empty row on `accountId` and `date`: what a saved entry leaves for the next one. */
function emptyDraft(accountId: string, date: string): EntryDraft {
  return {
    accountId,
    date,
    payee: "",
    categoryId: "",
    memo: "",
    outflow: "",
    inflow: "",
    transfer: false,
    transferAccountId: "",
    transferAmount: "",
  };
}

/** A problem found before sending, shown at `field` like the server's own. */
function localProblem(field: string, message: string): ApiError {
  return new ApiError(422, {
    detail: message,
    errors: [{ path: `body.${field}`, message }],
  });
}

/** The POST /transactions body for a draft, or the first problem with it. */
function entryBody(draft: EntryDraft, account: Account | undefined, other: Account | undefined) {
  if (!account) return localProblem("accountId", "Choose an account.");
  const locale = currentLocale();
  const amount = signedAmount(draft.outflow, draft.inflow, account.currency, locale);
  if ("problem" in amount) return localProblem(amount.field, amount.problem);
  let transfer: { accountId: string; amount?: string } | undefined;
  if (draft.transfer) {
    if (!other) return localProblem("transfer.accountId", "Choose the other account.");
    transfer = { accountId: other.id };
    if (other.currency !== account.currency) {
      const there = otherSideAmount(draft.transferAmount, amount.amount, other.currency, locale);
      if ("problem" in there) return localProblem("transfer.amount", there.problem);
      transfer.amount = there.amount;
    }
  }
  return {
    accountId: account.id,
    date: draft.date,
    payee: draft.payee.trim(),
    amount: amount.amount,
    notes: draft.memo,
    categoryId: transfer ? null : draft.categoryId || null,
    ...(transfer ? { transfer } : {}),
  };
}

/**
 * Uploads receipts kept in memory to a transaction just created; answers what failed (the
 * transaction stays saved either way).
 */
async function uploadReceipts(txId: string, files: readonly File[]): Promise<string[]> {
  const failed: string[] = [];
  for (const file of files) {
    try {
      await api.upload<Attachment>(
        `/transactions/${txId}/attachments?filename=${encodeURIComponent(file.name)}`,
        file,
      );
    } catch (e) {
      failed.push(`${file.name}: ${messageOf(e)}`);
    }
  }
  return failed;
}

/** What the row says once a transaction is saved with `attached` receipts. */
function savedNotice(tx: Transaction, attached: number): string {
  const what = tx.payee === "" ? "the transaction" : tx.payee;
  if (attached === 0) return `Saved ${what}.`;
  return `Saved ${what} with ${String(attached)} receipt${attached === 1 ? "" : "s"}.`;
}

/** The alert for receipts that could not be attached to a saved transaction, or "". */
function uploadProblem(tx: Transaction, failed: readonly string[]): string {
  if (failed.length === 0) return "";
  const what = tx.payee === "" ? "The transaction" : tx.payee;
  const receipts = failed.length === 1 ? "a receipt" : "some receipts";
  return (
    `${what} was saved, but ${receipts} could not be attached (${failed.join("; ")}). ` +
    "Open the transaction to attach again."
  );
}

/** Receipts picked before the first save: a button, the row as a drop zone, and the list. */
function PendingReceipts(props: { files: readonly File[]; onChange: (files: File[]) => void }) {
  return (
    <>
      <label class="button entry-attach">
        Attach receipt
        <input
          class="sr-only"
          type="file"
          accept={acceptedReceipts}
          multiple
          onChange={(e) => {
            props.onChange([...props.files, ...Array.from(e.currentTarget.files ?? [])]);
            e.currentTarget.value = "";
          }}
        />
      </label>
      {props.files.length > 0 && (
        <ul class="entry-receipts" aria-label="Receipts to attach">
          {props.files.map((f, i) => (
            <li key={`${f.name}-${String(i)}`}>
              <span>
                {f.name} <span class="muted">({formatBytes(f.size)})</span>
              </span>
              <button
                type="button"
                class="ghost"
                onClick={() => {
                  props.onChange(props.files.filter((_, j) => j !== i));
                }}
              >
                Remove<span class="sr-only"> {f.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The category, or for a transfer the other account ("To account" for money going out). */
function CategoryOrAccount(props: {
  draft: EntryDraft;
  others: readonly Account[];
  categories: readonly Category[];
  error: unknown;
  onChange: (patch: Partial<EntryDraft>) => void;
}) {
  const { draft } = props;
  if (!draft.transfer) {
    return (
      <SelectField
        label="Category"
        name="categoryId"
        value={draft.categoryId}
        onValue={(v) => {
          props.onChange({ categoryId: v });
        }}
        options={categoryOptions(props.categories)}
        error={props.error}
      />
    );
  }
  return (
    <SelectField
      label={draft.inflow.trim() !== "" ? "From account" : "To account"}
      name="transfer.accountId"
      value={draft.transferAccountId}
      onValue={(v) => {
        props.onChange({ transferAccountId: v });
      }}
      options={[
        ["", "Choose…"],
        ...props.others.map((a): [string, string] => [a.id, `${a.name} (${a.currency})`]),
      ]}
      error={props.error}
    />
  );
}

/** The account the row starts on: the register's, else the only open one, else none. */
function defaultAccountId(account: Account | undefined, open: readonly Account[]): string {
  if (account) return account.id;
  return open.length === 1 ? (open[0]?.id ?? "") : "";
}

/**
 * The always-open entry row at the top of the register, keyboard first: Enter saves and leaves
 * an empty row with the same date (and account) with the payee focused, Escape clears it.
 * Amounts go in Outflow or Inflow, so no one types a minus sign; payees are suggested with their
 * last category; receipts wait in memory until the transaction exists; a transfer names the
 * other account and, across currencies, what that account books.
 */
export function EntryRow(props: {
  /** The register's account; undefined in the register of every account (an Account field). */
  account: Account | undefined;
  accounts: readonly Account[];
  categories: readonly Category[];
  /** Bumped to move focus into the row (the header's "Add transaction"). */
  focusSignal: number;
  onSaved: (tx: Transaction) => void;
}) {
  const open = props.accounts.filter((a) => !a.archived);
  const [draft, setDraft] = useState(() =>
    emptyDraft(defaultAccountId(props.account, open), today()),
  );
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState("");
  const [uploadError, setUploadError] = useState("");
  const [busy, setBusy] = useState(false);
  const payee = useRef<HTMLInputElement>(null);
  const first = useRef<HTMLFormElement>(null);
  const payeeId = useId();
  const set = (patch: Partial<EntryDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  const account = props.account ?? open.find((a) => a.id === draft.accountId);
  const others = open.filter((a) => a.id !== account?.id);
  const other = others.find((a) => a.id === draft.transferAccountId);
  const crossCurrency = draft.transfer && other && account && other.currency !== account.currency;
  const drop = useDropZone((list) => {
    setFiles((f) => [...f, ...Array.from(list ?? [])]);
  });

  // The payee, or the Account field while no account is chosen.
  const focusFirst = () => {
    const choose = first.current?.querySelector<HTMLSelectElement>("select[name=accountId]");
    (choose?.value === "" ? choose : payee.current)?.focus();
  };
  useEffect(() => {
    if (props.focusSignal > 0) focusFirst();
  }, [props.focusSignal]);
  // Quick add: after the shell's own move of focus to the new page, which runs after this.
  useEffect(() => {
    const take = () => {
      if (takeEntryRequest()) setTimeout(focusFirst, 0);
    };
    take();
    return onEntryRequest(take);
  }, []);
  useEffect(() => {
    if (props.account) set({ accountId: props.account.id });
  }, [props.account?.id]);

  const clear = () => {
    setDraft((d) => emptyDraft(d.accountId, today()));
    setFiles([]);
    setError(undefined);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setNotice("");
    setUploadError("");
    const body = entryBody(draft, account, other);
    if (body instanceof ApiError) {
      setError(body);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const tx = await api.post<Transaction>("/transactions", body);
      const failed = files.length > 0 ? await uploadReceipts(tx.id, files) : [];
      setUploadError(uploadProblem(tx, failed));
      setNotice(savedNotice(tx, files.length - failed.length));
      setDraft((d) => emptyDraft(d.accountId, d.date));
      setFiles([]);
      props.onSaved(tx);
      payee.current?.focus();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={first}
      class={`card entry-row ${drop.dragging ? "dragging" : ""}`}
      aria-label="Enter a transaction"
      onSubmit={(e) => void save(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          clear();
        } else if (e.key === "Enter" && !e.defaultPrevented) {
          // Enter submits from text inputs by itself; from a select or a checkbox too, here.
          const target = e.target as HTMLElement;
          if (target instanceof HTMLSelectElement || target.getAttribute("type") === "checkbox") {
            e.preventDefault();
            first.current?.requestSubmit();
          }
        }
      }}
      {...drop.handlers}
    >
      <div class={`entry-fields ${props.account ? "" : "with-account"}`}>
        {!props.account && (
          <SelectField
            label="Account"
            name="accountId"
            value={draft.accountId}
            onValue={(v) => {
              set({
                accountId: v,
                transferAccountId: v === draft.transferAccountId ? "" : draft.transferAccountId,
              });
            }}
            options={[
              ["", "Choose…"],
              ...open.map((a): [string, string] => [a.id, `${a.name} (${a.currency})`]),
            ]}
            error={error}
          />
        )}
        <TextField
          label="Date"
          name="date"
          type="date"
          required
          value={draft.date}
          onValue={(v) => {
            set({ date: v });
          }}
          error={error}
        />
        <div class="field entry-payee">
          <label for={payeeId}>Payee</label>
          <PayeeInput
            id={payeeId}
            inputRef={payee}
            value={draft.payee}
            onValue={(v) => {
              set({ payee: v });
            }}
            onPick={(s) => {
              setDraft((d) => ({
                ...d,
                payee: s.payee,
                categoryId:
                  d.categoryId === "" && s.categoryId !== null ? s.categoryId : d.categoryId,
              }));
            }}
            categoryName={(id) => categoryPath(props.categories, id)}
          />
        </div>
        <label class="entry-transfer">
          <input
            type="checkbox"
            checked={draft.transfer}
            disabled={others.length === 0}
            onChange={(e) => {
              set({ transfer: e.currentTarget.checked });
            }}
          />
          Transfer
        </label>
        <CategoryOrAccount
          draft={draft}
          others={others}
          categories={props.categories}
          error={error}
          onChange={set}
        />
        <TextField
          label="Memo"
          name="notes"
          value={draft.memo}
          onValue={(v) => {
            set({ memo: v });
          }}
          error={error}
        />
        <div class="entry-amounts">
          <TextField
            label={account ? `Outflow (${account.currency})` : "Outflow"}
            name="outflow"
            inputMode="decimal"
            autoComplete="off"
            value={draft.outflow}
            onValue={(v) => {
              set({ outflow: v });
            }}
            error={error}
          />
          <TextField
            label={account ? `Inflow (${account.currency})` : "Inflow"}
            name="inflow"
            inputMode="decimal"
            autoComplete="off"
            value={draft.inflow}
            onValue={(v) => {
              set({ inflow: v });
            }}
            error={error}
          />
          {crossCurrency && (
            <TextField
              label={`${draft.inflow.trim() !== "" ? "Sent from" : "Received in"} ${other.name} (${other.currency})`}
              name="transfer.amount"
              inputMode="decimal"
              autoComplete="off"
              value={draft.transferAmount}
              onValue={(v) => {
                set({ transferAmount: v });
              }}
              error={error}
            />
          )}
        </div>
      </div>
      <div class="entry-actions">
        <PendingReceipts files={files} onChange={setFiles} />
        <span class="spacer" />
        <FormError error={error} />
        <button type="button" onClick={clear}>
          Clear
          <span class="hint-key" aria-hidden="true">
            Esc
          </span>
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Save
          <span class="hint-key" aria-hidden="true">
            Enter
          </span>
        </button>
      </div>
      <p class="muted entry-notice" role="status" aria-live="polite">
        {notice}
      </p>
      {uploadError && (
        <p class="form-error" role="alert">
          {uploadError}
        </p>
      )}
    </form>
  );
}
