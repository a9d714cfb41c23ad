import type { V1Deployment, V1Ingress, V1StatefulSet } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import type { TrackerBackup } from "../../src/backup/status.ts";
import { childNames } from "../../src/names.ts";
import { tenantUrl } from "../../src/resources/ingress/ingress.ts";
import { age, bytes, replicas, table } from "./format.ts";

/**
 * An Event as the API server sends it. client-node's model types its timestamps as Date, but
 * plain JSON reads (ours) keep them strings.
 */
export interface WarningEvent {
  involvedObject: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  metadata: { creationTimestamp?: string };
}

/** What the cluster says about one tenant and its children, read at one moment. */
export interface TenantSnapshot {
  tracker: FinanceTracker;
  postgres: V1StatefulSet | undefined;
  redis: V1Deployment | undefined;
  app: V1Deployment | undefined;
  ingress: V1Ingress | undefined;
  /** The tenant's NetworkPolicies, by name. */
  networkPolicies: string[];
  serviceMonitor: "present" | "absent" | "crd-not-installed";
  /** The FinanceTrackerBackup that status.lastBackup names, when it still exists. */
  lastBackup: TrackerBackup | undefined;
  /** Backups of this tenant that have not finished yet. */
  backupsInProgress: TrackerBackup[];
  /** Warning events about the tenant and its children. */
  warnings: WarningEvent[];
}

/** The most warnings shown: the screen is a summary, `kubectl events` has the rest. */
export const warningsShown = 5;

/** The `status` screen: the tenant, its parts, its last backup, conditions and warnings. */
export function renderStatus(snapshot: TenantSnapshot, now: Date): string[] {
  return [
    ...tenantSection(snapshot.tracker),
    "",
    "Parts:",
    ...table([["PART", "NAME", "READY", "DETAILS"], ...partRows(snapshot)]),
    "",
    ...backupSection(snapshot, now),
    "",
    ...conditionsSection(snapshot.tracker, now),
    "",
    ...warningsSection(snapshot.warnings, now),
  ];
}

function tenantSection(tracker: FinanceTracker): string[] {
  const { metadata, spec, status } = tracker;
  const observed = status?.observedGeneration;
  const rows: [string, string][] = [
    ["Tenant:", `${metadata.name} (namespace ${metadata.namespace})`],
    ["Phase:", status?.phase ?? "Pending (not reconciled yet)"],
    ["PostgreSQL:", postgresLine(tracker)],
    ["URL:", status?.url ?? tenantUrl(tracker)],
    ["Admin:", spec.app.adminEmail],
    [
      "Generation:",
      `${String(metadata.generation ?? "-")}${observed === undefined ? "" : `, observed ${String(observed)}`}`,
    ],
    ["Credentials:", credentialsLine(tracker)],
  ];
  return table(rows, "");
}

function postgresLine(tracker: FinanceTracker): string {
  const postgres = tracker.status?.postgres;
  const running = postgres?.version ?? tracker.spec.postgres.version;
  const wanted = tracker.spec.postgres.version;
  const parts = [String(running)];
  if (postgres?.upgrade) {
    const u = postgres.upgrade;
    parts.push(`upgrading ${String(u.from)} -> ${String(u.to)}: ${u.phase}, ${u.message}`);
  } else if (running !== wanted) {
    parts.push(`(spec asks for ${String(wanted)})`);
  }
  if (postgres?.rollbackVersion !== undefined)
    parts.push(`(can still roll back to ${String(postgres.rollbackVersion)})`);
  return parts.join(" ");
}

function credentialsLine(tracker: FinanceTracker): string {
  const credentials = tracker.status?.credentials;
  const rotation = credentials?.rotation;
  if (rotation) return `rotation ${rotation.request}: ${rotation.phase}, ${rotation.message}`;
  const last = credentials?.lastRotation;
  return last ? `last rotated ${last.time} (request ${last.request})` : "never rotated";
}

function partRows(snapshot: TenantSnapshot): string[][] {
  const { tracker } = snapshot;
  const names = childNames(tracker.metadata.name);
  const components = tracker.status?.components;
  const note = (c: { ready: boolean; message?: string | undefined } | undefined) =>
    c && !c.ready && c.message ? `, ${c.message}` : "";
  const sts = snapshot.postgres;
  const rows: string[][] = [
    sts
      ? [
          "PostgreSQL",
          names.postgres,
          replicas(sts.status?.readyReplicas, sts.spec?.replicas),
          `StatefulSet, ${tracker.spec.postgres.storage.size}${note(components?.postgres)}`,
        ]
      : ["PostgreSQL", names.postgres, "-", "StatefulSet not created"],
    deploymentRow("Redis", names.redis, snapshot.redis, note(components?.redis)),
    deploymentRow(
      "App",
      names.app,
      snapshot.app,
      note(components?.app),
      tracker.spec.restore && !snapshot.app ? "waiting for the restore" : undefined,
    ),
    ingressRow(snapshot, names.app),
    [
      "NetworkPolicies",
      "-",
      String(snapshot.networkPolicies.length),
      snapshot.networkPolicies.length > 0
        ? [...snapshot.networkPolicies].sort().join(", ")
        : "none",
    ],
    ["ServiceMonitor", names.app, "-", serviceMonitorDetails(snapshot)],
  ];
  return rows;
}

