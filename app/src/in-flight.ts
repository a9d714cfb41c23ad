/**
 * The work a shutdown waits for before it closes the pools: each API request until its handler
 * settles (a client that hung up does not stop its handler), and each background run. Whatever
 * is still counted when the pools close would use them after their end.
 */
export interface InFlight {
  /** Counts `work` until it settles, and answers it unchanged. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** How much is running now. */
  count: () => number;
  /** Settles with true once nothing is running, or with false when `ms` pass first. */
  settled: (ms: number) => Promise<boolean>;
}

/** An empty tracker. */
export function inFlight(): InFlight {
  let running = 0;
  const waiters = new Set<() => void>();
  const done = () => {
    running -= 1;
    if (running > 0) return;
    for (const wake of waiters) wake();
  };
  return {
    track: (work) => {
      running += 1;
      work.then(done, done);
      return work;
    },
    count: () => running,
    settled: (ms) => {
      if (running === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(false);
        }, ms);
        waiters.add(wake);
      });
    },
  };
}
