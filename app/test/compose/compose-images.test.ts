import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadSettings, postgresImage } from "../../../operator/src/config.ts";
import { releasedImage } from "../../../operator/src/release.ts";

const folder = resolve(import.meta.dirname, "../../../samples/compose");
const compose = parse(readFileSync(resolve(folder, "compose.yaml"), "utf8")) as {
  services: Record<string, { image?: string }>;
};
const envExample = readFileSync(resolve(folder, ".env.example"), "utf8");

/** The image a service runs when .env overrides nothing: the default of `${VAR:-default}`. */
function defaultImage(service: string): string | undefined {
  const image = compose.services[service]?.image ?? "";
  return /^\$\{[A-Z_]+:-(.+)\}$/.exec(image)?.[1];
}

describe("samples/compose", () => {
  // The operator's defaults with nothing configured: what a tenant runs.
  const operator = loadSettings({});

  it("runs the images of the operator's release by default, for the app and the backups", () => {
    expect(defaultImage("app")).toBe(releasedImage("app"));
    expect(defaultImage("migrate")).toBe(releasedImage("app"));
    expect(defaultImage("backup")).toBe(releasedImage("backup"));
    expect(envExample).toContain(`FINTRACK_APP_IMAGE=${releasedImage("app")}\n`);
    expect(envExample).toContain(`FINTRACK_BACKUP_IMAGE=${releasedImage("backup")}\n`);
  });

  it("runs the PostgreSQL 18 and Redis images a new tenant gets", () => {
    expect(defaultImage("postgres")).toBe(postgresImage(operator, 18));
    expect(defaultImage("redis")).toBe(operator.FINTRACK_REDIS_IMAGE);
  });
});
