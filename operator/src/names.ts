import { createHash } from "node:crypto";
import type { FinanceTracker } from "./api/v1alpha1.ts";
import { apiVersion, kind } from "./api/v1alpha1.ts";

/**
 * The ONLY place where the names and labels of a tenant's children are formed. Every child carries
 * the recommended `app.kubernetes.io/*` labels; `instance` is the FinanceTracker's name and
 * `managed-by` is the operator, which is how prune finds what is ours.
 */

/** The parts of a tenant; `component` label values. */
export type Component =
  | "postgres"
  | "redis"
  | "app"
  | "backup"
  | "postgres-upgrade"
  // A credentials rotation's Jobs.
  | "credentials";

export const labelKeys = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
} as const;

export const partOf = "fintrack";
export const managedBy = "fintrack-operator";
export const fieldManager = "fintrack-operator";
export const finalizer = "fintrack.dev/finalizer";
/** Held on a FinanceTrackerBackup whose stored objects must be deleted before it goes. */
export const storedBackupFinalizer = "fintrack.dev/stored-backup";
/**
 * The field manager of that finalizer: scheduled backups are applied whole by `fieldManager`, and
 * an apply of the finalizer alone under that manager would drop their spec and labels.
 */
export const storedBackupFieldManager = "fintrack-operator-stored-backup";
export const pausedAnnotation = "fintrack.dev/paused";

/** The names of every child of one tenant. */
export interface ChildNames {
  credentialsSecret: string;
  postgres: string;
  postgresHeadless: string;
  postgresDataClaimTemplate: string;
  redis: string;
  app: string;
  serviceAccount: string;
  tlsSecret: string;
  networkPolicy: (component: Component) => string;
  /** PostgreSQL's data claim, as the StatefulSet controller names it (see statefulSetClaimName). */
  postgresDataClaim: string;
}

/** Every child's name for a tenant, derived from the FinanceTracker's name alone. */
export function childNames(trackerName: string): ChildNames {
  return {
    credentialsSecret: `${trackerName}-credentials`,
    postgres: `${trackerName}-postgres`,
    postgresHeadless: `${trackerName}-postgres-hl`,
    postgresDataClaimTemplate: "data",
    redis: `${trackerName}-redis`,
    app: `${trackerName}-app`,
    serviceAccount: `${trackerName}-app`,
    tlsSecret: `${trackerName}-tls`,
    networkPolicy: (component) => `${trackerName}-${component}`,
    postgresDataClaim: statefulSetClaimName("data", `${trackerName}-postgres`, 0),
  };
}

/** The claims the StatefulSet controller stamps from a claim template: `<template>-<sts>-<ordinal>`. */
export function statefulSetClaimName(template: string, statefulSet: string, ordinal: number) {
  return `${template}-${statefulSet}-${String(ordinal)}`;
}

/** The name of the backup taken before upgrading a tenant to `major`. */
export function preUpgradeBackupName(trackerName: string, major: number): string {
  return `${trackerName}-before-postgres-${String(major)}`;
}

/** The Job that copies PostgreSQL's data from one major to another. */
export function postgresCopyJobName(trackerName: string): string {
  return `${trackerName}-postgres-upgrade`;
}

/** One name per directory kept: a Job's template cannot change, so a new keep is a new Job. */
export function postgresPruneJobName(trackerName: string, keep: string): string {
  return `${trackerName}-postgres-prune-${keep}`;
}

/** The name of a tenant's restore Job. */
export function restoreJobName(trackerName: string): string {
  return `${trackerName}-restore`;
}

/** One credentials rotation Job per request and step: a later request never reads an earlier one's. */
export function rotationJobName(
  trackerName: string,
  request: string,
  step: "prepare" | "finish",
): string {
  const digest = createHash("sha256").update(request).digest("hex").slice(0, 6);
  return `${trackerName}-rotate-${digest}-${step}`;
}

/** The name of the scheduled backup for one run: `<tracker>-<yyyymmddhhmm>`, unique per run. */
export function scheduledBackupName(trackerName: string, run: Date): string {
  const stamp = run.toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return `${trackerName}-${stamp}`;
}

/** The name of the Job that takes one backup. */
export function backupJobName(backupName: string): string {
  return jobNameFor(backupName, "job");
}

/** The name of the Job that deletes one backup's stored objects. */
export function deleteJobName(backupName: string): string {
  return jobNameFor(backupName, "delete");
}

/** `<backup>-<suffix>` within the 63 characters Job names allow (its pods carry it as a label). */
function jobNameFor(backupName: string, suffix: string): string {
  if (backupName.length + suffix.length + 1 <= 63) return `${backupName}-${suffix}`;
  const hash = createHash("sha256").update(backupName).digest("hex").slice(0, 8);
  return `${backupName.slice(0, 53 - suffix.length)}-${hash}-${suffix}`;
}

/** The labels that select one component's pods; stable for the object's life (selectors are immutable). */
export function selectorLabels(trackerName: string, component: Component): Record<string, string> {
  return {
    [labelKeys.name]: "fintrack",
    [labelKeys.instance]: trackerName,
    [labelKeys.component]: component,
  };
}

/** All labels a child of this component carries. */
export function childLabels(trackerName: string, component: Component): Record<string, string> {
  return {
    ...selectorLabels(trackerName, component),
    [labelKeys.partOf]: partOf,
    [labelKeys.managedBy]: managedBy,
  };
}

/** The label selector that lists every child of one tenant (what prune looks at). */
export function tenantSelector(trackerName: string): string {
  return `${labelKeys.instance}=${trackerName},${labelKeys.managedBy}=${managedBy}`;
}

/** The label selector that lists every child of every tenant (what the informers watch). */
export const managedSelector = `${labelKeys.managedBy}=${managedBy}`;

/** The serving components, whose pods say why a component is not ready. */
const servingComponents: readonly Component[] = ["postgres", "redis", "app"];

/**
 * The pods the operator caches: those of every tenant's serving components (their templates
 * carry `childLabels`). Backup Job pods are left out: they come and go with every backup.
 */
export const servingPodSelector = `${managedSelector},${labelKeys.instance},${labelKeys.component} in (${servingComponents.join(",")})`;

/** The owner reference every child carries: it makes the FinanceTracker the controller. */
export function ownerReference(tracker: FinanceTracker): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: true;
  blockOwnerDeletion: true;
} {
  return {
    apiVersion,
    kind,
    name: tracker.metadata.name,
    uid: tracker.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Standard metadata of a child: name, namespace, labels and the controller owner reference. */
export function childMetadata(
  tracker: FinanceTracker,
  component: Component,
  name: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: ReturnType<typeof ownerReference>[];
} {
  return {
    name,
    namespace: tracker.metadata.namespace,
    labels: { ...extra.labels, ...childLabels(tracker.metadata.name, component) },
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    ownerReferences: [ownerReference(tracker)],
  };
}
