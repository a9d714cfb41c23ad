/**
 * Why a text holding U+0000 is refused: PostgreSQL stores no NUL in `text` or `jsonb` and fails
 * the whole statement, so it must be turned away where requests are read, naming the field.
 */
export const NUL_REFUSED = "must not contain the NUL character (U+0000)";

/** A step into a parsed JSON value: an object key or an array index. */
export type JsonStep = string | number;

/**
 * The path to a string (value or object key) of `value` that holds U+0000, or undefined when
 * there is none. A key that holds it is itself the last step. Walks with an explicit stack:
 * a deeply nested body must not overflow the call stack.
 */
export function findNul(value: unknown): JsonStep[] | undefined {
  const stack: { value: unknown; path: JsonStep[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const current = next.value;
    if (typeof current === "string") {
      if (current.includes("\u0000")) return next.path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i] as unknown, path: [...next.path, i] });
    } else if (typeof current === "object" && current !== null && !Buffer.isBuffer(current)) {
      const entries: [string, unknown][] = Object.entries(current as Record<string, unknown>);
      for (const [key, child] of entries.reverse()) {
        if (key.includes("\u0000")) return [...next.path, key];
        stack.push({ value: child, path: [...next.path, key] });
      }
    }
  }
  return undefined;
}

/** A path step as shown in a problem: NUL spelled out, so the answer stays readable text. */
export function showStep(step: JsonStep): string {
  return String(step).replaceAll("\u0000", "\\u0000");
}
