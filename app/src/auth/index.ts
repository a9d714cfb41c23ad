export type { AuthDeps } from "./context.ts";
export { ensureAdmin } from "./bootstrap.ts";
export { memorySessionStore, redisSessionStore, type SessionStore } from "./sessions.ts";
export { memoryThrottle, redisThrottle, type Throttle } from "./throttle.ts";
