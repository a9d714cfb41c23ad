import type { V1Deployment, V1Job, V1StatefulSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import type { TrackerBackup } from "./backup/status.ts";
import {
  appPostgresAnnotation,
  appTemplateFor,
  planPostgresUpgrade,
  postgresAnnotations,
  upgradeTargetAnnotation,
  type UpgradeInputs,
  type UpgradePlan,
} from "./postgres-upgrade.ts";
import { buildAppDeployment } from "./resources/app/deployment.ts";
import { buildPostgresStatefulSet } from "./resources/postgres/statefulset.ts";

/** A live StatefulSet as the operator left it for `plan`, ready or not. */
function liveSts(
  plan: Pick<UpgradePlan, "runtime" | "replicas" | "pruned" | "rollbackTo">,
  ready = true,
): V1StatefulSet {
  const sts = buildPostgresStatefulSet(aTracker(), aContext(), plan);
  return {
    ...sts,
    metadata: { ...sts.metadata, generation: 3 },
    status: {
      replicas: 1,
      observedGeneration: 3,
      readyReplicas: ready ? 1 : 0,
      updatedReplicas: 1,
      currentRevision: "r1",
      updateRevision: "r1",
    },
  };
}

const on17 = liveSts({
  runtime: { major: 17, dataDirectory: "pgdata" },
  replicas: 1,
  pruned: "pgdata",
});

function job(
  name: string,
  outcome: "running" | "Complete" | "Failed",
  annotations: Record<string, string> = {},
): V1Job {
  return {
    metadata: { name, annotations },
    status:
      outcome === "running"
        ? { active: 1 }
        : { conditions: [{ type: outcome, status: "True", message: `the ${name} said so` }] },
  };
}

const copyTo = (major: number, outcome: "running" | "Complete" | "Failed") =>
  job("acme-postgres-upgrade", outcome, { [upgradeTargetAnnotation]: String(major) });

function backup(phase: string, verified = true): TrackerBackup {
  return {
    apiVersion: "fintrack.dev/v1alpha1",
    kind: "FinanceTrackerBackup",
    metadata: { name: "acme-before-postgres-18", namespace: "tenant-acme", uid: "b" },
    spec: { trackerRef: { name: "acme" } },
    status: { phase: phase as "Completed", verification: { verified }, message: "bucket gone" },
  };
}

function plan(inputs: Partial<UpgradeInputs>): UpgradePlan {
  return planPostgresUpgrade({
    requested: 18,
    live: on17,
    postgresPods: 1,
    copyJob: undefined,
    pruneJob: undefined,
    backup: "not-configured",
    appAvailable: true,
    ...inputs,
  });
}

describe("planPostgresUpgrade", () => {
  it("runs a new tenant's version on the first data folder", () => {
    expect(plan({ live: undefined })).toEqual({
      runtime: { major: 18, dataDirectory: "pgdata" },
      replicas: 1,
      pruned: "pgdata",
    });
  });

  it("reads a StatefulSet from before upgrades as running the requested major on pgdata", () => {
    const old = { ...on17, metadata: { ...on17.metadata, annotations: {} } };
    expect(plan({ live: old, requested: 17 })).toEqual({
      runtime: { major: 17, dataDirectory: "pgdata" },
      replicas: 1,
      pruned: "pgdata",
    });
  });

  it("takes a verified backup first and waits for it", () => {
    const first = plan({ backup: undefined });
    expect(first).toMatchObject({ createBackup: true, replicas: 1 });
    expect(first.progress).toMatchObject({ from: 17, to: 18, phase: "BackingUp" });
    const waiting = plan({ backup: backup("Running") });
    expect(waiting.createBackup).toBeUndefined();
    expect(waiting.progress?.phase).toBe("BackingUp");
    expect(waiting.runtime.major).toBe(17);
  });

  it("stops the upgrade, PostgreSQL still running, when the backup fails or is not verified", () => {
    for (const failed of [backup("Failed"), backup("Completed", false)]) {
      const result = plan({ backup: failed });
      expect(result.replicas).toBe(1);
      expect(result.runtime.major).toBe(17);
      expect(result.copy).toBeUndefined();
      expect(result.problem?.reason).toBe("MajorUpgradeFailed");
      expect(result.problem?.message).toContain(
        "delete FinanceTrackerBackup acme-before-postgres-18",
      );
    }
  });

  it("stops PostgreSQL once the backup is verified, then copies", () => {
    const stopping = plan({ backup: backup("Completed") });
    expect(stopping).toMatchObject({ replicas: 0, runtime: { major: 17 } });
    expect(stopping.progress?.phase).toBe("Stopping");
    expect(stopping.copy).toBeUndefined();
    const copying = plan({ backup: backup("Completed"), postgresPods: 0 });
    expect(copying.replicas).toBe(0);
    expect(copying.copy).toEqual({
      from: { major: 17, dataDirectory: "pgdata" },
      to: { major: 18, dataDirectory: "pgdata-18" },
    });
    expect(copying.progress?.phase).toBe("Copying");
  });

  it("goes straight to stopping when the tenant has no backups", () => {
    expect(plan({}).progress?.phase).toBe("Stopping");
  });

  it("keeps the copy running with PostgreSQL stopped", () => {
    const result = plan({ postgresPods: 0, copyJob: copyTo(18, "running") });
    expect(result.replicas).toBe(0);
    expect(result.copy?.to.major).toBe(18);
  });

  it("reports a failed copy and starts the old server again, without copying again", () => {
    const result = plan({
      postgresPods: 0,
      copyJob: copyTo(18, "Failed"),
      copyFailure: "the acme-postgres-upgrade said so",
    });
    expect(result).toMatchObject({ replicas: 1, runtime: { major: 17, dataDirectory: "pgdata" } });
    expect(result.copy).toBeUndefined();
    expect(result.problem?.reason).toBe("MajorUpgradeFailed");
    expect(result.problem?.message).toContain("the acme-postgres-upgrade said so");
    expect(result.progress?.phase).toBe("Failed");
  });

  it("switches to the new major on the copy and remembers where to roll back to", () => {
    const result = plan({ postgresPods: 0, copyJob: copyTo(18, "Complete") });
    expect(result).toMatchObject({
      runtime: { major: 18, dataDirectory: "pgdata-18" },
      rollbackTo: { major: 17, dataDirectory: "pgdata" },
      replicas: 1,
      pruned: "pgdata",
    });
    expect(result.progress?.phase).toBe("Proving");
  });

  const switched = (ready: boolean) =>
    liveSts(
      {
        runtime: { major: 18, dataDirectory: "pgdata-18" },
        rollbackTo: { major: 17, dataDirectory: "pgdata" },
        replicas: 1,
        pruned: "pgdata",
      },
      ready,
    );

  it("keeps the old data and the way back until the server and the app are ready on the copy", () => {
    for (const [ready, appAvailable] of [
      [false, true],
      [true, false],
    ] as const) {
      const result = plan({ live: switched(ready), appAvailable, copyJob: copyTo(18, "Complete") });
      expect(result.rollbackTo).toEqual({ major: 17, dataDirectory: "pgdata" });
      expect(result.progress?.phase).toBe("Proving");
      expect(result.prune).toBeUndefined();
      expect(result.deleteCopyJob).toBeUndefined();
    }
  });

  it("once proven, forgets the way back, deletes the copy Job, then prunes the old folder", () => {
    const proven = plan({ live: switched(true), copyJob: copyTo(18, "Complete") });
    expect(proven.rollbackTo).toBeUndefined();
    const afterProof = liveSts({
      runtime: { major: 18, dataDirectory: "pgdata-18" },
      replicas: 1,
      pruned: "pgdata",
    });
    // Seen again while its foreground deletion waits for the finished pod to go.
    const finished = copyTo(18, "Complete");
    finished.metadata = { ...finished.metadata, deletionTimestamp: new Date() };
    const housekeeping = plan({ live: afterProof, copyJob: finished });
    expect(housekeeping).toMatchObject({ deleteCopyJob: true, replicas: 1 });
    // Deleting a finished copy is no step of any upgrade: nothing to report.
    expect(housekeeping.progress).toBeUndefined();
    const pruning = plan({ live: switched(true) });
    expect(pruning.rollbackTo).toBeUndefined();
    expect(pruning.progress).toBeUndefined();
    expect(pruning.prune).toEqual({ keep: "pgdata-18" });
    expect(pruning.pruned).toBe("pgdata");
    const done = plan({
      live: switched(true),
      pruneJob: job("acme-postgres-prune-pgdata-18", "Complete"),
    });
    expect(done.prune).toBeUndefined();
    expect(done.pruned).toBe("pgdata-18");
  });

  it("rolls back to the untouched old data when the version is set back before the proof", () => {
    const result = plan({ live: switched(false), requested: 17 });
    expect(result).toMatchObject({
      runtime: { major: 17, dataDirectory: "pgdata" },
      replicas: 1,
      // differs from pgdata, so the abandoned copy is pruned once 17 is back
      pruned: "pgdata-18",
    });
    expect(result.rollbackTo).toBeUndefined();
    expect(result.progress?.phase).toBe("RollingBack");
  });

  it("cancels a running copy: PostgreSQL stays stopped until the copy's pod is gone", () => {
    const cancelling = plan({ requested: 17, postgresPods: 0, copyJob: copyTo(18, "running") });
    expect(cancelling).toMatchObject({ replicas: 0, deleteCopyJob: true, runtime: { major: 17 } });
    const deleting = copyTo(18, "running");
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date() };
    expect(plan({ requested: 17, postgresPods: 0, copyJob: deleting }).replicas).toBe(0);
    const failed = plan({ requested: 17, postgresPods: 0, copyJob: copyTo(18, "Failed") });
    expect(failed).toMatchObject({ replicas: 1, deleteCopyJob: true });
    expect(plan({ requested: 17, postgresPods: 0 })).toMatchObject({
      replicas: 1,
      runtime: { major: 17, dataDirectory: "pgdata" },
    });
  });

  it("refuses to go below a proven major and keeps it running", () => {
    const result = plan({ requested: 16 });
    expect(result).toMatchObject({ replicas: 1, runtime: { major: 17 } });
    expect(result.problem?.reason).toBe("MajorDowngradeUnsupported");
  });

  it("upgrades again from an upgraded folder, several majors in one copy", () => {
    const on16 = liveSts({
      runtime: { major: 16, dataDirectory: "pgdata-16" },
      replicas: 1,
      pruned: "pgdata-16",
    });
    const result = plan({ live: on16, postgresPods: 0 });
    expect(result.copy).toEqual({
      from: { major: 16, dataDirectory: "pgdata-16" },
      to: { major: 18, dataDirectory: "pgdata-18" },
    });
  });
});

