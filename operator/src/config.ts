import { hostname } from "node:os";
import { z } from "zod";
import type { PostgresVersion } from "./api/v1alpha1.ts";
import type { LabelSelector } from "./context.ts";
import { releasedImage } from "./release.ts";

const labelSelector = z
  .string()
  .regex(
    /^([A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)(,[A-Za-z0-9./_-]+=[A-Za-z0-9._-]*)*$/,
    "must be key=value[,key=value]",
  )
  .transform((s): LabelSelector => {
    const pairs = s.split(",").map((kv): [string, string] => {
      const [key = "", value = ""] = kv.split("=", 2);
      return [key, value];
    });
    return { matchLabels: Object.fromEntries(pairs) };
  });

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const port = z.coerce.number().int().min(1).max(65535);

/** The operator's settings: environment variables, each overridable by a `--flag=value`. */
export const settingsSchema = z.object({
  FINTRACK_APP_IMAGE: z.string().min(1).default(releasedImage("app")),
  /**
   * `{minor}` is replaced by the pinned release of the tenant's major (postgresReleases), so a
   * new minor rolls out when the operator is upgraded, never on its own under a floating tag;
   * `{version}` by the major alone, for registries that publish one tag per major.
   */
  FINTRACK_POSTGRES_IMAGE: z
    .string()
    .regex(/\{(minor|version)\}/, "must contain {minor} or {version}")
    .default("docker.io/library/postgres:{minor}-alpine"),
  FINTRACK_REDIS_IMAGE: z.string().min(1).default("docker.io/library/redis:7.4-alpine"),
  /** The backup program's image (Dockerfile.backup: PostgreSQL 18 client and server, Node 24). */
  FINTRACK_BACKUP_IMAGE: z.string().min(1).default(releasedImage("backup")),
  /** Comma-separated namespaces to watch; empty watches all. */
  FINTRACK_WATCH_NAMESPACES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  FINTRACK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  FINTRACK_RESYNC_SECONDS: z.coerce.number().int().min(10).default(600),
  /** A watch that sends nothing for this long is restarted (client-node watches can stall). */
  FINTRACK_WATCH_SILENCE_SECONDS: z.coerce.number().int().min(5).default(300),
  FINTRACK_METRICS_PORT: port.default(8080),
  FINTRACK_HEALTH_PORT: port.default(8081),
  FINTRACK_LEADER_ELECTION: bool.default(true),
  FINTRACK_LEADER_ELECTION_NAMESPACE: z.string().min(1).default("fintrack-system"),
  FINTRACK_LEADER_ELECTION_NAME: z.string().min(1).default("fintrack-operator"),
  /**
   * `none`: one replica (the leader) works on every tenant. `auto`: every replica is a shard
   * member holding a Lease of its own, and the leader spreads the tenants over the live members
   * by consistent hashing (sharding/). Needs leader election.
   */
  FINTRACK_SHARDS: z.enum(["none", "auto"]).default("none"),
  FINTRACK_INGRESS_NAMESPACE_LABELS: labelSelector.prefault(
    "kubernetes.io/metadata.name=ingress-nginx",
  ),
  FINTRACK_MONITORING_NAMESPACE_LABELS: labelSelector.prefault(
    "kubernetes.io/metadata.name=monitoring",
  ),
  POD_NAME: z.string().min(1).default(hostname()),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type Settings = z.output<typeof settingsSchema>;

/** `--app-image=x` -> FINTRACK_APP_IMAGE=x; `--log-level=debug` -> LOG_LEVEL / FINTRACK_LOG_LEVEL. */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!match?.[1] || match[2] === undefined)
      throw new Error(`unrecognised argument ${arg}: flags are --name=value`);
    const name = match[1].toUpperCase().replaceAll("-", "_");
    const key = ["LOG_LEVEL", "POD_NAME"].includes(name) ? name : `FINTRACK_${name}`;
    if (!(key in settingsSchema.shape)) throw new Error(`unknown flag ${arg}: no setting ${key}`);
    out[key] = match[2];
  }
  return out;
}

/** Parses settings once at start, failing with every problem listed. */
export function loadSettings(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Settings {
  const merged = { ...env, ...flagsToEnv(argv) };
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `  ${i.path.join(".")}: ${i.message}`)
      .join("\n");
    throw new Error(`invalid operator settings:\n${problems}`);
  }
  if (result.data.FINTRACK_SHARDS === "auto" && !result.data.FINTRACK_LEADER_ELECTION) {
    throw new Error(
      "invalid operator settings:\n  FINTRACK_SHARDS: auto needs FINTRACK_LEADER_ELECTION=true (the leader assigns the shards)",
    );
  }
  return result.data;
}

/**
 * The PostgreSQL release each major runs: the latest minor when this operator was released.
 * hack/versions.env builds the test bed's stand-in images at the same releases (a test checks).
 */
export const postgresReleases: Record<PostgresVersion, string> = {
  15: "15.19",
  16: "16.15",
  17: "17.11",
  18: "18.6",
};

/** The PostgreSQL image for a major version, from the settings' template. */
export function postgresImage(settings: Settings, version: PostgresVersion): string {
  return settings.FINTRACK_POSTGRES_IMAGE.replaceAll(
    "{minor}",
    postgresReleases[version],
  ).replaceAll("{version}", String(version));
}
