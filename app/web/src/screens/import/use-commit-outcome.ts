import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import type { CommitResult, ImportRecord } from "./model.ts";

/** How often an import still being committed (its answer was lost) is read again. */
const POLL_MS = 2000;

/**
 * What a failed commit left, read from the import itself: the answer may have been lost (a proxy
 * timed out) while the commit finished or is still running. A running one is read again until it
 * ends; one that went through is handed to `onCommitted` as its counts. `onRead` follows each read.
 */
export function useCommitOutcome(onCommitted: (result: CommitResult) => void, onRead: () => void) {
  const [stored, setStored] = useState<ImportRecord | undefined>(undefined);
  const handlers = useRef({ onCommitted, onRead });
  handlers.current = { onCommitted, onRead };
  const settle = useCallback(async (id: string) => {
    const now = await api.get<ImportRecord>(`/imports/${id}`).catch(() => undefined);
    if (now?.status === "committed") {
      setStored(undefined);
      handlers.current.onCommitted({
        imported: now.imported,
        duplicates: now.duplicates,
        errors: [],
        skipped: [],
      });
    } else {
      setStored(now);
    }
    handlers.current.onRead();
  }, []);
  useEffect(() => {
    if (stored?.status !== "committing") return;
    const timer = setTimeout(() => {
      void settle(stored.id);
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [stored, settle]);
  return { stored, setStored, settle };
}
