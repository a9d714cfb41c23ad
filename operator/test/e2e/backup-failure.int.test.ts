import { BatchV1Api, NetworkingV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  applyBackup,
  deleteBackup,
  eventsAbout,
  readBackup,
  waitBackupGone,
  waitBackupPhase,
  createS3CredentialsSecret,
} from "../harness/backups.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import { applyTracker, conditionOf, readTracker } from "../harness/trackers.ts";
import { expectRestrictedPodSpec } from "../fixtures/restricted.ts";

// Under kwok no container runs: hack/kwok/job-pod-fail.yaml fails a backup-program pod the way
// the real program would when its bucket endpoint cannot resolve, and `.invalid` never does.
const reachable = "http://minio.storage.svc:9000";
const unreachable = "http://s3.invalid:9000";

describe.skipIf(!clusterRunsControllers())("backups that fail", () => {
  const ns = useNamespace("backup-failure");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const batch = kc.makeApiClient(BatchV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  let operator: OperatorProcess;

  const shop = (endpoint: string) => ({
    app: { adminEmail: "owner@shop.example" },
    // 03:00 UTC: no scheduled run gets in the way of the on-demand ones below.
    backup: {
      schedule: "0 3 * * *",
      destination: {
        s3: {
          bucket: "fintrack-backups",
          prefix: "tenants/shop",
          endpoint,
          forcePathStyle: true,
          credentialsSecretRef: { name: "shop-s3" },
        },
      },
    },
  });

  beforeAll(async () => {
    installCrd();
    createS3CredentialsSecret(ns.name, "shop-s3");
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
    applyTracker(ns.name, "shop", shop(reachable));
    applyBackup(ns.name, "shop-stored", {
      trackerRef: { name: "shop" },
      deleteStoredBackup: true,
    });
    await waitBackupPhase(ns.name, "shop-stored", "Completed");
    await eventually("the stored-backup finalizer", async () => {
      const b = await readBackup(ns.name, "shop-stored");
      expect(b?.metadata.finalizers).toContain("fintrack.dev/stored-backup");
    });
    // From here on the bucket cannot be reached: every new backup or delete Job fails.
    applyTracker(ns.name, "shop", shop(unreachable));
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  it("reports a failed backup Job on the backup and as BackupHealthy False on the tenant", async () => {
    applyBackup(ns.name, "shop-broken", { trackerRef: { name: "shop" } });

    const failed = await waitBackupPhase(ns.name, "shop-broken", "Failed");

    expect(failed.status?.message).toBe("getaddrinfo ENOTFOUND s3.invalid");
    expect(failed.status?.key).toBeUndefined();
    expect(kubectl(["get", "ftb", "shop-broken", "-n", ns.name])).toMatch(/shop\s+Failed/);
    const tracker = await eventually("BackupHealthy False", async () => {
      const t = await readTracker(ns.name, "shop");
      expect(conditionOf(t, "BackupHealthy")?.status).toBe("False");
      return t;
    });
    expect(conditionOf(tracker, "BackupHealthy")).toMatchObject({
      reason: "BackupFailed",
      message: "backup shop-broken failed: getaddrinfo ENOTFOUND s3.invalid",
    });
    // The last good backup is still the last good backup.
    expect(tracker.status?.lastBackup?.name).toBe("shop-stored");
  });

  it("keeps a backup whose stored object could not be deleted, says why, and lets it go when told to keep it", async () => {
    deleteBackup(ns.name, "shop-stored");

    const stuck = await eventually(
      "StoredBackupDeleted False",
      async () => {
        const b = await readBackup(ns.name, "shop-stored");
        const condition = b?.status?.conditions?.find((c) => c.type === "StoredBackupDeleted");
        expect(condition?.reason).toBe("StoredBackupDeleteFailed");
        return { backup: b, condition };
      },
      { timeoutMs: 90_000 },
    );
    expect(stuck.backup?.metadata.deletionTimestamp).toBeDefined();
    expect(stuck.backup?.metadata.finalizers).toContain("fintrack.dev/stored-backup");
    expect(stuck.condition?.message).toMatch(
      /^deleting tenants\/shop\/shop-stored\.dump failed in Job shop-stored-delete: getaddrinfo ENOTFOUND s3\.invalid; retrying at .*, or set spec\.deleteStoredBackup to false/,
    );
    const events = await eventually("a StoredBackupDeleteFailed Event", async () => {
      const found = (await eventsAbout(ns.name, "shop-stored")).filter(
        (e) => e.reason === "StoredBackupDeleteFailed",
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(events[0]?.type).toBe("Warning");

    // The Job that failed: the backup program's delete by key, restricted, a backup pod to the
    // tenant's NetworkPolicy (which lets it reach DNS and the bucket's port, nothing else).
    const job = await batch.readNamespacedJob({ namespace: ns.name, name: "shop-stored-delete" });
    const pod = job.spec?.template.spec;
    if (!pod) throw new Error("no pod template");
    expect(pod.containers[0]?.args).toEqual(["delete", "--key", "tenants/shop/shop-stored.dump"]);
    expectRestrictedPodSpec(pod);
    const policy = await networking.readNamespacedNetworkPolicy({
      namespace: ns.name,
      name: "shop-backup",
    });
    expect(job.spec?.template.metadata?.labels).toMatchObject(
      policy.spec?.podSelector?.matchLabels ?? { missing: "selector" },
    );

    applyBackup(ns.name, "shop-stored", {
      trackerRef: { name: "shop" },
      deleteStoredBackup: false,
    });

    await waitBackupGone(ns.name, "shop-stored");
    expect(
      (await eventsAbout(ns.name, "shop-stored")).map((e) => [e.type, e.reason]),
    ).toContainEqual(["Normal", "StoredBackupKept"]);
  });
});
