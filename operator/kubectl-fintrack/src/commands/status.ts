import type {
  V1Deployment,
  V1Ingress,
  V1NetworkPolicy,
  V1StatefulSet,
} from "@kubernetes/client-node";
import type { TrackerBackup } from "../../../src/backup/status.ts";
import { childNames, tenantSelector } from "../../../src/names.ts";
import type { Command } from "../cli.ts";
import { resources, type Cluster } from "../cluster.ts";
import { renderStatus, type TenantSnapshot, type WarningEvent } from "../status-view.ts";
import { readTenant, trackerBackups } from "../tenants.ts";

const unfinished = new Set(["Pending", "Running", undefined]);

/** Reads the tenant and everything the status screen shows, in parallel. */
export async function observeTenant(cluster: Cluster, name: string): Promise<TenantSnapshot> {
  const tracker = await readTenant(cluster, name);
  const names = childNames(name);
  const ownSelector = { labelSelector: tenantSelector(name) };
  const lastBackupName = tracker.status?.lastBackup?.name;
  const [postgres, redis, app, ingress, policies, monitorCrd, backups, warnings] =
    await Promise.all([
      cluster.get<V1StatefulSet>(resources.statefulSets, names.postgres),
      cluster.get<V1Deployment>(resources.deployments, names.redis),
      cluster.get<V1Deployment>(resources.deployments, names.app),
      cluster.get<V1Ingress>(resources.ingresses, names.app),
      cluster.list<V1NetworkPolicy>(resources.networkPolicies, ownSelector),
      cluster.exists(resources.crds, "servicemonitors.monitoring.coreos.com"),
      cluster.list<TrackerBackup>(trackerBackups),
      cluster.list<WarningEvent>(resources.events, { fieldSelector: "type=Warning" }),
    ]);
  const serviceMonitor =
    monitorCrd === false
      ? "crd-not-installed"
      : (await cluster.get(resources.serviceMonitors, names.app))
        ? "present"
        : "absent";
  const mine = backups.filter((b) => b.spec.trackerRef.name === name);
  return {
    tracker,
    postgres,
    redis,
    app,
    ingress,
    networkPolicies: policies.flatMap((p) => (p.metadata?.name ? [p.metadata.name] : [])),
    serviceMonitor,
    lastBackup: mine.find((b) => b.metadata.name === lastBackupName),
    backupsInProgress: mine.filter((b) => unfinished.has(b.status?.phase)),
    warnings: warnings.filter((e) => isAbout(e, name)),
  };
}

/** Whether an event is about the tenant or one of its children (named `<tenant>-...`). */
function isAbout(event: WarningEvent, tenant: string): boolean {
  const object = event.involvedObject.name ?? "";
  return object === tenant || object.startsWith(`${tenant}-`);
}

export const statusCommand: Command = {
  name: "status",
  args: ["<tenant>"],
  summary: "Show a tenant at a glance: its parts, last backup, conditions and recent warnings.",
  description:
    "Reads the FinanceTracker and its children (PostgreSQL StatefulSet, Redis and app Deployments,\nIngress, NetworkPolicies, ServiceMonitor), its newest backup and the Warning events about them.",
  flags: {},
  examples: ["kubectl fintrack status acme -n tenant-acme"],
  run: async ({ args: [name = ""], cluster, io }) => {
    const snapshot = await observeTenant(cluster(), name);
    for (const line of renderStatus(snapshot, new Date())) io.out(line);
    return 0;
  },
};
