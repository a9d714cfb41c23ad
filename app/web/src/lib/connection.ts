// Whether the app can reach its server. The browser's `online` flag alone is not enough (a
// laptop on a captive portal, a server restarting during a deploy): a request that fails at the
// network level also counts as offline, and the server is then probed until it answers again.
import { useEffect, useState } from "preact/hooks";

type Listener = (online: boolean) => void;

const PROBE_EVERY_MS = 4000;
let online = typeof navigator === "undefined" ? true : navigator.onLine;
const listeners = new Set<Listener>();
let probe: ReturnType<typeof setInterval> | undefined;

/** A request that never reached the server, or whose answer never came back. */
export class OfflineError extends Error {
  override readonly name = "OfflineError";
}

function setOnline(next: boolean): void {
  if (!next && probe === undefined) probe = setInterval(() => void check(), PROBE_EVERY_MS);
  if (next && probe !== undefined) {
    clearInterval(probe);
    probe = undefined;
  }
  if (next === online) return;
  online = next;
  for (const listener of listeners) listener(next);
}

// The liveness endpoint: cheap, unauthenticated, and answered by the app itself.
async function check(): Promise<void> {
  try {
    const res = await fetch("/healthz", { cache: "no-store" });
    setOnline(res.ok);
  } catch {
    setOnline(false);
  }
}

if (typeof window !== "undefined") {
  window.addEventListener("offline", () => {
    setOnline(false);
  });
  window.addEventListener("online", () => void check());
}

/** Whether the server was reachable last time anything tried. */
export function isOnline(): boolean {
  return online;
}

/** A request failed at the network level: offline until the server answers a probe. */
export function reportUnreachable(): void {
  setOnline(false);
}

/** Calls `listener` whenever the connection comes or goes; returns the unsubscribe. */
export function onConnectionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Resolves once the server is reachable again, or with false after `timeoutMs`. */
export function backOnline(timeoutMs: number): Promise<boolean> {
  if (online) return Promise.resolve(true);
  return new Promise((resolve) => {
    const stop = onConnectionChange((now) => {
      if (!now) return;
      clearTimeout(timer);
      stop();
      resolve(true);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, timeoutMs);
  });
}

/** The connection state as a hook, for the offline banner. */
export function useOnline(): boolean {
  const [now, setNow] = useState(online);
  useEffect(() => onConnectionChange(setNow), []);
  return now;
}
