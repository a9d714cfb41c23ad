import type { Condition } from "./api/v1alpha1.ts";

/**
 * The catalogue of condition types and reasons the operator reports on a FinanceTracker. Reasons
 * are stable CamelCase words that alerts and scripts may match on; messages are for people.
 */
export const conditionTypes = {
  ready: "Ready",
  progressing: "Progressing",
  degraded: "Degraded",
  monitoring: "MonitoringReady",
  backupHealthy: "BackupHealthy",
  /** On a FinanceTrackerBackup being deleted with spec.deleteStoredBackup. */
  storedBackupDeleted: "StoredBackupDeleted",
} as const;

export const reasons = {
  allComponentsReady: "AllComponentsReady",
  componentsNotReady: "ComponentsNotReady",
  rollingOut: "RollingOut",
  reconcileComplete: "ReconcileComplete",
  paused: "Paused",
  deleting: "Deleting",
  asExpected: "AsExpected",
  invalidSpec: "InvalidSpec",
  missingPrerequisite: "MissingPrerequisite",
  namespaceTerminating: "NamespaceTerminating",
  reconcileError: "ReconcileError",
  upgradingPostgres: "UpgradingPostgres",
  majorUpgradeFailed: "MajorUpgradeFailed",
  majorDowngradeUnsupported: "MajorDowngradeUnsupported",
  credentialsMissing: "CredentialsMissing",
  credentialsMismatch: "CredentialsMismatch",
  rotatingCredentials: "RotatingCredentials",
  credentialsRotationFailed: "CredentialsRotationFailed",
  serviceMonitorReady: "ServiceMonitorReady",
  prometheusOperatorNotInstalled: "PrometheusOperatorNotInstalled",
  monitoringDisabled: "MonitoringDisabled",
  backupSucceeded: "BackupSucceeded",
  backupFailed: "BackupFailed",
  verificationFailed: "VerificationFailed",
  backupStale: "BackupStale",
  noBackupYet: "NoBackupYet",
  restoring: "Restoring",
  restoreFailed: "RestoreFailed",
  deletingStoredBackup: "DeletingStoredBackup",
  storedBackupDeleteFailed: "StoredBackupDeleteFailed",
  storedBackupDeleted: "StoredBackupDeleted",
  storedBackupKept: "StoredBackupKept",
} as const;

export type Reason = (typeof reasons)[keyof typeof reasons];

/** A condition as computed, before timestamps: what it says, not when it started saying it. */
export interface ConditionInput {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: Reason;
  message: string;
}

/**
 * Merges freshly computed conditions into the previous ones. `lastTransitionTime` moves only
 * when a condition's status flips (kubebuilder's meta.SetStatusCondition rule), so a stable
 * tenant keeps a stable status and the operator writes nothing.
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  observedGeneration: number | undefined,
  now: string,
): Condition[] {
  return next.map((condition) => {
    const before = previous?.find((p) => p.type === condition.type);
    const lastTransitionTime =
      before?.status === condition.status ? before.lastTransitionTime : now;
    return {
      ...condition,
      lastTransitionTime,
      ...(observedGeneration === undefined ? {} : { observedGeneration }),
    };
  });
}

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
