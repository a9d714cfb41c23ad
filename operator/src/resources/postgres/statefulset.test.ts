import type { V1Container, V1PodSpec, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { expectRestrictedPodSpec } from "../../../test/fixtures/restricted.ts";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { childLabels, labelKeys, selectorLabels } from "../../names.ts";
import { buildPostgresStatefulSet } from "./statefulset.ts";

function podSpec(statefulSet: V1StatefulSet): V1PodSpec {
  const spec = statefulSet.spec?.template.spec;
  if (spec === undefined) throw new Error("the StatefulSet has no pod template");
  return spec;
}

function postgresContainer(statefulSet: V1StatefulSet): V1Container {
  const container = podSpec(statefulSet).containers.find((c) => c.name === "postgres");
  if (container === undefined) throw new Error("the pod has no postgres container");
  return container;
}

function env(container: V1Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

describe("buildPostgresStatefulSet", () => {
  const tracker = aTracker();
  const statefulSet = buildPostgresStatefulSet(tracker, aContext());

  it("is one PostgreSQL instance, owned by the FinanceTracker, behind the headless Service", () => {
    expect(statefulSet.apiVersion).toBe("apps/v1");
    expect(statefulSet.kind).toBe("StatefulSet");
    expect(statefulSet.metadata?.name).toBe("acme-postgres");
    expect(statefulSet.metadata?.ownerReferences?.[0]?.uid).toBe(tracker.metadata.uid);
    expect(statefulSet.spec?.replicas).toBe(1);
    expect(statefulSet.spec?.serviceName).toBe("acme-postgres-hl");
  });

  it("selects its pods by the stable selector labels, which the pod template carries", () => {
    const selector = statefulSet.spec?.selector.matchLabels;

    expect(selector).toEqual(selectorLabels("acme", "postgres"));
    expect(statefulSet.spec?.template.metadata?.labels).toEqual(childLabels("acme", "postgres"));
  });

  it.each([15, 16, 17, 18] as const)("uses the PostgreSQL image of major version %i", (version) => {
    const built = buildPostgresStatefulSet(
      aTracker({ spec: { postgres: { version } } }),
      aContext(),
    );

    expect(postgresContainer(built).image).toBe(`docker.io/library/postgres:${version}-alpine`);
  });

  it("passes the restricted profile", () => {
    expectRestrictedPodSpec(podSpec(statefulSet));
  });

  it("runs as the Alpine postgres user and fixes volume ownership only when it is wrong", () => {
    const security = podSpec(statefulSet).securityContext;

    expect(security?.runAsUser).toBe(70);
    expect(security?.runAsGroup).toBe(70);
    expect(security?.fsGroup).toBe(70);
    expect(security?.fsGroupChangePolicy).toBe("OnRootMismatch");
  });

  it("gives every path PostgreSQL writes a writable volume, the root filesystem being read-only", () => {
    const mounts = postgresContainer(statefulSet).volumeMounts ?? [];
    const volumes = new Set([
      ...(podSpec(statefulSet).volumes ?? []).map((v) => v.name),
      ...(statefulSet.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name),
    ]);

    expect(mounts.map((m) => m.mountPath).sort()).toEqual([
      "/dev/shm",
      "/tmp",
      "/var/lib/postgresql/data",
      "/var/run/postgresql",
    ]);
    for (const mount of mounts) expect(volumes).toContain(mount.name);
  });

  it("gives parallel queries a memory-backed /dev/shm larger than the runtime's 64Mi", () => {
    const shm = (podSpec(statefulSet).volumes ?? []).find((v) => v.name === "shm");
    expect(shm?.emptyDir).toEqual({ medium: "Memory", sizeLimit: "256Mi" });
  });

  it("keeps the database in a subfolder of the data volume", () => {
    const container = postgresContainer(statefulSet);
    const dataMount = container.volumeMounts?.find((m) => m.name === "data");

    expect(dataMount?.mountPath).toBe("/var/lib/postgresql/data");
    expect(env(container, "PGDATA")).toBe("/var/lib/postgresql/data/pgdata");
  });

  it("creates the database and role the app uses", () => {
    const container = postgresContainer(statefulSet);

    expect(env(container, "POSTGRES_USER")).toBe("fintrack");
    expect(env(container, "POSTGRES_DB")).toBe("fintrack");
  });

  it("never puts a password in the pod spec in clear text", () => {
    const ctx = aContext();
    const built = buildPostgresStatefulSet(tracker, ctx);
    const password = postgresContainer(built).env?.find((e) => e.name === "POSTGRES_PASSWORD");

    expect(password?.value).toBeUndefined();
    expect(password?.valueFrom?.secretKeyRef).toEqual({
      name: "acme-credentials",
      key: "postgres-password",
    });
    const text = JSON.stringify(built);
    for (const secret of Object.values(ctx.credentials)) expect(text).not.toContain(secret);
  });

  it("exposes port 5432 under the name the Services target", () => {
    expect(postgresContainer(statefulSet).ports).toEqual([
      expect.objectContaining({ name: "postgres", containerPort: 5432 }),
    ]);
  });

  it("probes over TCP with pg_isready, giving the first start a generous budget", () => {
    const container = postgresContainer(statefulSet);
    const command = ["pg_isready", "-U", "fintrack", "-d", "fintrack", "-h", "127.0.0.1"];

    for (const probe of [
      container.startupProbe,
      container.readinessProbe,
      container.livenessProbe,
    ]) {
      expect(probe?.exec?.command).toEqual([...command, "-p", "5432"]);
    }
    const startup = container.startupProbe;
    expect((startup?.periodSeconds ?? 0) * (startup?.failureThreshold ?? 0)).toBeGreaterThanOrEqual(
      300,
    );
  });

  it("gives PostgreSQL time to shut down cleanly", () => {
    expect(podSpec(statefulSet).terminationGracePeriodSeconds).toBe(60);
  });

  it("applies default resources, letting the spec override them key by key", () => {
    expect(postgresContainer(statefulSet).resources).toEqual({
      requests: { cpu: "250m", memory: "256Mi" },
      limits: { memory: "1Gi" },
    });
    const sized = buildPostgresStatefulSet(
      aTracker({ spec: { postgres: { resources: { requests: { cpu: "1" } } } } }),
      aContext(),
    );
    expect(postgresContainer(sized).resources?.requests).toEqual({ cpu: "1", memory: "256Mi" });
  });

  it("claims a ReadWriteOnce volume of the requested size for each instance", () => {
    const built = buildPostgresStatefulSet(
      aTracker({ spec: { postgres: { storage: { size: "20Gi" } } } }),
      aContext(),
    );
    const [claim] = built.spec?.volumeClaimTemplates ?? [];

    expect(claim?.metadata?.name).toBe("data");
    expect(claim?.spec?.accessModes).toEqual(["ReadWriteOnce"]);
    expect(claim?.spec?.resources?.requests).toEqual({ storage: "20Gi" });
  });

  it("keeps storage class unset when the spec omits it", () => {
    const [claim] = statefulSet.spec?.volumeClaimTemplates ?? [];

    expect(claim?.spec).not.toHaveProperty("storageClassName");
  });

  it("uses the storage class the spec names", () => {
    const built = buildPostgresStatefulSet(
      aTracker({ spec: { postgres: { storage: { size: "10Gi", storageClassName: "fast-ssd" } } } }),
      aContext(),
    );

    expect(built.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("fast-ssd");
  });

  it("labels the claims as the tenant's, without an owner reference or the label prune goes by", () => {
    const [claim] = statefulSet.spec?.volumeClaimTemplates ?? [];

    expect(claim?.metadata?.labels).toEqual(selectorLabels("acme", "postgres"));
    expect(claim?.metadata?.labels).not.toHaveProperty(labelKeys.managedBy);
    expect(claim?.metadata?.ownerReferences).toBeUndefined();
  });

  it("retains volumes on deletion unless deletionPolicy is Delete", () => {
    const retained = buildPostgresStatefulSet(aTracker(), aContext());
    const deleted = buildPostgresStatefulSet(
      aTracker({ spec: { deletionPolicy: "Delete" } }),
      aContext(),
    );

    expect(retained.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(deleted.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Delete",
      whenScaled: "Retain",
    });
  });

  it("rolls out template changes", () => {
    expect(statefulSet.spec?.updateStrategy).toEqual({ type: "RollingUpdate" });
  });
});
