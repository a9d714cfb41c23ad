import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./api.ts";

/** The signed-in user and a way to refresh or end the session, for every screen. */
export interface SessionState {
  me: Me;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionState | undefined>(undefined);

/** The session; only used below the app shell, where one always exists. */
export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in screen");
  return session;
}

/** Whether the signed-in user may change the ledger (viewers may not). */
export function useCanWrite(): boolean {
  return useSession().me.role !== "viewer";
}
