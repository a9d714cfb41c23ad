import { Section } from "../../components/ui.tsx";
import { messageOf } from "../../lib/api.ts";
import { asSentence, formatCount } from "../../lib/format.ts";
import { type ImportRecord, rowsLabel } from "./model.ts";

/**
 * The result of a commit that did not go through: the import's own `error` (why it was refused,
 * or that the server stopped mid-way), or that it is still running when its answer was lost.
 */
export function FailedCommit(props: {
  stored: ImportRecord;
  error: unknown;
  busy: boolean;
  onRestart: () => void;
  onBack: () => void;
  onRetry: () => void;
}) {
  const { stored } = props;
  return (
    <Section title="3. Result">
      {stored.status === "committing" ? (
        <p class="loading" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true" />
          Still importing: {formatCount(stored.processed)} of {rowsLabel(stored.rowCount)} read…
        </p>
      ) : (
        <div class="load-error" role="alert" data-testid="import-error">
          <p>
            <strong>Nothing was imported.</strong>
          </p>
          <p>{asSentence(stored.error ?? messageOf(props.error))}</p>
        </div>
      )}
      <div class="form-actions">
        <button type="button" onClick={props.onRestart}>
          Choose another file
        </button>
        {stored.status === "uploaded" && (
          <>
            <button type="button" onClick={props.onBack}>
              Back to the file
            </button>
            <button type="button" class="primary" disabled={props.busy} onClick={props.onRetry}>
              Try again
            </button>
          </>
        )}
      </div>
    </Section>
  );
}
