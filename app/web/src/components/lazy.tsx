// Screens loaded on first visit: their code stays out of the initial bundle.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LoadError, Loading } from "./ui.tsx";

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
        <LoadError
          error={screen.error}
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
