import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSettings } from "./config.ts";

describe("the images an operator release runs", () => {
  const version = (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    }
  ).version;

  it("default to the app and backup images of the operator's own version", () => {
    const settings = loadSettings({});
    expect(settings.FINTRACK_APP_IMAGE).toBe(`ghcr.io/fintrack/app:${version}`);
    expect(settings.FINTRACK_BACKUP_IMAGE).toBe(`ghcr.io/fintrack/backup:${version}`);
  });

  it("release together: the app's version is the operator's", () => {
    const app = JSON.parse(
      readFileSync(new URL("../../app/package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(app.version).toBe(version);
  });
});
