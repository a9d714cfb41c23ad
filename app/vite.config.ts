import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const webRoot = fileURLToPath(new URL("web/", import.meta.url));
/** Where the app serves the UI from (git-ignored); app/src/static-files/static.ts reads it. */
const outDir = fileURLToPath(new URL("dist/web/", import.meta.url));
/** The budget for the JavaScript a first page load fetches. */
const INITIAL_JS_BUDGET_KB = 150;

/**
 * Prints the gzip size of the JavaScript the first page load fetches (the entry chunk and its
 * static imports; lazy chunks excluded) and fails the build when it exceeds the budget.
 */
function initialJsBudget(): Plugin {
  return {
    name: "fintrack-initial-js-budget",
    apply: "build",
    writeBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((c) => (c.type === "chunk" ? [c] : []));
      const entry = chunks.find((c) => c.isEntry);
      if (!entry) return;
      const seen = new Set<string>();
      const visit = (fileName: string): void => {
        if (seen.has(fileName)) return;
        seen.add(fileName);
        const chunk = chunks.find((c) => c.fileName === fileName);
        for (const imported of chunk?.imports ?? []) visit(imported);
      };
      visit(entry.fileName);
      const bytes = [...seen].reduce(
        (sum, file) => sum + gzipSync(readFileSync(join(outDir, file))).length,
        0,
      );
      const kb = (bytes / 1024).toFixed(1);
      console.log(`initial JS: ${kb} KB gzip (budget ${INITIAL_JS_BUDGET_KB} KB)`);
      if (bytes > INITIAL_JS_BUDGET_KB * 1024) {
        throw new Error(`initial JS is ${kb} KB gzip, over the ${INITIAL_JS_BUDGET_KB} KB budget`);
      }
    },
  };
}

// The browser UI: Preact with the automatic JSX runtime, bundled into hashed files under
// assets/ that the app serves as immutable. No inline script or style is emitted, so the app's
// strict CSP applies unchanged.
export default defineConfig({
  root: webRoot,
  base: "/",
  publicDir: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  plugins: [initialJsBudget()],
});
