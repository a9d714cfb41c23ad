import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../test/harness/cluster.ts";
import { flagsToEnv, loadSettings, postgresImage, postgresReleases } from "./config.ts";

describe("operator settings", () => {
  it("has working defaults", () => {
    const s = loadSettings({ POD_NAME: "op-0" });
    expect(s.FINTRACK_CONCURRENCY).toBe(4);
    expect(s.FINTRACK_WATCH_NAMESPACES).toEqual([]);
    expect(s.FINTRACK_LEADER_ELECTION).toBe(true);
    expect(postgresImage(s, 16)).toBe("docker.io/library/postgres:16.15-alpine");
    expect(s.FINTRACK_INGRESS_NAMESPACE_LABELS).toEqual({
      matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
    });
  });

  it("pins each PostgreSQL major to the release the test bed's images are built from", () => {
    const env = readFileSync(join(repoRoot, "hack/versions.env"), "utf8");
    const built = /^POSTGRES_BINARIES_VERSIONS=(.+)$/m.exec(env)?.[1]?.split(",") ?? [];
    const releases = built.map((v) => v.split(".").slice(0, 2).join(".")).sort();
    expect(Object.values(postgresReleases).sort()).toEqual(releases);
    for (const [major, release] of Object.entries(postgresReleases))
      expect(release.startsWith(`${major}.`)).toBe(true);
    const majorOnly = loadSettings({ FINTRACK_POSTGRES_IMAGE: "registry.example/pg:{version}" });
    expect(postgresImage(majorOnly, 17)).toBe("registry.example/pg:17");
    expect(() => loadSettings({ FINTRACK_POSTGRES_IMAGE: "postgres:latest" })).toThrow(
      /must contain \{minor\} or \{version\}/,
    );
  });

  it("lets flags override the environment", () => {
    const s = loadSettings({ FINTRACK_CONCURRENCY: "2" }, [
      "--concurrency=8",
      "--watch-namespaces=a, b",
      "--log-level=debug",
    ]);
    expect(s.FINTRACK_CONCURRENCY).toBe(8);
    expect(s.FINTRACK_WATCH_NAMESPACES).toEqual(["a", "b"]);
    expect(s.LOG_LEVEL).toBe("debug");
  });

  it("lists every problem at once", () => {
    expect(() =>
      loadSettings({
        FINTRACK_CONCURRENCY: "0",
        FINTRACK_METRICS_PORT: "http",
        FINTRACK_LEADER_ELECTION: "yes",
      }),
    ).toThrow(/FINTRACK_CONCURRENCY[\s\S]*FINTRACK_METRICS_PORT[\s\S]*FINTRACK_LEADER_ELECTION/);
  });

  it("shards only on request, and only with leader election, which picks the sharder", () => {
    expect(loadSettings({}).FINTRACK_SHARDS).toBe("none");
    expect(loadSettings({}, ["--shards=auto"]).FINTRACK_SHARDS).toBe("auto");
    expect(() => loadSettings({}, ["--shards=3"])).toThrow(/FINTRACK_SHARDS/);
    expect(() => loadSettings({ FINTRACK_LEADER_ELECTION: "false" }, ["--shards=auto"])).toThrow(
      /FINTRACK_SHARDS: auto needs FINTRACK_LEADER_ELECTION=true/,
    );
  });

  it("refuses flags it does not understand", () => {
    expect(() => flagsToEnv(["-v"])).toThrow(/unrecognised argument -v/);
    expect(() => flagsToEnv(["--concurency=8"])).toThrow(/unknown flag --concurency=8/);
  });
});
