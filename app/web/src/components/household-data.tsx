// Settings -> Household data: the owner downloads the whole household as one JSON file, or loads
// such a file into an instance that holds nothing yet (a move to a new server, a restore).
import { useId, useState } from "preact/hooks";
import { messageOf } from "../lib/api.ts";
import { refreshAccounts, refreshCategories } from "../lib/data.ts";
import { asSentence, formatBytes } from "../lib/format.ts";
import { exportHref, type HouseholdLoadResult, loadedSummary } from "../lib/household.ts";
import { useSession } from "../lib/session.ts";
import { postFormWithProgress, UploadError, type UploadProgress } from "../lib/upload.ts";
import { Section } from "./ui.tsx";

/** Problems beyond this many are counted, not listed (the API reports at most 50 anyway). */
const LISTED_PROBLEMS = 50;

function DownloadExport() {
  const [receipts, setReceipts] = useState(false);
  return (
    <div class="stack tight household-part">
      <h3>Download full export</h3>
      <p>
        One JSON file with the accounts, categories, budgets, exchange rates, rules, import
        mappings, transactions, recurring transactions and reconciliations. Users, tokens and the
        audit log are not in it. Keep it safe: it is everything the household keeps.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={receipts}
          onChange={(e) => {
            setReceipts(e.currentTarget.checked);
          }}
        />
        Include receipts (makes the file larger)
      </label>
      <p>
        {/* A plain link: the browser streams the file to disk, nothing is held in the page. */}
        <a class="button primary" href={exportHref(receipts)} download>
          Download full export
        </a>
      </p>
    </div>
  );
}

type LoadState =
  | { step: "idle" }
  | { step: "busy"; progress: UploadProgress | undefined }
  | { step: "done"; result: HouseholdLoadResult; filename: string }
  | { step: "failed"; error: unknown };

function LoadProgress(props: { progress: UploadProgress | undefined }) {
  const { progress } = props;
  if (progress?.phase === "sending") {
    const percent = progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 0;
    return (
      <div class="household-progress" role="status">
        <progress aria-label="Upload progress" max={100} value={percent} />
        <span>
          Uploading: {formatBytes(progress.sent)} of {formatBytes(progress.total)} ({percent} %)
        </span>
      </div>
    );
  }
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {progress === undefined
        ? "Starting the upload…"
        : "Loading the household: checking and writing every entry. A large export takes a few minutes; keep this page open."}
    </p>
  );
}

/** Why a load was refused, in the terms of what to do about it. */
function LoadFailure(props: { error: unknown }) {
  const { error } = props;
  if (error instanceof UploadError && error.status === 409) {
    return (
      <div class="load-error" role="alert" data-testid="household-load-error">
        <p>
          <strong>Nothing was loaded: this household is not empty.</strong>
        </p>
        <p>{asSentence(error.message)}</p>
        <p class="muted">
          Load the file into a fresh fintrack instance that has only its users (and the starter
          categories it began with, unchanged), then sign in there.
        </p>
      </div>
    );
  }
  if (error instanceof UploadError && error.status === 422 && error.problems.length > 0) {
    const shown = error.problems.slice(0, LISTED_PROBLEMS);
    const more = error.problems.length - shown.length;
    return (
      <div class="load-error" role="alert" data-testid="household-load-error">
        <p>
          <strong>Nothing was loaded: the file has problems.</strong> Each is named by where it is
          in the file.
        </p>
        <ul class="plain problem-list" data-testid="household-problems">
          {shown.map((p, i) => (
            <li key={`${p.path}-${String(i)}`}>
              <code>{p.path}</code>: {p.message}
            </li>
          ))}
        </ul>
        {more > 0 && <p>and {more} more.</p>}
      </div>
    );
  }
  return (
    <div class="load-error" role="alert" data-testid="household-load-error">
      <p>
        <strong>Nothing was loaded.</strong> {asSentence(messageOf(error))}
      </p>
    </div>
  );
}

function LoadExport() {
  const inputId = useId();
  const [file, setFile] = useState<File>();
  const [state, setState] = useState<LoadState>({ step: "idle" });
  const load = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setState({ step: "busy", progress: undefined });
    try {
      const form = new FormData();
      form.append("file", file, file.name);
      const result = await postFormWithProgress<HouseholdLoadResult>(
        "/imports/full",
        form,
        (progress) => {
          setState({ step: "busy", progress });
        },
      );
      setState({ step: "done", result, filename: file.name });
      // Every screen caches accounts and categories; they were empty until now.
      void refreshAccounts();
      void refreshCategories();
    } catch (error) {
      setState({ step: "failed", error });
    }
  };
  const busy = state.step === "busy";
  return (
    <form
      class="stack tight household-part"
      aria-label="Load a full export"
      onSubmit={(e) => void load(e)}
    >
      <h3>Load a full export</h3>
      <p>
        Brings a downloaded export into this instance, all or nothing. It works only while the
        household holds no data yet (no accounts, categories or transactions; its users are kept).
      </p>
      <div class="field">
        <label for={inputId}>Export file (JSON)</label>
        <input
          id={inputId}
          type="file"
          accept=".json,application/json"
          disabled={busy}
          onChange={(e) => {
            setFile(e.currentTarget.files?.[0]);
            if (state.step !== "busy") setState({ step: "idle" });
          }}
        />
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={!file || busy}>
          Load into this household
        </button>
      </div>
      {state.step === "busy" && <LoadProgress progress={state.progress} />}
      {state.step === "failed" && <LoadFailure error={state.error} />}
      {state.step === "done" && (
        <div class="notice" role="status" data-testid="household-loaded">
          <p>
            <strong>Loaded {state.filename}:</strong> {loadedSummary(state.result).join(", ")}.
          </p>
          <p>
            <a href="/">Open the dashboard</a>
          </p>
        </div>
      )}
    </form>
  );
}

/** The owner's export and load of the whole household; others see why they cannot. */
export function HouseholdDataSection() {
  const { me } = useSession();
  return (
    <Section title="Household data">
      {me.role === "owner" ? (
        <>
          <DownloadExport />
          <LoadExport />
        </>
      ) : (
        <p class="muted" data-testid="household-data-owner-only">
          Only the household's owner can download the full export or load one: the file holds
          everything the household keeps. Ask the owner if you need a copy.
        </p>
      )}
    </Section>
  );
}
