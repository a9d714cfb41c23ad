/** One dependency the app needs to serve: PostgreSQL, Redis, the schema. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  /** "ok", or why the check failed. */
  checks: Record<string, string>;
}

/** Settles as `promise` does, or rejects once `ms` pass without it settling. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Runs every readiness check in parallel, each bounded by `timeoutMs`, so a hung dependency
 * makes the app not-ready instead of hanging the probe. `drain()` (on SIGTERM) fails it for good.
 */
export function readiness(checks: readonly ReadinessCheck[], timeoutMs = 2000) {
  let draining = false;
  return {
    drain: () => {
      draining = true;
    },
    report: async (): Promise<ReadinessReport> => {
      // Draining is the whole answer: the checks would only keep the pools busy as they close.
      if (draining) return { ready: false, checks: { shutdown: "draining" } };
      const results = await Promise.all(
        checks.map(async ({ name, check }): Promise<[string, string]> => {
          try {
            await withTimeout(check(), timeoutMs);
            return [name, "ok"];
          } catch (error) {
            return [name, error instanceof Error ? error.message : String(error)];
          }
        }),
      );
      return { ready: results.every(([, v]) => v === "ok"), checks: Object.fromEntries(results) };
    },
  };
}

export type Readiness = ReturnType<typeof readiness>;
