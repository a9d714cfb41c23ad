import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Brings generated files under `root` up to date, or with `check` only lists the stale ones; a
 * missing file counts as stale. Returns the stale paths, as given.
 */
export function syncGeneratedFiles(
  root: string,
  outputs: Iterable<readonly [path: string, text: string]>,
  check: boolean,
): string[] {
  const stale: string[] = [];
  for (const [target, text] of outputs) {
    const path = join(root, target);
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current === text) continue;
    if (check) stale.push(target);
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return stale;
}
