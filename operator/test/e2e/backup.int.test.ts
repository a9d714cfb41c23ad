import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type V1Job,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TrackerBackup } from "../../src/backup/status.ts";
import {
  applyBackup,
  deleteBackup,
  eventsAbout,
  waitBackupGone,
  waitBackupPhase,
  createS3CredentialsSecret,
} from "../harness/backups.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import { applyTracker, conditionOf, readTracker, waitReady } from "../harness/trackers.ts";
import { expectRestrictedPodSpec } from "../fixtures/restricted.ts";

const adminEmail = "owner@acme.example";
const s3 = {
  bucket: "fintrack-backups",
  prefix: "tenants/acme",
  endpoint: "http://minio.storage.svc:9000",
  forcePathStyle: true,
  credentialsSecretRef: { name: "acme-s3" },
};

describe.skipIf(!clusterRunsControllers())("backups and restores under the operator", () => {
  const ns = useNamespace("backup");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const backups = () => ({
    group: "fintrack.dev",
    version: "v1alpha1",
    plural: "financetrackerbackups",
    namespace: ns.name,
  });
  const readBackup = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...backups(), name })) as TrackerBackup;
  const listBackups = async () =>
    ((await custom.listNamespacedCustomObject(backups())) as { items: TrackerBackup[] }).items;
  const completed = (name: string) =>
    eventually(
      `backup ${name} Completed`,
      async () => {
        const b = await readBackup(name);
        expect(b.status?.phase).toBe("Completed");
        return b;
      },
      { timeoutMs: 60_000 },
    );
  let operator: OperatorProcess;

  beforeAll(async () => {
    installCrd();
    createS3CredentialsSecret(ns.name, "acme-s3");
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  it("creates the scheduled backup, runs it in a restricted Job and reports it on the tenant", async () => {
    applyTracker(ns.name, "acme", {
      app: { adminEmail },
      backup: { schedule: "* * * * *", destination: { s3 } },
    });
    await waitReady(ns.name, "acme");
    const tracker = await readTracker(ns.name, "acme");
    expect(conditionOf(tracker, "BackupHealthy")).toMatchObject({
      status: "Unknown",
      reason: "NoBackupYet",
    });

    // The next minute's run: at most a minute away.
    const scheduled = await eventually(
      "a scheduled FinanceTrackerBackup",
      async () => {
        const [first] = await listBackups();
        if (!first) throw new Error("no FinanceTrackerBackup yet");
        expect(first.metadata.name).toMatch(/^acme-\d{12}$/);
        return first;
      },
      { timeoutMs: 90_000 },
    );
    const done = await completed(scheduled.metadata.name);
    expect(done.status?.jobName).toBe(`${scheduled.metadata.name}-job`);

    const job: V1Job = await batch.readNamespacedJob({
      namespace: ns.name,
      name: `${scheduled.metadata.name}-job`,
    });
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "FinanceTrackerBackup",
      name: scheduled.metadata.name,
      controller: true,
    });
    const podSpec = job.spec?.template.spec;
    if (!podSpec) throw new Error("no pod template");
    expectRestrictedPodSpec(podSpec);
    // The namespace enforces `restricted`: the pod exists only because admission let it in.
    const pods = await core.listNamespacedPod({
      namespace: ns.name,
      labelSelector: `job-name=${scheduled.metadata.name}-job`,
    });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(["Succeeded"]);

    const reported = await eventually("BackupHealthy True with lastBackup", async () => {
      const t = await readTracker(ns.name, "acme");
      expect(conditionOf(t, "BackupHealthy")).toMatchObject({
        status: "True",
        reason: "BackupSucceeded",
      });
      return t;
    });
    expect(reported.status?.lastBackup?.name).toBe(scheduled.metadata.name);
    expect(kubectl(["get", "ft", "acme", "-n", ns.name]).split("\n")[0]).toContain("LAST BACKUP");
  });

  it("keeps scheduled backup objects to their history limit, and finished Jobs only for a day", async () => {
    // A yearly schedule whose runs all predate the tenant: the backups below stand in for runs.
    applyTracker(ns.name, "hist", {
      app: { adminEmail },
      backup: { schedule: "0 3 1 1 *", destination: { s3 }, successfulBackupsHistoryLimit: 2 },
    });
    await waitReady(ns.name, "hist");
    const runs = [1, 2, 3, 4].map((d) => `hist-2026010${String(d)}0300`);
    for (const name of runs)
      applyBackup(
        ns.name,
        name,
        { trackerRef: { name: "hist" } },
        { "fintrack.dev/scheduled": "true" },
      );
    applyBackup(ns.name, "hist-by-hand", { trackerRef: { name: "hist" } });

    await eventually(
      "the two oldest scheduled backups collected",
      async () => {
        const mine = (await listBackups()).filter((b) => b.spec.trackerRef.name === "hist");
        const left = mine.map((b) => b.metadata.name).sort();
        expect(left).toEqual(["hist-202601030300", "hist-202601040300", "hist-by-hand"].sort());
      },
      { timeoutMs: 90_000 },
    );
    const job = await batch.readNamespacedJob({ namespace: ns.name, name: `${runs[3] ?? ""}-job` });
    expect(job.spec?.ttlSecondsAfterFinished).toBe(24 * 3600);
  });

  it("runs an on-demand backup a user creates without any of our labels", async () => {
    kubectl(
      ["apply", "-n", ns.name, "-f", "-"],
      JSON.stringify({
        apiVersion: "fintrack.dev/v1alpha1",
        kind: "FinanceTrackerBackup",
        metadata: { name: "before-upgrade" },
        spec: { trackerRef: { name: "acme" } },
      }),
    );
    const done = await completed("before-upgrade");
    expect(done.status?.completionTime).toBeDefined();
    expect(kubectl(["get", "ftb", "before-upgrade", "-n", ns.name])).toMatch(/Completed/);
  });

  it("deletes the stored backup through a Job before a deleteStoredBackup backup goes", async () => {
    applyBackup(ns.name, "disposable", { trackerRef: { name: "acme" }, deleteStoredBackup: true });
    const done = await completed("disposable");
    // kwok plays the backup program (hack/kwok/job-pod-complete.yaml): its result line has the key.
    expect(done.status?.key).toBe("tenants/acme/disposable.dump");
    await eventually("the stored-backup finalizer", async () => {
      const b = await readBackup("disposable");
      expect(b.metadata.finalizers).toContain("fintrack.dev/stored-backup");
    });

    deleteBackup(ns.name, "disposable");

    await waitBackupGone(ns.name, "disposable");
    const events = await eventsAbout(ns.name, "disposable");
    expect(events.map((e) => [e.type, e.reason, e.message])).toContainEqual([
      "Normal",
      "StoredBackupDeleted",
      "deleted tenants/acme/disposable.dump",
    ]);
  });

  it("lets a backup that keeps its stored object go at once, with no finalizer and no Job", async () => {
    applyBackup(ns.name, "keeper", { trackerRef: { name: "acme" } });
    const done = await completed("keeper");
    expect(done.status?.key).toBe("tenants/acme/keeper.dump");
    expect(done.metadata.finalizers ?? []).toEqual([]);

    deleteBackup(ns.name, "keeper");

    await waitBackupGone(ns.name, "keeper");
    const jobs = await batch.listNamespacedJob({
      namespace: ns.name,
      labelSelector: "fintrack.dev/backup=keeper",
    });
    expect(jobs.items.map((j) => j.metadata?.name)).not.toContain("keeper-delete");
    expect((await eventsAbout(ns.name, "keeper")).map((e) => e.reason)).not.toContain(
      "StoredBackupDeleted",
    );
  });

  it("releases the finalizer when deleteStoredBackup is set back to false", async () => {
    applyBackup(ns.name, "changed-mind", {
      trackerRef: { name: "acme" },
      deleteStoredBackup: true,
    });
    await completed("changed-mind");
    await eventually("the stored-backup finalizer", async () => {
      expect((await readBackup("changed-mind")).metadata.finalizers).toContain(
        "fintrack.dev/stored-backup",
      );
    });

    applyBackup(ns.name, "changed-mind", {
      trackerRef: { name: "acme" },
      deleteStoredBackup: false,
    });

    await eventually("the finalizer released", async () => {
      expect((await readBackup("changed-mind")).metadata.finalizers ?? []).toEqual([]);
    });
    // The operator's own field manager never took the user's spec or labels with it.
    const kept = await readBackup("changed-mind");
    expect(kept.spec).toEqual({ trackerRef: { name: "acme" }, deleteStoredBackup: false });
    expect(kept.status?.phase).toBe("Completed");
  });

  it("says why a backup of a tenant that does not exist waits, and runs it once the tenant exists", async () => {
    applyBackup(ns.name, "early", { trackerRef: { name: "late" } });
    const waiting = await waitBackupPhase(ns.name, "early", "Pending");
    expect(waiting.status?.message).toBe(
      `waiting for FinanceTracker late, which does not exist in namespace ${ns.name}`,
    );
    expect(kubectl(["get", "ftb", "early", "-n", ns.name])).toMatch(/early\s+late\s+Pending/);

    applyTracker(ns.name, "late", {
      app: { adminEmail },
      backup: { schedule: "0 3 * * *", destination: { s3: { ...s3, prefix: "tenants/late" } } },
    });

    const done = await completed("early");
    expect(done.status?.key).toBe("tenants/late/early.dump");
  });

  it("lets backup pods reach only the tenant's PostgreSQL, DNS and the bucket's Service", async () => {
    const policy = await networking.readNamespacedNetworkPolicy({
      namespace: ns.name,
      name: "acme-backup",
    });
    expect(policy.spec?.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec?.ingress ?? []).toEqual([]);
    const egress = policy.spec?.egress ?? [];
    const peers = egress.flatMap((r) => r.to ?? []);
    const pods = peers.flatMap((p) => (p.podSelector ? [p] : []));
    expect(pods.map((p) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"])).toEqual([
      "postgres",
    ]);
    expect(egress.flatMap((r) => r.ports ?? []).map((p) => p.port)).toEqual([
      5432, 53, 53, 5353, 5353, 9000,
    ]);
    // The endpoint is the Service minio.storage.svc: its pods are reached through their namespace,
    // which every CNI matches, and no ipBlock opens the bucket's port to the world.
    const bucket = egress.find((r) => r.ports?.some((p) => p.port === 9000));
    expect(bucket?.to).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "storage" } } },
    ]);
    expect(peers.filter((p) => p.ipBlock)).toEqual([]);
    const postgres = await networking.readNamespacedNetworkPolicy({
      namespace: ns.name,
      name: "acme-postgres",
    });
    expect(JSON.stringify(postgres.spec?.ingress)).toContain("backup");
  });

  it("restores a new tenant's database before its app is deployed", async () => {
    applyTracker(ns.name, "restored", {
      app: { adminEmail },
      restore: { from: { s3, backup: "before-upgrade" } },
    });
    const restoreJob = await eventually(
      "the restore Job",
      () => batch.readNamespacedJob({ namespace: ns.name, name: "restored-restore" }),
      { intervalMs: 50 },
    );
    expect(restoreJob.spec?.template.spec?.containers[0]?.args).toEqual([
      "restore",
      "--name",
      "before-upgrade",
    ]);
    const tracker = await waitReady(ns.name, "restored");
    const app = await apps.readNamespacedDeployment({ namespace: ns.name, name: "restored-app" });
    const finished = await eventually("the restore Job's completion time", async () => {
      const job = await batch
        .readNamespacedJob({ namespace: ns.name, name: "restored-restore" })
        .catch(() => restoreJob);
      const completion = job.status?.completionTime ?? restoreJob.status?.completionTime;
      return completion;
    });
    if (finished) {
      expect(new Date(app.metadata?.creationTimestamp ?? 0).getTime()).toBeGreaterThanOrEqual(
        new Date(finished).getTime() - 1000,
      );
    }
    expect(tracker.status?.phase).toBe("Ready");
    // Done, the Job is no longer wanted; the app stays whatever becomes of it.
    await eventually("the finished restore Job pruned", async () => {
      const jobs = await batch.listNamespacedJob({
        namespace: ns.name,
        labelSelector: "fintrack.dev/restore=restored",
      });
      expect(jobs.items.filter((j) => !j.metadata?.deletionTimestamp)).toEqual([]);
    });
    await apps.readNamespacedDeployment({ namespace: ns.name, name: "restored-app" });
  });
});
