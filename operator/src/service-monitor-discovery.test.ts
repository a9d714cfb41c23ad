import { describe, expect, it } from "vitest";
import {
  followUpSighting,
  notYetChecked,
  sightingIsFresh,
  type ServiceMonitorSighting,
} from "./service-monitor-discovery.ts";

const seenAbsent: ServiceMonitorSighting = { available: false, checkedAt: 1_000 };
const seenPresent: ServiceMonitorSighting = { available: true, checkedAt: 1_000 };

describe("sightingIsFresh", () => {
  it.each([
    { what: "never checked", last: notYetChecked, now: 5_000, maxAgeMs: 30_000, fresh: false },
    { what: "checked 29 s ago", last: seenAbsent, now: 30_000, maxAgeMs: 30_000, fresh: true },
    { what: "checked 30 s ago", last: seenAbsent, now: 31_000, maxAgeMs: 30_000, fresh: false },
    {
      what: "a forced recheck (max age 0)",
      last: seenPresent,
      now: 1_000,
      maxAgeMs: 0,
      fresh: false,
    },
  ])("$what: fresh $fresh", ({ last, now, maxAgeMs, fresh }) => {
    expect(sightingIsFresh(last, now, maxAgeMs)).toBe(fresh);
  });
});

describe("followUpSighting", () => {
  it.each([
    {
      what: "the CRD missing at startup: nothing to watch, nothing to redo",
      last: notYetChecked,
      available: false,
      informerRunning: false,
      expected: { startInformer: false, reconcileAll: false },
    },
    {
      what: "the CRD present at startup: watch ServiceMonitors, tenants are reconciled anyway",
      last: notYetChecked,
      available: true,
      informerRunning: false,
      expected: { startInformer: true, reconcileAll: false },
    },
    {
      what: "the CRD installed while running: watch them and reconcile every tenant now",
      last: seenAbsent,
      available: true,
      informerRunning: false,
      expected: { startInformer: true, reconcileAll: true },
    },
    {
      what: "the CRD still there: nothing changes",
      last: seenPresent,
      available: true,
      informerRunning: true,
      expected: { startInformer: false, reconcileAll: false },
    },
    {
      what: "the CRD removed while running: every tenant says monitoring is unavailable",
      last: seenPresent,
      available: false,
      informerRunning: true,
      expected: { startInformer: false, reconcileAll: true },
    },
    {
      what: "the CRD back after a removal: the informer already runs, tenants are redone",
      last: seenAbsent,
      available: true,
      informerRunning: true,
      expected: { startInformer: false, reconcileAll: true },
    },
  ])("$what", ({ last, available, informerRunning, expected }) => {
    expect(followUpSighting(last, available, informerRunning)).toEqual(expected);
  });
});