function deploymentRow(
  part: string,
  name: string,
  deployment: V1Deployment | undefined,
  note: string,
  absentBecause?: string,
): string[] {
  if (!deployment) return [part, name, "-", `Deployment ${absentBecause ?? "not created"}`];
  const ready = replicas(deployment.status?.readyReplicas, deployment.spec?.replicas);
  return [part, name, ready, `Deployment${note}`];
}

function ingressRow(snapshot: TenantSnapshot, name: string): string[] {
  const wanted = snapshot.tracker.spec.ingress;
  if (!wanted) return ["Ingress", "-", "-", "not configured (spec.ingress unset)"];
  if (!snapshot.ingress) return ["Ingress", name, "-", `${wanted.host}, not created`];
  const hosts = (snapshot.ingress.spec?.rules ?? []).flatMap((r) => (r.host ? [r.host] : []));
  const tls = (snapshot.ingress.spec?.tls ?? []).length > 0 ? ", TLS" : "";
  const address = snapshot.ingress.status?.loadBalancer?.ingress?.[0];
  const at = address ? `, address ${address.ip ?? address.hostname ?? ""}` : ", no address yet";
  return ["Ingress", name, "-", `${hosts.join(", ")}${tls}${at}`];
}

function serviceMonitorDetails(snapshot: TenantSnapshot): string {
  if (!snapshot.tracker.spec.monitoring.serviceMonitor) return "disabled in spec.monitoring";
  if (snapshot.serviceMonitor === "crd-not-installed")
    return "Prometheus Operator not installed (no ServiceMonitor CRD)";
  return snapshot.serviceMonitor === "present" ? "present" : "not created";
}

function backupSection(snapshot: TenantSnapshot, now: Date): string[] {
  const running = snapshot.backupsInProgress.map(
    (b) => `  In progress: ${b.metadata.name} (${b.status?.phase ?? "Pending"})`,
  );
  return ["Last backup:", ...lastBackupLines(snapshot, now), ...running];
}

function lastBackupLines({ tracker, lastBackup }: TenantSnapshot, now: Date): string[] {
  const last = tracker.status?.lastBackup;
  const schedule = tracker.spec.backup?.schedule;
  if (!last) {
    if (!schedule) return ["  none: no spec.backup, so no destination to back up to"];
    return [`  none yet (schedule ${schedule} UTC)`];
  }
  const stored = lastBackup?.status;
  return table(
    [
      ["Name:", last.name],
      ["Finished:", `${last.time} (${age(last.time, now)} ago)`],
      ["Size:", bytes(stored?.size)],
      ["Verified:", verifiedText(last.verified, stored?.verification?.message)],
      ...(stored?.key ? [["Stored as:", stored.key]] : []),
    ],
    "  ",
  );
}

function verifiedText(verified: boolean, message: string | undefined): string {
  if (verified) return "yes, restored into a throwaway PostgreSQL and compared";
  return message ? `no: ${message}` : "no";
}

function conditionsSection(tracker: FinanceTracker, now: Date): string[] {
  const conditions = tracker.status?.conditions ?? [];
  if (conditions.length === 0) return ["Conditions:", "  none reported yet"];
  return [
    "Conditions:",
    ...table([
      ["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"],
      ...conditions.map((c) => [
        c.type,
        c.status,
        c.reason,
        age(c.lastTransitionTime, now),
        c.message,
      ]),
    ]),
  ];
}

/** When an event last happened: the newest of the timestamps an event may carry. */
export function eventTime(event: WarningEvent): string | undefined {
  return (
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata.creationTimestamp
  );
}

function warningsSection(warnings: readonly WarningEvent[], now: Date): string[] {
  if (warnings.length === 0) return ["Recent warnings:", "  none"];
  const newest = [...warnings]
    .sort((a, b) => Date.parse(eventTime(b) ?? "") - Date.parse(eventTime(a) ?? ""))
    .slice(0, warningsShown);
  return [
    "Recent warnings:",
    ...table([
      ["AGE", "OBJECT", "REASON", "MESSAGE"],
      ...newest.map((e) => [
        age(eventTime(e), now),
        `${e.involvedObject.kind ?? "?"}/${e.involvedObject.name ?? "?"}`,
        `${e.reason ?? ""}${(e.count ?? 1) > 1 ? ` (x${String(e.count)})` : ""}`,
        e.message?.trim() ?? "",
      ]),
    ]),
  ];
}
