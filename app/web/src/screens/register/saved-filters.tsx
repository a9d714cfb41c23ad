// The register's saved searches: pick one to fill the search box with it, save what the box
// holds under a name, delete the one picked. They are the household's (GET /saved-filters).
import { useState } from "preact/hooks";
import { ConfirmDialog } from "../../components/bulk-actions.tsx";
import { TextField } from "../../components/ui.tsx";
import {
  type Account,
  type Answer,
  api,
  ApiError,
  type Category,
  messageOf,
  type SavedFilter,
  type TransactionFilter,
} from "../../lib/api.ts";
import { useResource } from "../../lib/resource.ts";
import { filterAsSearch } from "./saved-search.ts";

/** The form that names the search in the box and saves it. */
function SaveForm(props: {
  filter: TransactionFilter;
  onSaved: (saved: SavedFilter) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSaved(
        await api.post<Answer<"createSavedFilter", 201>>("/saved-filters", {
          name: name.trim(),
          filter: props.filter,
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const nameError = error instanceof ApiError ? error.fields["body.name"] : undefined;
  return (
    <form class="saved-save" aria-label="Save this search" onSubmit={(e) => void save(e)}>
      <TextField
        label="Name of the search"
        name="savedName"
        maxLength={100}
        autoFocus
        value={name}
        onValue={setName}
        error={nameError}
      />
      <button type="submit" class="primary" disabled={busy || name.trim() === ""}>
        Save
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
      {error !== undefined && nameError === undefined && (
        <p class="form-error" role="alert">
          Not saved: {messageOf(error)}
        </p>
      )}
    </form>
  );
}

/**
 * The saved searches beside the search box: a picker, "Save search" while the box holds one
 * (for those who may edit), and "Delete" for the one picked.
 */
export function SavedFilters(props: {
  /** The search in force. */
  q: string;
  /** The account whose register this is; its saved searches carry it. */
  accountId: string | undefined;
  accounts: readonly Account[];
  categories: readonly Category[];
  canWrite: boolean;
  onPick: (search: string) => void;
}) {
  const list = useResource(
    () => api.get<Answer<"listSavedFilters">>("/saved-filters").then((r) => r.data),
    [],
  );
  const [picked, setPicked] = useState("");
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<SavedFilter>();
  const [status, setStatus] = useState("");
  const saved = list.data ?? [];
  const current = saved.find((f) => f.id === picked);

  const pick = (id: string) => {
    setPicked(id);
    setStatus("");
    const found = saved.find((f) => f.id === id);
    if (found) {
      props.onPick(filterAsSearch(found.filter, props.accounts, props.categories, props.accountId));
    }
  };
  const remove = async (f: SavedFilter) => {
    setDeleting(undefined);
    try {
      await api.del(`/saved-filters/${f.id}`);
      setPicked("");
      setStatus(`Deleted the saved search “${f.name}”.`);
      list.reload();
    } catch (error) {
      setStatus(`Not deleted: ${messageOf(error)}`);
    }
  };

  return (
    <div class="saved-filters">
      {saved.length > 0 && (
        <div class="field saved-pick">
          <label for="saved-search-pick">Saved searches</label>
          <select
            id="saved-search-pick"
            value={picked}
            onChange={(e) => {
              pick(e.currentTarget.value);
            }}
          >
            <option value="">Pick a saved search…</option>
            {saved.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {props.canWrite && current && (
        <button
          type="button"
          class="link"
          onClick={() => {
            setDeleting(current);
          }}
        >
          Delete “{current.name}”
        </button>
      )}
      {props.canWrite && props.q !== "" && !saving && (
        <button
          type="button"
          onClick={() => {
            setSaving(true);
            setStatus("");
          }}
        >
          Save search…
        </button>
      )}
      {saving && (
        <SaveForm
          filter={{ q: props.q, ...(props.accountId ? { accountId: props.accountId } : {}) }}
          onSaved={(f) => {
            setSaving(false);
            setPicked(f.id);
            setStatus(`Saved as “${f.name}”.`);
            list.reload();
          }}
          onCancel={() => {
            setSaving(false);
          }}
        />
      )}
      <span class="muted saved-status" role="status">
        {status}
      </span>
      {deleting && (
        <ConfirmDialog
          title={`Delete the saved search “${deleting.name}”?`}
          confirm="Delete"
          danger
          onCancel={() => {
            setDeleting(undefined);
          }}
          onConfirm={() => void remove(deleting)}
        >
          <p>The transactions it finds are not changed.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
