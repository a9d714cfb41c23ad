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

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
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
 * makes the app not-ready instead of hanging the probe. `draining` (set on SIGTERM) fails it.
 */
export function readiness(checks: readonly ReadinessCheck[], timeoutMs = 2000) {
  let draining = false;
  return {
    drain: () => {
      draining = true;
    },
    report: async (): Promise<ReadinessReport> => {
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
      const entries = [...results];
      if (draining) entries.push(["shutdown", "draining"]);
      return { ready: entries.every(([, v]) => v === "ok"), checks: Object.fromEntries(entries) };
    },
  };
}

export type Readiness = ReturnType<typeof readiness>;
