import { useLayoutEffect, useRef, useState } from "preact/hooks";
import {
  api,
  type Account,
  type Category,
  type Split,
  type Status,
  type Transaction,
} from "../lib/api.ts";
import { categoryOptions } from "../lib/data.ts";
import { today } from "../lib/format.ts";
import { fromMinor, exponentOf, normalizeAmount, toMinor } from "../lib/money.ts";
import { Attachments } from "./attachments.tsx";
import { Amount, Field, FormError, SelectField, TextField } from "./ui.tsx";

const statusOptions: [Status, string][] = [
  ["pending", "Pending"],
  ["cleared", "Cleared"],
  ["reconciled", "Reconciled"],
];

interface Draft {
  date: string;
  payee: string;
  amount: string;
  categoryId: string;
  status: Status;
  tags: string;
  notes: string;
  transferAccountId: string;
  transferAmount: string;
  splits: Split[];
}

function draftOf(tx: Transaction | undefined): Draft {
  return {
    date: tx?.date ?? today(),
    payee: tx?.payee ?? "",
    amount: tx?.amount ?? "",
    categoryId: tx?.categoryId ?? "",
    status: tx?.status ?? "cleared",
    tags: tx?.tags.join(", ") ?? "",
    notes: tx?.notes ?? "",
    transferAccountId: tx?.transfer?.accountId ?? "",
    transferAmount: tx?.transfer?.amount ?? "",
    splits: tx?.splits ?? [],
  };
}

/** What the API wants from a draft; amounts normalized to the currency's decimals. */
function bodyOf(draft: Draft, account: Account, others: Account[], editing: boolean) {
  const norm = (text: string, currency = account.currency) =>
    normalizeAmount(text, currency) ?? text;
  const splits = draft.splits.map((s) => ({
    amount: norm(s.amount),
    categoryId: s.categoryId === "" ? null : s.categoryId,
    memo: s.memo,
  }));
  const other = others.find((a) => a.id === draft.transferAccountId);
  const transfer = other
    ? {
        accountId: other.id,
        ...(other.currency !== account.currency && draft.transferAmount.trim() !== ""
          ? { amount: norm(draft.transferAmount, other.currency) }
          : {}),
      }
    : undefined;
  return {
    ...(editing ? {} : { accountId: account.id }),
    date: draft.date,
    payee: draft.payee,
    amount: norm(draft.amount),
    categoryId: splits.length > 0 || transfer ? null : draft.categoryId || null,
    status: draft.status,
    tags: draft.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    notes: draft.notes,
    splits,
    ...(transfer ? { transfer } : {}),
  };
}

