import { describe, expect, it } from "vitest";
import { aTracker } from "../../test/fixtures/tracker.ts";
import type { TrackerBackup } from "../../src/backup/status.ts";
import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import { renderStatus, type TenantSnapshot, type WarningEvent } from "./status-view.ts";

const now = new Date("2026-12-06T12:00:00Z");
const s3 = { bucket: "acme-backups", credentialsSecretRef: { name: "acme-s3" } };

function aSnapshot(overrides: Partial<TenantSnapshot> = {}): TenantSnapshot {
  const tracker: FinanceTracker = {
    ...aTracker({ spec: { ingress: { host: "money.example.com" } } }),
    status: {
      phase: "Ready",
      url: "https://money.example.com",
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "AllComponentsReady",
          message: "all components are ready",
          lastTransitionTime: "2026-12-06T11:50:00Z",
        },
      ],
    },
  };
  return {
    tracker,
    postgres: { spec: { replicas: 1 } as never, status: { replicas: 1, readyReplicas: 1 } },
    redis: { spec: { replicas: 1 } as never, status: { readyReplicas: 1 } },
    app: { spec: { replicas: 2 } as never, status: { readyReplicas: 1 } },
    ingress: {
      spec: { rules: [{ host: "money.example.com" }], tls: [{ hosts: ["money.example.com"] }] },
    },
    networkPolicies: ["acme-redis", "acme-app", "acme-postgres"],
    serviceMonitor: "present",
    lastBackup: undefined,
    backupsInProgress: [],
    warnings: [],
    ...overrides,
  };
}

function section(lines: string[], title: string): string[] {
  const start = lines.indexOf(title);
  if (start === -1) throw new Error(`no section ${title}`);
  const end = lines.indexOf("", start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

function aWarning(overrides: Partial<WarningEvent>): WarningEvent {
  return {
    involvedObject: { kind: "Pod", name: "acme-app-1" },
    reason: "BackOff",
    message: "Back-off restarting failed container",
    metadata: {},
    ...overrides,
  };
}

describe("renderStatus", () => {
  it("heads the screen with the tenant's phase, PostgreSQL version and URL", () => {
    const lines = renderStatus(aSnapshot(), now);

    expect(lines[0]).toBe("Tenant:       acme (namespace tenant-acme)");
    expect(lines).toContain("Phase:        Ready");
    expect(lines).toContain("PostgreSQL:   18");
    expect(lines).toContain("URL:          https://money.example.com");
    expect(lines).toContain("Credentials:  never rotated");
  });

  it("shows each part with its replicas ready over desired", () => {
    const parts = section(renderStatus(aSnapshot(), now), "Parts:");

    expect(parts[0]).toMatch(/^ {2}PART +NAME +READY +DETAILS$/);
    expect(parts[1]).toMatch(/^ {2}PostgreSQL +acme-postgres +1\/1 +StatefulSet, 10Gi$/);
    expect(parts[2]).toMatch(/^ {2}Redis +acme-redis +1\/1 +Deployment$/);
    expect(parts[3]).toMatch(/^ {2}App +acme-app +1\/2 +Deployment$/);
    expect(parts[4]).toMatch(/Ingress +acme-app +- +money\.example\.com, TLS, no address yet$/);
    expect(parts[5]).toMatch(/NetworkPolicies +- +3 +acme-app, acme-postgres, acme-redis$/);
    expect(parts[6]).toMatch(/ServiceMonitor +acme-app +- +present$/);
  });

  it("says which parts are missing and why, and the operator's message for one not ready", () => {
    const base = aSnapshot();
    const snapshot = aSnapshot({
      tracker: {
        ...base.tracker,
        spec: { ...base.tracker.spec, ingress: undefined },
        status: {
          ...base.tracker.status,
          components: { redis: { ready: false, message: "redis: 0/1 available" } },
        },
      },
      postgres: undefined,
      redis: { spec: { replicas: 1 } as never, status: {} },
      serviceMonitor: "crd-not-installed",
    });

    const parts = section(renderStatus(snapshot, now), "Parts:");

    expect(parts[1]).toMatch(/PostgreSQL +acme-postgres +- +StatefulSet not created$/);
    expect(parts[2]).toMatch(/Redis +acme-redis +0\/1 +Deployment, redis: 0\/1 available$/);
    expect(parts[4]).toMatch(/Ingress +- +- +not configured \(spec.ingress unset\)$/);
    expect(parts[6]).toMatch(/Prometheus Operator not installed/);
  });

  it("shows the last backup's time, size and verification", () => {
    const base = aSnapshot();
    const tracker: FinanceTracker = {
      ...base.tracker,
      spec: aTracker({
        spec: {
          ingress: { host: "money.example.com" },
          backup: { schedule: "0 3 * * *", destination: { s3 } },
        },
      }).spec,
      status: {
        ...base.tracker.status,
        lastBackup: { name: "acme-202612060300", time: "2026-12-06T03:01:00Z", verified: true },
      },
    };
    const stored = {
      metadata: { name: "acme-202612060300" },
      spec: { trackerRef: { name: "acme" } },
      status: { phase: "Completed", size: 3 * 1024 * 1024, key: "acme/acme-202612060300.dump" },
    } as TrackerBackup;
    const running = {
      metadata: { name: "acme-20261206115900" },
      spec: { trackerRef: { name: "acme" } },
      status: { phase: "Running" },
    } as TrackerBackup;

    const backup = section(
      renderStatus(aSnapshot({ tracker, lastBackup: stored, backupsInProgress: [running] }), now),
      "Last backup:",
    );

    expect(backup).toEqual([
      "  Name:       acme-202612060300",
      "  Finished:   2026-12-06T03:01:00Z (8h ago)",
      "  Size:       3.0 MiB",
      "  Verified:   yes, restored into a throwaway PostgreSQL and compared",
      "  Stored as:  acme/acme-202612060300.dump",
      "  In progress: acme-20261206115900 (Running)",
    ]);
  });

  it("says when there is no backup, and why", () => {
    expect(section(renderStatus(aSnapshot(), now), "Last backup:")).toEqual([
      "  none: no spec.backup, so no destination to back up to",
    ]);
  });

  it("tables the conditions with reason, age and message", () => {
    const conditions = section(renderStatus(aSnapshot(), now), "Conditions:");

    expect(conditions).toEqual([
      "  TYPE   STATUS  REASON              AGE  MESSAGE",
      "  Ready  True    AllComponentsReady  10m  all components are ready",
    ]);
  });

  it("lists the newest warnings first, at most five, with repeat counts", () => {
    const warnings = Array.from({ length: 7 }, (_, i) =>
      aWarning({
        reason: `R${String(i)}`,
        lastTimestamp: `2026-12-06T11:5${String(i)}:00Z`,
        count: i === 6 ? 4 : 1,
      }),
    );

    const shown = section(renderStatus(aSnapshot({ warnings }), now), "Recent warnings:");

    expect(shown).toHaveLength(6);
    expect(shown[1]).toMatch(
      /^ {2}4m +Pod\/acme-app-1 +R6 \(x4\) +Back-off restarting failed container$/,
    );
    expect(shown[5]).toMatch(/R2 +Back-off/);
  });

  it("says so when there are no warnings", () => {
    expect(section(renderStatus(aSnapshot(), now), "Recent warnings:")).toEqual(["  none"]);
  });
});
