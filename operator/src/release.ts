import { readFileSync } from "node:fs";

/**
 * The operator's release, as operator/package.json states it (the release workflow refuses a
 * tag that differs from it): the default app and backup images carry the same version, so an
 * operator release never runs tenants on images of another one.
 */
export const operatorVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** The image the release workflow publishes for `name` (app, backup, operator). */
export function releasedImage(name: "app" | "backup" | "operator"): string {
  return `ghcr.io/fintrack/${name}:${operatorVersion}`;
}
