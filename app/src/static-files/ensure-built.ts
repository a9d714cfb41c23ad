// Builds the browser UI (app/web -> app/dist/web) when its output is missing or older than its
// sources. `npm start`, `make demo` and the integration tests' global setup call it, so each has
// the UI without a separate step; in the image the sources are absent and it does nothing.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = fileURLToPath(new URL("../../", import.meta.url));
const repoRoot = join(appDir, "..");
/** The sources of the UI; their newest change decides whether a build is due. */
const sources = [join(appDir, "web"), join(appDir, "vite.config.ts"), join(appDir, "package.json")];
/** The built UI that app/src/static-files/static.ts serves. */
export const webDistDir = join(appDir, "dist", "web");

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), 0);
}

/** Whether app/dist/web is missing or older than a source; false when there are no sources. */
export function webBuildIsStale(): boolean {
  if (!existsSync(join(appDir, "web"))) return false;
  const index = join(webDistDir, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return sources.some((source) => newestMtime(source) > built);
}

/**
 * Runs `vite build` when the output is stale. A lock file keeps two callers (the two
 * integration projects' setups start together) from building into the same folder at once.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!webBuildIsStale()) return;
  const lock = join(appDir, "dist", ".web-build.lock");
  mkdirSync(dirname(lock), { recursive: true });
  // A lock older than two minutes belongs to a build that died.
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
    rmSync(lock, { force: true });
  for (let waited = 0; ; waited += 200) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch {
      if (waited > 120_000) throw new Error(`the UI build lock ${lock} is held for too long`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!webBuildIsStale()) return; // the other caller built it meanwhile
    const result = spawnSync(
      process.execPath,
      [
        join(repoRoot, "node_modules", "vite", "bin", "vite.js"),
        "build",
        "--config",
        join(appDir, "vite.config.ts"),
      ],
      // Always a production build: vitest sets NODE_ENV=test, and vite would then emit the
      // development JSX runtime (source paths in every element) and define NODE_ENV as "test".
      { cwd: repoRoot, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } },
    );
    if (result.status !== 0)
      throw new Error(`building the UI failed (vite exit ${String(result.status)})`);
  } finally {
    rmSync(lock, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await ensureWebBuilt();
