import { useCallback, useEffect, useState } from "preact/hooks";
import { OfflineError, onConnectionChange } from "./connection.ts";

/** What a loading hook returns: the data once loaded, the error if it failed, and a reload. */
export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  set: (data: T) => void;
}

/**
 * Loads `load()` when `deps` change; stale answers from earlier deps are dropped. A load that
 * failed for want of a connection runs again by itself when the connection is back.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => {
        if (current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (current) setState({ error, loading: false });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, version]);
  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  const offline = state.error instanceof OfflineError;
  useEffect(() => {
    if (!offline) return;
    return onConnectionChange((online) => {
      if (online) reload();
    });
  }, [offline, reload]);
  const set = useCallback((data: T) => {
    setState({ data, loading: false });
  }, []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}