describe("the PostgreSQL StatefulSet of a plan", () => {
  it("runs the plan's major on its folder and records the plan in annotations", () => {
    const sts = switched();
    const container = sts.spec?.template.spec?.containers[0];
    expect(container?.image).toBe("docker.io/library/postgres:18-alpine");
    expect(container?.env).toContainEqual({
      name: "PGDATA",
      value: "/var/lib/postgresql/data/pgdata-18",
    });
    expect(sts.metadata?.annotations).toMatchObject({
      [postgresAnnotations.major]: "18",
      [postgresAnnotations.dataDirectory]: "pgdata-18",
      [postgresAnnotations.rollbackTo]: "17/pgdata",
      [postgresAnnotations.pruned]: "pgdata",
    });
  });

  function switched(): V1StatefulSet {
    return buildPostgresStatefulSet(aTracker({ spec: { postgres: { version: 18 } } }), aContext(), {
      runtime: { major: 18, dataDirectory: "pgdata-18" },
      rollbackTo: { major: 17, dataDirectory: "pgdata" },
      replicas: 1,
      pruned: "pgdata",
    });
  }
});

describe("the app's proof of a new server", () => {
  const appFor = (runtime?: { major: number; dataDirectory: string }): V1Deployment =>
    buildAppDeployment(aTracker(), { ...aContext(), postgresRuntime: runtime });
  const first = { major: 16, dataDirectory: "pgdata" };
  const upgraded = { major: 17, dataDirectory: "pgdata-17" };

  it("counts only app pods rolled out for the server, not pods that outlived its start", () => {
    expect(appTemplateFor(appFor(upgraded), upgraded)).toBe(true);
    // The app as it was before the upgrade is still up and ready: that proves nothing.
    expect(appTemplateFor(appFor(first), upgraded)).toBe(false);
    expect(appTemplateFor(appFor(undefined), upgraded)).toBe(false);
    expect(appTemplateFor(undefined, upgraded)).toBe(false);
  });

  it("takes a never-upgraded tenant's app as it is, and a rollback's once rolled back", () => {
    expect(appTemplateFor(appFor(undefined), first)).toBe(true);
    expect(appTemplateFor(appFor(first), first)).toBe(true);
    expect(appTemplateFor(appFor(upgraded), first)).toBe(false);
    expect(appFor(upgraded).spec?.template.metadata?.annotations?.[appPostgresAnnotation]).toBe(
      "17/pgdata-17",
    );
  });
});
