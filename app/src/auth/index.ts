import type { Authenticate, Route } from "../http/route.ts";
import { authRoutes } from "../routes/auth/router.ts";
import { tokenRoutes } from "../routes/tokens/router.ts";
import { meRoutes } from "../routes/users/me.ts";
import { householdRoutes } from "../routes/users/router.ts";
import { createAuthenticate } from "./authenticate.ts";
import { type AuthDeps, authContext } from "./context.ts";

export type { AuthDeps } from "./context.ts";
export { ensureAdmin } from "./bootstrap.ts";
export { memorySessionStore, redisSessionStore, type SessionStore } from "./sessions.ts";
export { memoryThrottle, redisThrottle, type Throttle } from "./throttle.ts";

/**
 * Authentication and the household: the `authenticate` function the app mounts every route
 * behind, and the routes of /auth, /me, /users, /invitations and /tokens.
 */
export function createAuth(deps: AuthDeps): { authenticate: Authenticate; routes: Route[] } {
  const ctx = authContext(deps);
  return {
    authenticate: createAuthenticate(ctx),
    routes: [...authRoutes(ctx), ...meRoutes(ctx), ...householdRoutes(ctx), ...tokenRoutes(ctx)],
  };
}
