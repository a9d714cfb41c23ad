// Screens loaded on first visit: their code stays out of the initial bundle.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { isOnline, onConnectionChange } from "../lib/connection.ts";
import { LoadError, Loading } from "./ui.tsx";

/**
 * What a screen whose code would not load shows. Online, the likeliest cause is a new version
 * deployed since this page was opened (its old files are gone): a reload fetches the new one.
 * Offline, it loads by itself once the connection is back.
 */
function ScreenUnavailable(props: { retry: () => void }) {
  const [online, setOnline] = useState(isOnline());
  useEffect(
    () =>
      onConnectionChange((now) => {
        setOnline(now);
        if (now) props.retry();
      }),
    [],
  );
  if (!online)
    return <LoadError error="You are offline. This screen loads once the connection is back." />;
  return (
    <div class="load-error" role="alert">
      <p>fintrack has been updated since this page was opened. Reload to use the new version.</p>
      <button
        type="button"
        onClick={() => {
          location.reload();
        }}
      >
        Reload
      </button>
    </div>
  );
}

/** A component whose module is fetched the first time it is shown. */
export function lazyScreen<P extends object>(
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyScreen(props: P) {
    const [screen, setScreen] = useState<{ c?: ComponentType<P>; error?: unknown }>({
      c: loaded,
    });
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (loaded) return;
      let current = true;
      load().then(
        (c) => {
          loaded = c;
          if (current) setScreen({ c });
        },
        (error: unknown) => {
          if (current) setScreen({ error });
        },
      );
      return () => {
        current = false;
      };
    }, [attempt]);
    if (screen.c) {
      const Screen = screen.c;
      return <Screen {...props} />;
    }
    if (screen.error !== undefined) {
      return (
        <ScreenUnavailable
          retry={() => {
            setScreen({});
            setAttempt((a) => a + 1);
          }}
        />
      );
    }
    return <Loading />;
  };
}
