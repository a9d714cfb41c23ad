// The register's bulk actions: categorise, tag, untag or delete the ticked transactions, or every
// transaction the search matches, in one request (all or nothing on the server), each after a
// confirmation that says what will happen.
import type { ComponentChildren } from "preact";
import { useId, useState } from "preact/hooks";
import {
  type Answer,
  api,
  ApiError,
  type Category,
  messageOf,
  type Transaction,
  type TransactionFilter,
} from "../lib/api.ts";
import { categoryOptions, categoryPath } from "../lib/data.ts";
import { formatCount, formatDate } from "../lib/format.ts";
import { useModal } from "../lib/modal.ts";
import { SelectField, TextField } from "./ui.tsx";

/** The most transactions one bulk request takes (the API's limit). */
export const MAX_BULK = 1000;

/** The API's answer to a bulk action. */
export type BulkResult = Answer<"bulkTransactions">;

type BulkBody =
  | { action: "categorise"; categoryId: string | null }
  | { action: "tag" | "untag"; tag: string }
  | { action: "delete" };

/** A question asked in a modal dialog (Escape or Cancel says no; focus returns afterwards). */
export function ConfirmDialog(props: {
  title: string;
  confirm: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useModal();
  const id = useId();
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      <div class="confirm-body">{props.children}</div>
      <div class="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class={props.danger ? "primary danger-fill" : "primary"}
          onClick={props.onConfirm}
        >
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/** What to ask before an action, and which of the ticked rows it is sent for. */
function plan(
  body: BulkBody,
  rows: readonly Transaction[],
  categories: readonly Category[],
): { ids: string[]; title: string; confirm: string; notes: string[] } {
  const n = rows.length;
  switch (body.action) {
    case "categorise": {
      // Split lines carry their own categories and transfers have none: the API refuses them,
      // so they are left out here and the dialog says so.
      const left = rows.filter((t) => t.splits.length > 0 || t.transfer !== null);
      const ids = rows.filter((t) => !left.includes(t)).map((t) => t.id);
      const name = body.categoryId ? categoryPath(categories, body.categoryId) : undefined;
      return {
        ids,
        title: name
          ? `Categorise ${plural(ids.length, "transaction")} as ${name}?`
          : `Remove the category of ${plural(ids.length, "transaction")}?`,
        confirm: `Categorise ${plural(ids.length, "transaction")}`,
        notes:
          left.length > 0
            ? [
                `${plural(left.length, "split or transfer transaction")} left out: split lines carry their own categories and transfers have none.`,
              ]
            : [],
      };
    }
    case "tag":
      return {
        ids: rows.map((t) => t.id),
        title: `Add the tag #${body.tag} to ${plural(n, "transaction")}?`,
        confirm: `Tag ${plural(n, "transaction")}`,
        notes: [],
      };
    case "untag":
      return {
        ids: rows.map((t) => t.id),
        title: `Remove the tag #${body.tag} from ${plural(n, "transaction")}?`,
        confirm: `Untag ${plural(n, "transaction")}`,
        notes: [],
      };
    case "delete": {
      const transfers = rows.filter((t) => t.transfer !== null).length;
      return {
        ids: rows.map((t) => t.id),
        title: `Delete ${plural(n, "transaction")}?`,
        confirm: `Delete ${plural(n, "transaction")}`,
        notes: [
          "This cannot be undone.",
          ...(transfers > 0
            ? [`The other side of each of the ${plural(transfers, "transfer")} is deleted too.`]
            : []),
        ],
      };
    }
  }
}

/**
 * What to ask before an action on every transaction the search matches (`count` of them): the
 * server leaves alone those it cannot apply to, and the dialog says which those are.
 */
function planMatching(
  body: BulkBody,
  count: number,
  categories: readonly Category[],
): { title: string; confirm: string; notes: string[] } {
  const all = `all ${plural(count, "matching transaction")}`;
  const locked = "Reconciled transactions are left alone.";
  switch (body.action) {
    case "categorise": {
      const name = body.categoryId ? categoryPath(categories, body.categoryId) : undefined;
      return {
        title: name ? `Categorise ${all} as ${name}?` : `Remove the category of ${all}?`,
        confirm: `Categorise ${plural(count, "transaction")}`,
        notes: [`Split and transfer transactions are left out. ${locked}`],
      };
    }
    case "tag":
      return {
        title: `Add the tag #${body.tag} to ${all}?`,
        confirm: `Tag ${plural(count, "transaction")}`,
        notes: [locked],
      };
    case "untag":
      return {
        title: `Remove the tag #${body.tag} from ${all}?`,
        confirm: `Untag ${plural(count, "transaction")}`,
        notes: [locked],
      };
    case "delete":
      return {
        title: `Delete ${all}?`,
        confirm: `Delete ${plural(count, "transaction")}`,
        notes: [
          `This deletes ${plural(count, "transaction")}, not only those loaded, and cannot be undone.`,
          `The other side of each transfer is deleted too. ${locked}`,
        ],
      };
  }
}

/** The rows a refused request named (`body.ids[i]`), with the API's reason for each. */
function refusedRows(
  error: unknown,
  sent: readonly string[],
  rows: readonly Transaction[],
): { tx: Transaction; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields).flatMap(([path, message]) => {
    const index = /^body\.ids\[(\d+)\]$/.exec(path)?.[1];
    const tx = index === undefined ? undefined : rows.find((t) => t.id === sent[Number(index)]);
    return tx ? [{ tx, message }] : [];
  });
}

/** Why nothing changed: the API's message, or the rows it named, with a way to drop them. */
function Refusal(props: {
  error: unknown;
  refused: { tx: Transaction; message: string }[];
  onDeselect: (ids: string[]) => void;
}) {
  const { refused } = props;
  if (refused.length === 0) {
    return (
      <div class="load-error" role="alert">
        <p>Nothing was changed: {messageOf(props.error)}</p>
      </div>
    );
  }
  return (
    <div class="load-error" role="alert">
      <p>
        Nothing was changed: {plural(refused.length, "selected transaction")} cannot be changed this
        way.
      </p>
      <ul class="plain">
        {refused.map(({ tx, message }) => (
          <li key={tx.id}>
            {tx.payee || tx.description || "(no payee)"}, {formatDate(tx.date)}: {message}
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={() => {
          props.onDeselect(refused.map((r) => r.tx.id));
        }}
      >
        Deselect {refused.length === 1 ? "it" : `these ${String(refused.length)}`}
      </button>
    </div>
  );
}

interface Pending {
  body: BulkBody;
  /** Set when the action applies to every transaction the search matches, not to `ids`. */
  filter?: TransactionFilter;
  ids: string[];
  title: string;
  confirm: string;
  notes: string[];
}

/** Whether `p` names no transaction at all (none of the ticked rows can take it). */
const nothingToDo = (p: Pending) => p.filter === undefined && p.ids.length === 0;

/** The question to ask before `body`, on every match or on the ticked `rows`. */
function pendingFor(
  body: BulkBody,
  matching: Matching | undefined,
  rows: readonly Transaction[],
  categories: readonly Category[],
): Pending {
  return matching
    ? { body, filter: matching.filter, ids: [], ...planMatching(body, matching.count, categories) }
    : { body, ...plan(body, rows, categories) };
}

/** "Categorised 3 transactions." and, by filter, how many were left alone. */
function doneMessage(result: BulkResult, p: Pending): string {
  const verb = {
    categorise: "Categorised",
    tag: "Tagged",
    untag: "Untagged",
    delete: "Deleted",
  }[result.action];
  const count =
    result.action === "delete"
      ? result.deleted.length
      : p.filter === undefined
        ? p.ids.length
        : result.changed;
  const skipped = result.skipped ? ` ${plural(result.skipped, "transaction")} left alone.` : "";
  return `${verb} ${plural(count, "transaction")}.${skipped}`;
}

/** What is selected, "Select all N matching" when offered, and "Clear selection". */
function BulkCount(props: {
  selected: number;
  matching: Matching | undefined;
  offer: { count: number; onSelect: () => void } | undefined;
  onClear: () => void;
}) {
  const { matching, offer } = props;
  return (
    <p class="bulk-count">
      <strong>
        {matching
          ? `All ${plural(matching.count, "matching transaction")} selected`
          : `${plural(props.selected, "transaction")} selected`}
      </strong>
      {!matching && offer && (
        <button type="button" class="link" onClick={offer.onSelect}>
          Select all {formatCount(offer.count)} matching
        </button>
      )}
      <button type="button" class="link" onClick={props.onClear}>
        Clear selection
      </button>
    </p>
  );
}

/** Every transaction a search matches: how many, and the filter that selects them. */
export interface Matching {
  count: number;
  filter: TransactionFilter;
}

/**
 * The bar over the register while rows are ticked. With `matching`, the actions apply to every
 * transaction the search matches; `offer` proposes that when every loaded row is ticked and more
 * match than are loaded.
 */
export function BulkBar(props: {
  rows: readonly Transaction[];
  categories: readonly Category[];
  matching?: Matching | undefined;
  offer?: { count: number; onSelect: () => void } | undefined;
  /** After a change, with what to tell the person (the bar may be gone once rows are). */
  onDone: (result: BulkResult, message: string) => void;
  onDeselect: (ids: readonly string[]) => void;
  onClear: () => void;
}) {
  const { rows, categories, matching } = props;
  const [categoryId, setCategoryId] = useState("");
  const [tag, setTag] = useState("");
  const [pending, setPending] = useState<Pending>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [failure, setFailure] = useState<{ error: unknown; sent: string[] }>();
  const tooMany = matching === undefined && rows.length > MAX_BULK;

  const ask = (body: BulkBody) => {
    setDone("");
    setFailure(undefined);
    setPending(pendingFor(body, matching, rows, categories));
  };
  const run = async (p: Pending) => {
    setPending(undefined);
    if (nothingToDo(p)) return;
    setBusy(true);
    try {
      const target = p.filter === undefined ? { ids: p.ids } : { filter: p.filter };
      const result = await api.post<BulkResult>("/transactions/bulk", { ...target, ...p.body });
      const message = doneMessage(result, p);
      setDone(message);
      props.onDone(result, message);
    } catch (error) {
      setFailure({ error, sent: p.ids });
    } finally {
      setBusy(false);
    }
  };

  const cleanTag = tag.trim().replace(/^#/, "");
  return (
    <section class="bulk-bar" aria-label="Bulk actions">
      <BulkCount
        selected={rows.length}
        matching={matching}
        offer={props.offer}
        onClear={props.onClear}
      />
      {tooMany && (
        <p class="form-error" role="alert">
          At most {formatCount(MAX_BULK)} transactions can change at once: select fewer.
        </p>
      )}
      <div class="bulk-controls">
        <form
          class="bulk-group"
          aria-label="Categorise the selected transactions"
          onSubmit={(e) => {
            e.preventDefault();
            ask({ action: "categorise", categoryId: categoryId === "" ? null : categoryId });
          }}
        >
          <SelectField
            label="Category"
            name="bulkCategory"
            value={categoryId}
            options={categoryOptions(categories)}
            onValue={setCategoryId}
          />
          <button type="submit" disabled={busy || tooMany}>
            Categorise
          </button>
        </form>
        <form
          class="bulk-group"
          aria-label="Tag the selected transactions"
          onSubmit={(e) => {
            e.preventDefault();
            if (cleanTag !== "") ask({ action: "tag", tag: cleanTag });
          }}
        >
          <TextField label="Tag" name="bulkTag" maxLength={50} value={tag} onValue={setTag} />
          <button type="submit" disabled={busy || tooMany || cleanTag === ""}>
            Add tag
          </button>
          <button
            type="button"
            disabled={busy || tooMany || cleanTag === ""}
            onClick={() => {
              ask({ action: "untag", tag: cleanTag });
            }}
          >
            Remove tag
          </button>
        </form>
        <button
          type="button"
          class="danger"
          disabled={busy || tooMany}
          onClick={() => {
            ask({ action: "delete" });
          }}
        >
          Delete…
        </button>
      </div>
      <p class="muted bulk-status" role="status">
        {busy ? "Working…" : done}
      </p>
      {failure && (
        <Refusal
          error={failure.error}
          refused={refusedRows(failure.error, failure.sent, rows)}
          onDeselect={(ids) => {
            props.onDeselect(ids);
            setFailure(undefined);
          }}
        />
      )}
      {pending && (
        <ConfirmDialog
          title={pending.title}
          confirm={nothingToDo(pending) ? "OK" : pending.confirm}
          danger={pending.body.action === "delete"}
          onCancel={() => {
            setPending(undefined);
          }}
          onConfirm={() => void run(pending)}
        >
          {nothingToDo(pending) ? (
            <p>None of the selected transactions can take a category.</p>
          ) : null}
          {pending.notes.map((note) => (
            <p key={note}>{note}</p>
          ))}
        </ConfirmDialog>
      )}
    </section>
  );
}
