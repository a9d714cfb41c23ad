import { CoordinationV1Api, V1MicroTime } from "@kubernetes/client-node";
import { afterEach, describe, expect, inject, it } from "vitest";
import { statusCode, statusMessage } from "../../test/harness/api-errors.ts";
import { adminKubeConfig } from "../../test/harness/cluster.ts";
import { eventually } from "../../test/harness/eventually.ts";
import { useNamespace } from "../../test/harness/namespace.ts";
import { LeaderElector, leaseRecord } from "./leader-election.ts";

describe("leader election on a real Lease", () => {
  const ns = useNamespace("le", "restricted");
  const kubeConfig = adminKubeConfig(inject("cluster").kubeconfig);
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const started: LeaderElector[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((elector) => elector.stop()));
  });

  function candidate(name: string, identity: string) {
    const errors: unknown[] = [];
    const elector = new LeaderElector({
      kubeConfig,
      namespace: ns.name,
      name,
      identity,
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 0.5,
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
      onError: (error) => errors.push(error),
    });
    started.push(elector);
    void elector.run();
    return { elector, errors };
  }

  async function holder(name: string) {
    return leaseRecord(await leases.readNamespacedLease({ name, namespace: ns.name }));
  }

  async function theLeader(name: string, candidates: { elector: LeaderElector }[]) {
    return eventually(`one leader of Lease ${name}`, () => {
      const leaders = candidates.filter((c) => c.elector.isLeader());
      expect(leaders).toHaveLength(1);
      return leaders[0];
    });
  }

  it("is refused a MicroTime without microseconds, which is why V1MicroTime is used", async () => {
    const refused: unknown = await leases
      .createNamespacedLease({
        namespace: ns.name,
        body: { metadata: { name: "plain-date" }, spec: { renewTime: new Date() } },
      })
      .catch((e: unknown) => e);
    expect(statusCode(refused)).toBe(400);
    expect(statusMessage(refused)).toContain('as "2006-01-02T15:04:05.000000Z07:00"');

    const created = await leases.createNamespacedLease({
      namespace: ns.name,
      body: { metadata: { name: "micro-time" }, spec: { renewTime: new V1MicroTime() } },
    });
    expect(String(created.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
  });

  it("elects exactly one of two candidates, the one the Lease names", async () => {
    const a = candidate("one-leader", "replica-a");
    const b = candidate("one-leader", "replica-b");
    const leader = await theLeader("one-leader", [a, b]);
    const lease = await holder("one-leader");
    expect(lease.holderIdentity).toBe(leader === a ? "replica-a" : "replica-b");
    expect(lease.leaseDurationSeconds).toBe(3);
    expect(lease.leaseTransitions).toBe(0);
    // Still exactly one after several renewals.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect([a, b].filter((c) => c.elector.isLeader())).toEqual([leader]);
    expect((await holder("one-leader")).holderIdentity).toBe(lease.holderIdentity);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("hands over within a couple of seconds when the leader releases", async () => {
    const a = candidate("release", "replica-a");
    await theLeader("release", [a]);
    const b = candidate("release", "replica-b");
    await a.elector.release();
    expect(a.elector.isLeader()).toBe(false);
    await eventually(
      "replica-b to lead after the release",
      async () => {
        expect(b.elector.isLeader()).toBe(true);
        const lease = await holder("release");
        expect(lease.holderIdentity).toBe("replica-b");
        expect(lease.leaseTransitions).toBe(1);
      },
      { timeoutMs: 2000, intervalMs: 100 },
    );
  });

  it("takes over from a leader that stopped renewing once its Lease expires", async () => {
    const a = candidate("crash", "replica-a");
    await theLeader("crash", [a]);
    const b = candidate("crash", "replica-b");
    await a.elector.stop(); // as if the process died: no release
    const orphaned = await holder("crash");
    expect(orphaned.holderIdentity).toBe("replica-a");
    expect(b.elector.isLeader()).toBe(false);
    await eventually(
      "replica-b to lead after replica-a's Lease expired",
      async () => {
        expect(b.elector.isLeader()).toBe(true);
        const lease = await holder("crash");
        expect(lease.holderIdentity).toBe("replica-b");
        expect(lease.leaseTransitions).toBe(1);
        // Taken over only after renewTime + leaseDurationSeconds had passed.
        expect(lease.acquireTimeMs).toBeGreaterThan((orphaned.renewTimeMs ?? 0) + 3000);
      },
      { timeoutMs: 8000, intervalMs: 100 },
    );
  });
});
