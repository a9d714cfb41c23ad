/**
 * Polls `read` until `finished` says so, reporting each new `describe` text as it changes, or
 * rejects once `timeoutMs` have passed. The sleep is injectable so tests need not wait.
 */
export async function follow<T>(
  read: () => Promise<T>,
  options: {
    finished: (value: T) => boolean;
    describe: (value: T) => string;
    report: (text: string) => void;
    timeoutMs: number;
    intervalMs?: number;
    what: string;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  },
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let last: string | undefined;
  for (;;) {
    const value = await read();
    const text = options.describe(value);
    if (text !== last) options.report(text);
    last = text;
    if (options.finished(value)) return value;
    if (now() >= deadline)
      throw new Error(
        `timed out after ${String(options.timeoutMs / 1000)}s waiting for ${options.what}`,
      );
    await sleep(options.intervalMs ?? 1000);
  }
}
