import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncGeneratedFiles } from "./generated-files.ts";

describe("syncGeneratedFiles", () => {
  let root = "";
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "generated-"));
    writeFileSync(join(root, "fresh.txt"), "same");
    writeFileSync(join(root, "stale.txt"), "old");
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const outputs = [
    ["fresh.txt", "same"],
    ["stale.txt", "new"],
    ["deep/missing.txt", "made"],
  ] as const;

  it("with check lists the stale and missing files and writes nothing", () => {
    expect(syncGeneratedFiles(root, outputs, true)).toEqual(["stale.txt", "deep/missing.txt"]);
    expect(readFileSync(join(root, "stale.txt"), "utf8")).toBe("old");
  });

  it("without check writes them, creating folders, after which none is stale", () => {
    syncGeneratedFiles(root, outputs, false);
    expect(readFileSync(join(root, "deep/missing.txt"), "utf8")).toBe("made");
    expect(syncGeneratedFiles(root, outputs, true)).toEqual([]);
  });
});
