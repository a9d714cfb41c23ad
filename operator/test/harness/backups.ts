import { CoreV1Api, CustomObjectsApi, type CoreV1Event } from "@kubernetes/client-node";
import { expect, inject } from "vitest";
import type { TrackerBackup } from "../../src/backup/status.ts";
import { statusCode } from "./api-errors.ts";
import { adminKubeConfig, kubectl } from "./cluster.ts";
import { eventually } from "./eventually.ts";
import "./context.ts";

/** The fully qualified resource, so another CRD with the same short name never gets in the way. */
export const backupResource = "financetrackerbackups.fintrack.dev";

/**
 * The Secret a test tenant's S3 destination names (`credentialsSecretRef`): the keys the backup
 * Jobs read, with the moto server's test credentials.
 */
export function createS3CredentialsSecret(namespace: string, name: string): void {
  kubectl([
    "create",
    "secret",
    "generic",
    name,
    "-n",
    namespace,
    "--from-literal=AWS_ACCESS_KEY_ID=test",
    "--from-literal=AWS_SECRET_ACCESS_KEY=test-secret",
  ]);
}

/** Applies a FinanceTrackerBackup as a user would (`kubectl apply --server-side`). */
export function applyBackup(
  namespace: string,
  name: string,
  spec: object,
  labels: Record<string, string> = {},
): void {
  kubectl(
    ["apply", "--server-side", "--field-manager", "platform-team", "-n", namespace, "-f", "-"],
    JSON.stringify({
      apiVersion: "fintrack.dev/v1alpha1",
      kind: "FinanceTrackerBackup",
      metadata: { name, labels },
      spec,
    }),
  );
}

/** Deletes a FinanceTrackerBackup without waiting for its finalizers. */
export function deleteBackup(namespace: string, name: string): void {
  kubectl(["delete", backupResource, name, "-n", namespace, "--wait=false"]);
}

/** A fresh read of a FinanceTrackerBackup, or undefined once it is gone. */
export async function readBackup(
  namespace: string,
  name: string,
): Promise<TrackerBackup | undefined> {
  const custom = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CustomObjectsApi);
  try {
    return (await custom.getNamespacedCustomObject({
      group: "fintrack.dev",
      version: "v1alpha1",
      plural: "financetrackerbackups",
      namespace,
      name,
    })) as TrackerBackup;
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw error;
  }
}

/** Waits until a FinanceTrackerBackup reaches `phase`; returns it then. */
export function waitBackupPhase(
  namespace: string,
  name: string,
  phase: string,
  timeoutMs = 60_000,
): Promise<TrackerBackup> {
  return eventually(
    `backup ${name} ${phase}`,
    async () => {
      const backup = await readBackup(namespace, name);
      expect(backup?.status?.phase).toBe(phase);
      if (!backup) throw new Error(`no backup ${name}`);
      return backup;
    },
    { timeoutMs },
  );
}

/** Waits until a FinanceTrackerBackup is gone. */
export function waitBackupGone(namespace: string, name: string): Promise<void> {
  return eventually(`backup ${name} gone`, async () => {
    expect(await readBackup(namespace, name)).toBeUndefined();
  });
}

/** The Events recorded about one object, oldest first. */
export async function eventsAbout(namespace: string, name: string): Promise<CoreV1Event[]> {
  const core = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CoreV1Api);
  const list = await core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}
