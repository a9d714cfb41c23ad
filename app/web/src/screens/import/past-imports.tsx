// The latest imports below the wizard, each with what became of it.
import { LoadError, Loading, Section } from "../../components/ui.tsx";
import { type Account, api } from "../../lib/api.ts";
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
};

/** What became of an import, in a few words. */
function importOutcome(i: ImportRecord): string {
  switch (i.status) {
    case "committed":
      return `${formatCount(i.imported)} imported, ${formatCount(i.duplicates)} duplicates skipped`;
    case "committing":
      return `${formatCount(i.processed)} of ${rowsLabel(i.rowCount)} read`;
    case "undone":
      return "undone, its transactions removed";
    default:
      return `${rowsLabel(i.rowCount)}, nothing booked`;
  }
}

/** The latest imports, newest first, each with why its last commit failed when it did. */
export function PastImports(props: {
  imports: Resource<{ data: ImportRecord[] }>;
  accounts: readonly Account[] | undefined;
}) {
  const { imports } = props;
  const accountName = (id: string | null) =>
    props.accounts?.find((a) => a.id === id)?.name ?? "a deleted account";
  const list = imports.data?.data ?? [];
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
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
