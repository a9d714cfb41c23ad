import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { upgradeTargetAnnotation } from "../../postgres-upgrade.ts";
import { buildPostgresCopyJob, buildPostgresPruneJob } from "./upgrade-jobs.ts";

const tracker = aTracker();
const copy = buildPostgresCopyJob(
  tracker,
  aContext(),
  { major: 16, dataDirectory: "pgdata" },
  { major: 17, dataDirectory: "pgdata-17" },
);
const prune = buildPostgresPruneJob(tracker, aContext(), {
  major: 17,
  dataDirectory: "pgdata-17",
});

describe("the copy Job of a PostgreSQL major upgrade", () => {
  const pod = copy.spec?.template.spec;
  const oldServer = pod?.initContainers?.[0];
  const worker = pod?.containers[0];

  it("runs the old major's server as a native sidecar on the old folder, on loopback only", () => {
    expect(oldServer?.restartPolicy).toBe("Always");
    expect(oldServer?.image).toBe("docker.io/library/postgres:16-alpine");
    expect(oldServer?.args).toEqual(["postgres", "-c", "listen_addresses=127.0.0.1"]);
    expect(oldServer?.env).toContainEqual({
      name: "PGDATA",
      value: "/var/lib/postgresql/data/pgdata",
    });
    // Main containers start once the sidecar answers.
    expect(oldServer?.startupProbe?.exec?.command).toContain("pg_isready");
  });

  it("copies with the new major's programs into the new folder", () => {
    expect(worker?.image).toBe("docker.io/library/postgres:17-alpine");
    expect(worker?.env).toEqual(
      expect.arrayContaining([
        { name: "OLD_PGDATA", value: "/var/lib/postgresql/data/pgdata" },
        { name: "NEW_PGDATA", value: "/var/lib/postgresql/data/pgdata-17" },
      ]),
    );
    expect(worker?.command?.[2]).toContain("pg_dumpall");
    expect(worker?.terminationMessagePolicy).toBe("FallbackToLogsOnError");
  });

  it("mounts the tenant's data claim, and is restricted like every tenant pod", () => {
    expect(pod?.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "data-acme-postgres-0" },
    });
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, fsGroup: 70 });
    for (const container of [oldServer, worker]) {
      expect(container?.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
    }
  });

  it("names its target major, runs once, and is never collected by TTL (it records the outcome)", () => {
    expect(copy.metadata?.name).toBe("acme-postgres-upgrade");
    expect(copy.metadata?.annotations?.[upgradeTargetAnnotation]).toBe("17");
    expect(copy.spec?.backoffLimit).toBe(0);
    expect(copy.spec?.ttlSecondsAfterFinished).toBeUndefined();
    // Not the postgres component: its pods must never receive the Service's traffic.
    expect(copy.spec?.template.metadata?.labels?.["app.kubernetes.io/component"]).toBe(
      "postgres-upgrade",
    );
  });
});

describe("the prune Job", () => {
  it("keeps the current folder, one Job per folder kept, beside the running server", () => {
    expect(prune.metadata?.name).toBe("acme-postgres-prune-pgdata-17");
    const pod = prune.spec?.template.spec;
    expect(pod?.containers[0]?.env).toContainEqual({ name: "KEEP", value: "pgdata-17" });
    expect(pod?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]).toEqual(
      {
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "fintrack",
            "app.kubernetes.io/instance": "acme",
            "app.kubernetes.io/component": "postgres",
          },
        },
        topologyKey: "kubernetes.io/hostname",
      },
    );
    expect(prune.spec?.ttlSecondsAfterFinished).toBeGreaterThan(0);
  });
});
