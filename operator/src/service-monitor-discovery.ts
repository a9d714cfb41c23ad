/**
 * What the operator last learned about the Prometheus Operator's ServiceMonitor CRD. A
 * ServiceMonitor is an optional child: created and watched only while that CRD is installed, and
 * the CRD may come (or go) while the operator runs.
 */
export interface ServiceMonitorSighting {
  available: boolean;
  /** When the API server was last asked, in milliseconds since the epoch; 0 before the first. */
  checkedAt: number;
}

/** Before the first check: not available, and stale at once. */
export const notYetChecked: ServiceMonitorSighting = { available: false, checkedAt: 0 };

/** Whether the last sighting still answers at `now`, so the API server is not asked again. */
export function sightingIsFresh(
  last: ServiceMonitorSighting,
  now: number,
  maxAgeMs: number,
): boolean {
  return last.checkedAt !== 0 && now - last.checkedAt < maxAgeMs;
}

/** What the controller does after asking the API server again. */
export interface SightingFollowUp {
  /** Start the ServiceMonitor informer: the CRD is there and nothing watches its objects yet. */
  startInformer: boolean;
  /**
   * Reconcile every tenant now, not at the next resync: the CRD came or went, which changes each
   * tenant's desired ServiceMonitor and its MonitoringReady condition.
   */
  reconcileAll: boolean;
}

/** Decides what a fresh answer (`available`) means after the `last` one. */
export function followUpSighting(
  last: ServiceMonitorSighting,
  available: boolean,
  informerRunning: boolean,
): SightingFollowUp {
  return {
    startInformer: available && !informerRunning,
    // The first answer comes before any tenant is reconciled: there is nothing to redo.
    reconcileAll: last.checkedAt !== 0 && available !== last.available,
  };
}
