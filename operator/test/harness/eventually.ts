/**
 * Polls `check` until it stops throwing, like Gomega's Eventually: for state that controllers
 * converge to. Rethrows the last failure (with what was waited for) when time runs out.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T> | T,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
