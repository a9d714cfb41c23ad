// The latest imports below the wizard, each with what became of it, and an undo for every one
// committed (after a confirmation naming what it removes, and from which account).
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../../components/bulk-actions.tsx";
import { FormError, LoadError, Loading, Section } from "../../components/ui.tsx";
import { type Account, api } from "../../lib/api.ts";
import { refreshAccounts } from "../../lib/data.ts";
import { formatCount, formatDateTime } from "../../lib/format.ts";
import { type Resource, useResource } from "../../lib/resource.ts";
import { type ImportRecord, rowsLabel } from "./model.ts";

/** How many past imports the list shows. */
const PAST_IMPORTS = 20;

/** The latest imports, loaded once and again on `reload` (after a commit or an undo). */
export function usePastImports(): Resource<{ data: ImportRecord[] }> {
  return useResource(
    () => api.get<{ data: ImportRecord[] }>(`/imports?limit=${String(PAST_IMPORTS)}`),
    [],
  );
}

const statusLabels: Record<ImportRecord["status"], string> = {
  uploading: "uploading",
  uploaded: "not imported",
  committing: "importing",
  committed: "imported",
  undone: "undone",
  // An upload never committed, whose staged rows were cleaned up (GET /imports lists it so).
  expired: "expired",
  // Never listed (GET /imports leaves discarded uploads out); named for completeness.
  discarded: "discarded",
};

/** What became of an import, in a few words. */
function importOutcome(i: ImportRecord): string {
  switch (i.status) {
    case "committed":
      return `${formatCount(i.imported)} imported, ${formatCount(i.duplicates)} duplicates skipped`;
    case "committing":
      return `${formatCount(i.processed)} of ${rowsLabel(i.rowCount)} read`;
    case "undone":
      return `undone: the ${rowsLabel(i.imported)} it booked were removed`;
    default:
      return `${rowsLabel(i.rowCount)}, nothing booked`;
  }
}

/** Undoing one past import: the one being asked about, the request, and its refusal. */
function useUndo(
  imports: Resource<{ data: ImportRecord[] }>,
  onUndone: ((record: ImportRecord) => void) | undefined,
) {
  const [asking, setAsking] = useState<ImportRecord | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const undo = async (record: ImportRecord) => {
    setAsking(undefined);
    setBusy(true);
    setError(undefined);
    try {
      await api.del(`/imports/${record.id}`);
      onUndone?.(record);
      void refreshAccounts();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      imports.reload();
    }
  };
  return { asking, ask: setAsking, busy, error, undo };
}

/** The latest imports, newest first, each with why its last commit failed when it did. */
export function PastImports(props: {
  imports: Resource<{ data: ImportRecord[] }>;
  accounts: readonly Account[] | undefined;
  /** Follows an undo made here. */
  onUndone?: (record: ImportRecord) => void;
}) {
  const { imports } = props;
  const accountName = (id: string | null) =>
    props.accounts?.find((a) => a.id === id)?.name ?? "a deleted account";
  const list = imports.data?.data ?? [];
  const undo = useUndo(imports, props.onUndone);
  const asking = undo.asking;
  return (
    <Section title="Past imports">
      {imports.loading && !imports.data && <Loading />}
      {imports.error !== undefined && <LoadError error={imports.error} retry={imports.reload} />}
      {imports.data && list.length === 0 && <p class="muted">No bank file imported yet.</p>}
      {list.length > 0 && (
        <ul class="list" data-testid="past-imports">
          {list.map((i) => (
            <li key={i.id} class="list-row past-import">
              <span class="list-main">
                <span class="list-title">
                  {i.filename} <span class="badge">{statusLabels[i.status]}</span>
                </span>
                <span class="list-sub">
                  {formatDateTime(i.createdAt)} · {accountName(i.accountId)} · {importOutcome(i)}
                </span>
                {i.error && (
                  <span class="import-error">
                    <strong>Last commit failed:</strong> {i.error}
                  </span>
                )}
              </span>
              {i.status === "committed" && (
                <button
                  type="button"
                  class="danger"
                  disabled={undo.busy}
                  aria-label={`Undo the import of ${i.filename}`}
                  onClick={() => {
                    undo.ask(i);
                  }}
                >
                  Undo
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError error={undo.error} />
      {asking && (
        <ConfirmDialog
          title={`Undo the import of ${asking.filename}?`}
          confirm={`Remove ${rowsLabel(asking.imported)}`}
          danger
          onConfirm={() => void undo.undo(asking)}
          onCancel={() => {
            undo.ask(undefined);
          }}
        >
          <p>
            This removes the {rowsLabel(asking.imported)} it booked into{" "}
            <strong>{accountName(asking.accountId)}</strong> on {formatDateTime(asking.createdAt)}.
            Transactions you reconciled since stop the undo.
          </p>
        </ConfirmDialog>
      )}
    </Section>
  );
}
