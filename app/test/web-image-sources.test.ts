import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Dockerfile.app builds the web bundle in a stage that copies only app/web and the few server
// modules the bundle imports. A new such import builds on a developer's machine and breaks the
// image (it did: the sign-up's starter-category language). This lists the imports from the
// sources, so the Dockerfile cannot silently fall behind them.

const root = fileURLToPath(new URL("../../", import.meta.url));
const webSources = join(root, "app/web/src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The server modules (under app/src) the web sources import for their values, not types only. */
function serverModulesTheBundleTakes(): string[] {
  const found = new Set<string>();
  const valueImport = /^import\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms;
  for (const file of sourceFiles(webSources)) {
    for (const [, specifier = ""] of readFileSync(file, "utf8").matchAll(valueImport)) {
      if (!specifier.startsWith(".")) continue;
      const target = relative(root, resolve(file, "..", specifier));
      if (target.startsWith("app/src/")) found.add(target);
    }
  }
  return [...found].sort();
}

/** What the Dockerfile's web stage copies, as repository paths. */
function copiedIntoWebStage(): string[] {
  const dockerfile = readFileSync(join(root, "Dockerfile.app"), "utf8");
  const stage = /FROM\s+\S+\s+AS\s+web\n([\s\S]*?)\nFROM\s/i.exec(dockerfile)?.[1] ?? "";
  return [...stage.matchAll(/^COPY\s+(?!--from)(\S+)\s+\S+/gm)].map(([, source = ""]) => source);
}

describe("Dockerfile.app's web stage", () => {
  it("copies every server module the web bundle imports", () => {
    const copied = copiedIntoWebStage();
    const modules = serverModulesTheBundleTakes();
    expect(modules.length).toBeGreaterThan(0);
    const missing = modules.filter(
      (module) => !copied.some((source) => module === source || module.startsWith(`${source}/`)),
    );
    expect(missing).toEqual([]);
  });
});
