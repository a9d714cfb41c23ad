// Step 3 of the import wizard when the commit went through: the counts, the duplicates skipped and
// the lines refused, with an undo.
import { Section } from "../../components/ui.tsx";
import type { CommitResult, Upload } from "./model.ts";

const skipReasons: Record<CommitResult["skipped"][number]["reason"], string> = {
  bank_id: "same bank reference as an earlier import",
  fingerprint: "same date, amount and text as an existing transaction",
  matched: "matches a transaction entered by hand",
};

/** The duplicates skipped (the first 50) and the lines refused, each with why. */
function ResultLines(props: { result: CommitResult }) {
  const { result } = props;
  return (
    <>
      {result.skipped.length > 0 && (
        <>
          <h3>Skipped duplicates</h3>
          <ul class="plain">
            {result.skipped.slice(0, 50).map((s) => (
              <li key={s.line}>
                Line {s.line}: {skipReasons[s.reason]}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.errors.length > 0 && (
        <>
          <h3>Bad lines</h3>
          <ul class="plain">
            {result.errors.map((e) => (
              <li key={`${String(e.line)}${e.column ?? ""}`}>
                Line {e.line}
                {e.column ? `, ${e.column}` : ""}: {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** What the import did; `undone` is how many transactions an undo removed, once undone. */
export function ImportResult(props: {
  upload: Upload;
  result: CommitResult;
  undone: number | undefined;
  onUndo: () => void;
  onRestart: () => void;
}) {
  const { upload, result, undone } = props;
  return (
    <Section title="3. Result">
      {undone === undefined ? (
        <p class="import-summary" role="status">
          Imported <strong data-testid="imported">{result.imported}</strong>, skipped{" "}
          <strong data-testid="duplicates">{result.duplicates}</strong> duplicates.
        </p>
      ) : (
        <p class="import-summary" role="status">
          Undone: the {undone} imported transactions were removed.
        </p>
      )}
      <ResultLines result={result} />
      <div class="form-actions">
        {undone === undefined && result.imported > 0 && (
          <button type="button" class="danger" onClick={props.onUndo}>
            Undo this import
          </button>
        )}
        <button type="button" class="primary" onClick={props.onRestart}>
          Import another file
        </button>
        {upload.accountId && (
          <a class="button" href={`/accounts/${upload.accountId}`}>
            Open the account
          </a>
        )}
      </div>
    </Section>
  );
}