/** The split lines of a transaction, with what is left to assign shown exactly. */
function SplitEditor(props: {
  draft: Draft;
  currency: string;
  categories: readonly Category[];
  error: unknown;
  disabled: boolean;
  onChange: (splits: Split[]) => void;
}) {
  const exponent = exponentOf(props.currency);
  const total = toMinor(props.draft.amount, exponent);
  const assigned = props.draft.splits.reduce((s, l) => s + (toMinor(l.amount, exponent) ?? 0n), 0n);
  const left = total === undefined ? undefined : fromMinor(total - assigned, exponent);
  const update = (i: number, patch: Partial<Split>) => {
    props.onChange(props.draft.splits.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  };
  return (
    <fieldset class="splits">
      <legend>Split between categories</legend>
      {props.draft.splits.map((s, i) => (
        <div class="split-line" key={i}>
          <Field
            label={`Line ${String(i + 1)} category`}
            name={`splits.${String(i)}.categoryId`}
            error={props.error}
          >
            {(id) => (
              <select
                id={id}
                value={s.categoryId ?? ""}
                disabled={props.disabled}
                onChange={(e) => {
                  update(i, { categoryId: e.currentTarget.value || null });
                }}
              >
                {categoryOptions(props.categories).map(([v, t]) => (
                  <option key={v} value={v}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField
            label={`Line ${String(i + 1)} amount`}
            name={`splits.${String(i)}.amount`}
            inputMode="decimal"
            value={s.amount}
            disabled={props.disabled}
            onValue={(v) => {
              update(i, { amount: v });
            }}
            error={props.error}
          />
          <TextField
            label={`Line ${String(i + 1)} memo`}
            name={`splits.${String(i)}.memo`}
            value={s.memo}
            disabled={props.disabled}
            onValue={(v) => {
              update(i, { memo: v });
            }}
            error={props.error}
          />
          {!props.disabled && (
            <button
              type="button"
              class="ghost"
              onClick={() => {
                props.onChange(props.draft.splits.filter((_, j) => j !== i));
              }}
            >
              Remove<span class="sr-only"> line {i + 1}</span>
            </button>
          )}
        </div>
      ))}
      <div class="split-footer">
        {!props.disabled && (
          <button
            type="button"
            onClick={() => {
              // A new line starts with what is still unassigned, so two clicks split evenly enough.
              props.onChange([
                ...props.draft.splits,
                { amount: left ?? "", categoryId: null, memo: "" },
              ]);
            }}
          >
            Add split line
          </button>
        )}
        {props.draft.splits.length > 0 && left !== undefined && (
          <span class="split-left">
            Left to assign: <Amount value={left} currency={props.currency} />
          </span>
        )}
      </div>
    </fieldset>
  );
}

/**
 * Adding or editing one transaction, keyboard first: Enter in any field saves, Esc cancels.
 * Split lines, a transfer to another account, tags, status and (once saved) receipts.
 */
export function TxEditor(props: {
  account: Account;
  accounts: readonly Account[];
  categories: readonly Category[];
  tx?: Transaction;
  canWrite: boolean;
  onSaved: (tx: Transaction) => void;
  onDeleted?: (id: string) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.tx));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [more, setMore] = useState(
    Boolean(props.tx && (props.tx.splits.length > 0 || props.tx.notes)),
  );
  const form = useRef<HTMLFormElement>(null);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  const others = props.accounts.filter((a) => a.id !== props.account.id && !a.archived);
  const transferTo = others.find((a) => a.id === draft.transferAccountId);
  const readOnly = !props.canWrite;

  // Before paint, not after: a post-paint effect can move focus to the date while someone (or
  // a test) has already started typing the payee, and the keystrokes land in the date.
  useLayoutEffect(() => {
    form.current?.querySelector<HTMLInputElement>("input:not([type=hidden])")?.focus();
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    if (readOnly) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = bodyOf(draft, props.account, others, props.tx !== undefined);
      const saved = props.tx
        ? await api.patch<Transaction>(`/transactions/${props.tx.id}`, body, {
            version: props.tx.version,
          })
        : await api.post<Transaction>("/transactions", body);
      props.onSaved(saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!props.tx || !confirm("Delete this transaction?")) return;
    try {
      await api.del(`/transactions/${props.tx.id}`, undefined, { version: props.tx.version });
      props.onDeleted?.(props.tx.id);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <form
      ref={form}
      class="tx-editor"
      aria-label={props.tx ? "Edit transaction" : "New transaction"}
      onSubmit={(e) => void save(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          props.onCancel();
        }
      }}
    >
      <div class="tx-editor-main">
        <TextField
          label="Date"
          name="date"
          type="date"
          required
          disabled={readOnly}
          value={draft.date}
          onValue={(v) => {
            set({ date: v });
          }}
          error={error}
        />
        <TextField
          label="Payee"
          name="payee"
          disabled={readOnly}
          value={draft.payee}
          onValue={(v) => {
            set({ payee: v });
          }}
          error={error}
        />
        {draft.splits.length === 0 && !transferTo ? (
          <SelectField
            label="Category"
            name="categoryId"
            disabled={readOnly}
            value={draft.categoryId}
            onValue={(v) => {
              set({ categoryId: v });
            }}
            options={categoryOptions(props.categories)}
            error={error}
          />
        ) : (
          <p class="field muted">{transferTo ? `Transfer with ${transferTo.name}` : "Split"}</p>
        )}
        <TextField
          label={`Amount (${props.account.currency})`}
          name="amount"
          inputMode="decimal"
          hint="Negative for money out"
          required
          disabled={readOnly}
          value={draft.amount}
          onValue={(v) => {
            set({ amount: v });
          }}
          error={error}
        />
      </div>
      <div class="tx-editor-actions">
        <button
          type="button"
          class="ghost"
          aria-expanded={more}
          onClick={() => {
            setMore(!more);
          }}
        >
          {more ? "Fewer details" : "More details"}
        </button>
        <span class="spacer" />
        <FormError error={error} />
        {props.tx && props.canWrite && (
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete
          </button>
        )}
        <button type="button" onClick={props.onCancel}>
          {readOnly ? "Close" : "Cancel"}
          <span class="hint-key" aria-hidden="true">
            Esc
          </span>
        </button>
        {!readOnly && (
          <button type="submit" class="primary" disabled={busy}>
            Save
            <span class="hint-key" aria-hidden="true">
              Enter
            </span>
          </button>
        )}
      </div>
      {more && (
        <div class="tx-editor-more">
          <div class="form-grid">
            <SelectField
              label="Status"
              name="status"
              disabled={readOnly}
              value={draft.status}
              onValue={(v) => {
                set({ status: v as Status });
              }}
              options={statusOptions}
              error={error}
            />
            <TextField
              label="Tags"
              name="tags"
              hint="Separated by commas"
              disabled={readOnly}
              value={draft.tags}
              onValue={(v) => {
                set({ tags: v });
              }}
              error={error}
            />
            <SelectField
              label="Transfer with account"
              name="transfer"
              disabled={readOnly || props.tx?.transfer === null}
              value={draft.transferAccountId}
              onValue={(v) => {
                set({ transferAccountId: v, splits: v ? [] : draft.splits });
              }}
              options={[
                ["", "Not a transfer"],
                ...others.map((a): [string, string] => [a.id, `${a.name} (${a.currency})`]),
              ]}
              error={error}
            />
            {transferTo && transferTo.currency !== props.account.currency && (
              <TextField
                label={`Amount in ${transferTo.name} (${transferTo.currency})`}
                name="transfer.amount"
                inputMode="decimal"
                disabled={readOnly}
                value={draft.transferAmount}
                onValue={(v) => {
                  set({ transferAmount: v });
                }}
                error={error}
              />
            )}
            <TextField
              label="Notes"
              name="notes"
              disabled={readOnly}
              value={draft.notes}
              onValue={(v) => {
                set({ notes: v });
              }}
              error={error}
            />
          </div>
          {!transferTo && (
            <SplitEditor
              draft={draft}
              currency={props.account.currency}
              categories={props.categories}
              error={error}
              disabled={readOnly}
              onChange={(splits) => {
                set({ splits });
              }}
            />
          )}
          {props.tx ? (
            <Attachments transactionId={props.tx.id} canWrite={props.canWrite} />
          ) : (
            <p class="muted">Save the transaction to attach receipts.</p>
          )}
        </div>
      )}
    </form>
  );
}
