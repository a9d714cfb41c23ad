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

/** The image of this release the operator runs for tenants: the app's, or the backup program's. */
export function releasedImage(name: "app" | "backup"): string {
  return `ghcr.io/fintrack/${name}:${operatorVersion}`;
}
