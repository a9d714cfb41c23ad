// The import wizard's state and its steps: send a file, commit it with its mapping, undo it, or
// start again. A commit whose answer was lost is read back from the import (useCommitOutcome).
import { useMemo, useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { refreshAccounts } from "../../lib/data.ts";
import type { Mapping } from "../../lib/import-preview.ts";
import { defaultMapping, rememberedMapping, rememberMapping } from "./mapping.ts";
import type { CommitResult, ImportRecord, Upload } from "./model.ts";
import { useCommitOutcome } from "./use-commit-outcome.ts";

/** The lines the API refused, from a 422 problem ("line 3, amount" -> message). */
function badLines(error: unknown): { where: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields)
    .filter(([path]) => path.startsWith("line"))
    .map(([where, message]) => ({ where, message }));
}

/** The mapping a file starts with: none for a bank format, else its bank's, the server's or ours. */
function firstMapping(upload: Upload): Mapping | undefined {
  if (upload.format !== "csv") return undefined;
  return rememberedMapping(upload.preview.columns) ?? upload.suggestedMapping ?? defaultMapping();
}

/**
 * The wizard. `onImportsChanged` follows whatever changes the list of past imports (a commit,
 * an undo, a commit's outcome read back).
 */
export function useImportWizard(onImportsChanged: () => void) {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [upload, setUpload] = useState<Upload | undefined>(undefined);
  const [mapping, setMapping] = useState<Mapping | undefined>(undefined);
  const [result, setResult] = useState<CommitResult | undefined>(undefined);
  const [undone, setUndone] = useState<number | undefined>(undefined);
  // The file last sent, so it can go into another account without being chosen again.
  const [file, setFile] = useState<File | undefined>(undefined);
  // The user confirmed the file is the chosen account's although it names another IBAN.
  const [allowMismatch, setAllowMismatch] = useState(false);
  const { stored, setStored, settle } = useCommitOutcome((committed) => {
    setError(undefined);
    setResult(committed);
    void refreshAccounts();
  }, onImportsChanged);

  /**
   * Sets aside the upload on screen when nothing of it was booked and no commit of it is in
   * doubt, so past imports do not fill with files chosen again. The server refuses to discard
   * anything committed or being committed; a failed discard only leaves the upload to expire.
   */
  const discardShown = () => {
    if (!upload || result || stored) return;
    api.post(`/imports/${upload.id}/discard`, {}).then(onImportsChanged, () => undefined);
  };

  /**
   * Uploads `file` into `accountId` and shows what it is; with no account ("") the server puts
   * a statement into the account whose IBAN it names.
   */
  const send = async (chosenFile: File, accountId: string) => {
    discardShown();
    setError(undefined);
    setStored(undefined);
    setResult(undefined);
    setUndone(undefined);
    setAllowMismatch(false);
    setFile(chosenFile);
    setBusy("Reading the file…");
    try {
      const form = new FormData();
      if (accountId !== "") form.append("accountId", accountId);
      form.append("file", chosenFile, chosenFile.name);
      const answer = await api.form<Upload>("/imports", form);
      setUpload(answer);
      setMapping(firstMapping(answer));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  /** Imports the uploaded file's rows, remembering a CSV file's mapping for its bank. */
  const commit = async () => {
    if (!upload) return;
    setError(undefined);
    setStored(undefined);
    setBusy("Importing…");
    try {
      const body = {
        ...(upload.format === "csv" && mapping ? { mapping } : {}),
        ...(allowMismatch ? { allowAccountMismatch: true } : {}),
      };
      const answer = await api.post<CommitResult>(`/imports/${upload.id}/commit`, body);
      if (upload.format === "csv" && mapping) rememberMapping(upload.preview.columns, mapping);
      setResult(answer);
      void refreshAccounts();
      onImportsChanged();
    } catch (e) {
      setError(e);
      await settle(upload.id);
    } finally {
      setBusy(undefined);
    }
  };

  /** Removes what the import booked. */
  const undo = async () => {
    if (!upload) return;
    setBusy("Undoing…");
    try {
      await api.del(`/imports/${upload.id}`);
      setUndone(result?.imported ?? 0);
      void refreshAccounts();
      onImportsChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const restart = () => {
    discardShown();
    setAllowMismatch(false);
    setUpload(undefined);
    setMapping(undefined);
    setResult(undefined);
    setUndone(undefined);
    setError(undefined);
    setStored(undefined);
  };

  const lines = useMemo(() => badLines(error), [error]);
  // A refused or interrupted commit is shown as the result; bad lines stay by the mapping.
  const failed: ImportRecord | undefined = lines.length === 0 ? stored : undefined;
  return {
    busy,
    error,
    upload,
    mapping,
    setMapping,
    result,
    undone,
    /** The lines the API could not read, shown by the mapping. */
    lines,
    /** The import, when its commit was refused or interrupted (or still runs). */
    failed,
    send,
    /** Sends the same file again, into `accountId`. */
    resend: async (accountId: string) => {
      if (file) await send(file, accountId);
    },
    allowMismatch,
    setAllowMismatch,
    /** Forgets the last error (another account was chosen). */
    clearError: () => {
      setError(undefined);
    },
    commit,
    undo,
    restart,
    /** The import `id` was undone elsewhere (the past imports): its result says so. */
    undoneElsewhere: (id: string, removed: number) => {
      if (upload?.id === id) setUndone(removed);
    },
    /** Back from a failed commit to the file and its mapping. */
    back: () => {
      setStored(undefined);
      setError(undefined);
    },
  };
}

export type ImportWizard = ReturnType<typeof useImportWizard>;
