/**
 * How the app runs: against the PostgreSQL and Redis the environment names (`services`), or as
 * the demo with an embedded PostgreSQL and in-memory stores when it names neither (`demo`).
 * Naming only one is a mistake, reported with the missing variable.
 */
export type RunMode =
  | { readonly kind: "services" }
  | { readonly kind: "demo" }
  | { readonly kind: "invalid"; readonly message: string };

/** Decides the run mode from the environment; an empty variable counts as unset. */
export function runMode(env: NodeJS.ProcessEnv): RunMode {
  const database = Boolean(env.DATABASE_URL);
  const redis = Boolean(env.REDIS_URL);
  if (database && redis) return { kind: "services" };
  if (!database && !redis) return { kind: "demo" };
  const [set, missing] = database ? ["DATABASE_URL", "REDIS_URL"] : ["REDIS_URL", "DATABASE_URL"];
  return {
    kind: "invalid",
    message: `${missing} is not set but ${set} is: set both to run against your PostgreSQL and Redis, or neither for the demo (embedded PostgreSQL, in-memory sessions)`,
  };
}

/**
 * The environment the demo runs with: development mode, no half-empty service URLs, a base URL
 * on the demo's port unless one is given, and loopback only unless HOST says otherwise: the demo's
 * sign-in is printed on the screen and in the README, so anyone who could reach it could use it.
 */
export function demoEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const demo: NodeJS.ProcessEnv = { ...env, NODE_ENV: "development" };
  delete demo.DATABASE_URL;
  delete demo.REDIS_URL;
  // An empty HOST counts as unset, as the service URLs do.
  if (demo.HOST === undefined || demo.HOST === "") demo.HOST = "127.0.0.1";
  // A PORT that is not a number is left for the configuration to report, once.
  if (!demo.BASE_URL && (demo.PORT === undefined || /^\d+$/.test(demo.PORT))) {
    demo.BASE_URL = `http://localhost:${demo.PORT ?? "8080"}`;
  }
  return demo;
}

/** Today's date on this machine's calendar, YYYY-MM-DD: the day the demo's year ends. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
