import { ApiException, type V1Lease } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetrics } from "../metrics.ts";
import {
  decide,
  heldLeaseSpec,
  LeaderElector,
  leaseRecord,
  microTimeMs,
  releasedLeaseSpec,
  type Decision,
  type LeaseApi,
  type LeaseRecord,
} from "./leader-election.ts";

const t0 = Date.parse("2026-03-01T12:00:00Z");

function aRecord(overrides: Partial<LeaseRecord> = {}): LeaseRecord {
  return {
    holderIdentity: "other",
    acquireTimeMs: t0 - 60_000,
    renewTimeMs: t0,
    leaseDurationSeconds: 15,
    leaseTransitions: 2,
    ...overrides,
  };
}

describe("decide", () => {
  it.each<[string, LeaseRecord | undefined, number, Decision]>([
    ["creates a missing Lease", undefined, t0, { action: "create" }],
    ["renews its own Lease", aRecord({ holderIdentity: "me" }), t0, { action: "renew" }],
    [
      "renews its own Lease even when it has expired",
      aRecord({ holderIdentity: "me" }),
      t0 + 60_000,
      { action: "renew" },
    ],
    [
      "acquires a released Lease at once",
      aRecord({ holderIdentity: "", leaseDurationSeconds: 1 }),
      t0,
      { action: "acquire", reason: "released" },
    ],
    [
      "waits while another holder's Lease is valid",
      aRecord(),
      t0 + 10_000,
      { action: "wait", holder: "other", expiresAtMs: t0 + 15_000 },
    ],
    [
      "still waits at the very end of the lease duration",
      aRecord(),
      t0 + 15_000,
      { action: "wait", holder: "other", expiresAtMs: t0 + 15_000 },
    ],
    [
      "acquires once renewTime + leaseDurationSeconds has passed",
      aRecord(),
      t0 + 15_001,
      { action: "acquire", reason: "expired" },
    ],
    [
      "acquires a Lease without renewTime",
      aRecord({ renewTimeMs: undefined }),
      t0,
      { action: "acquire", reason: "expired" },
    ],
    [
      "acquires a Lease without leaseDurationSeconds",
      aRecord({ leaseDurationSeconds: undefined }),
      t0,
      { action: "acquire", reason: "expired" },
    ],
  ])("%s", (_name, lease, now, decision) => {
    expect(decide(lease, "me", now)).toEqual(decision);
  });
});

describe("Lease specs", () => {
  it("counts a transition when taking over and keeps acquireTime when renewing", () => {
    const previous = aRecord();
    const acquired = heldLeaseSpec(
      { action: "acquire", reason: "expired" },
      previous,
      "me",
      t0 + 20_000,
      15,
    );
    expect(acquired.holderIdentity).toBe("me");
    expect(acquired.leaseTransitions).toBe(3);
    expect(acquired.acquireTime?.getTime()).toBe(t0 + 20_000);
    const renewed = heldLeaseSpec(
      { action: "renew" },
      aRecord({ holderIdentity: "me" }),
      "me",
      t0 + 2000,
      15,
    );
    expect(renewed.leaseTransitions).toBe(2);
    expect(renewed.acquireTime?.getTime()).toBe(t0 - 60_000);
    expect(renewed.renewTime?.getTime()).toBe(t0 + 2000);
    const created = heldLeaseSpec({ action: "create" }, undefined, "me", t0, 15);
    expect(created.leaseTransitions).toBe(0);
  });

  it("serializes acquireTime and renewTime with the six fractional digits MicroTime needs", () => {
    const spec = heldLeaseSpec({ action: "create" }, undefined, "me", t0 + 123, 15);
    expect(JSON.parse(JSON.stringify(spec))).toMatchObject({
      acquireTime: "2026-03-01T12:00:00.123000Z",
      renewTime: "2026-03-01T12:00:00.123000Z",
    });
  });

  it("releases with no holder, a one-second duration and the transitions kept", () => {
    const released = releasedLeaseSpec(aRecord({ holderIdentity: "me" }), t0);
    expect(released).toMatchObject({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      leaseTransitions: 2,
    });
    expect(released.renewTime?.getTime()).toBe(t0);
  });

  it("reads MicroTime fields whether client-node hands over strings or Dates", () => {
    expect(microTimeMs("2026-03-01T12:00:00.123456Z")).toBe(t0 + 123);
    expect(microTimeMs(new Date(t0))).toBe(t0);
    expect(microTimeMs("not a time")).toBeUndefined();
    expect(microTimeMs(undefined)).toBeUndefined();
    const lease: V1Lease = {
      spec: {
        renewTime: "2026-03-01T12:00:00.000000Z" as unknown as Date,
        leaseDurationSeconds: 3,
      },
    };
    expect(leaseRecord(lease)).toEqual({
      holderIdentity: "",
      acquireTimeMs: undefined,
      renewTimeMs: t0,
      leaseDurationSeconds: 3,
      leaseTransitions: 0,
    });
  });
});

/**
 * One Lease in memory with the API server's optimistic concurrency (resourceVersion, 409) and
 * its MicroTime parsing (400 unless six fractional digits); reads return what client-node would:
 * plain JSON, times as strings.
 */
function fakeLeaseServer() {
  let stored: V1Lease | undefined;
  let version = 0;
  let outage: "failing" | "hanging" | undefined;
  const conflicts: string[] = [];
  const settle = <T>(fn: () => T): Promise<T> => {
    if (outage === "hanging") return new Promise<T>(() => undefined);
    try {
      if (outage === "failing") throw new ApiException(503, "unavailable", "etcd is down", {});
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const admit = (body: V1Lease): V1Lease => {
    const wire = JSON.parse(JSON.stringify(body)) as V1Lease & {
      spec?: Record<string, unknown>;
    };
    for (const field of ["acquireTime", "renewTime"]) {
      const value = wire.spec?.[field];
      if (value !== undefined && !(typeof value === "string" && /\.\d{6}Z$/.test(value))) {
        throw new ApiException(400, "bad request", `parsing time ${JSON.stringify(value)}`, {});
      }
    }
    version += 1;
    stored = { ...wire, metadata: { ...wire.metadata, resourceVersion: String(version) } };
    return structuredClone(stored);
  };
  const api: LeaseApi = {
    readNamespacedLease: () =>
      settle(() => {
        if (!stored) throw new ApiException(404, "not found", "", {});
        return structuredClone(stored);
      }),
    createNamespacedLease: ({ body }) =>
      settle(() => {
        if (stored) throw new ApiException(409, "already exists", "", {});
        return admit(body);
      }),
    replaceNamespacedLease: ({ body }) =>
      settle(() => {
        if (body.metadata?.resourceVersion !== stored?.metadata?.resourceVersion) {
          conflicts.push(body.spec?.holderIdentity ?? "");
          throw new ApiException(409, "conflict", "", {});
        }
        return admit(body);
      }),
  };
  return {
    api,
    conflicts,
    lease: () => (stored ? leaseRecord(stored) : undefined),
    /** Another replica's write, bypassing the elector. */
    write: (record: LeaseRecord) => {
      admit({
        metadata: { name: "fintrack-operator", resourceVersion: stored?.metadata?.resourceVersion },
        spec: heldLeaseSpec(
          { action: "renew" },
          record,
          record.holderIdentity,
          record.renewTimeMs ?? Date.now(),
          record.leaseDurationSeconds ?? 15,
        ),
      });
    },
    setOutage: (kind: "failing" | "hanging" | undefined) => {
      outage = kind;
    },
  };
}

function anElector(
  server: ReturnType<typeof fakeLeaseServer>,
  identity: string,
  extra: { metrics?: ReturnType<typeof createMetrics> } = {},
) {
  const events: string[] = [];
  const errors: unknown[] = [];
  let signal: AbortSignal | undefined;
  const elector = new LeaderElector({
    coordinationApi: server.api,
    namespace: "fintrack-system",
    name: "fintrack-operator",
    identity,
    onStartedLeading: (s) => {
      signal = s;
      events.push("started");
    },
    onStoppedLeading: () => {
      events.push("stopped");
    },
    onNewLeader: (leader) => events.push(`leader ${leader}`),
    onError: (error) => errors.push(error),
    ...extra,
  });
  let finished = false;
  const running = elector.run().then(() => (finished = true));
  return { elector, events, errors, running, finished: () => finished, signal: () => signal };
}

describe("LeaderElector", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: t0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("creates the missing Lease, leads, and renews it every retry period", async () => {
    const server = fakeLeaseServer();
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const a = anElector(server, "a", { metrics });
    await vi.advanceTimersByTimeAsync(0);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(["leader a", "started"]);
    expect(server.lease()).toMatchObject({
      holderIdentity: "a",
      acquireTimeMs: t0,
      renewTimeMs: t0,
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    expect(await registry.metrics()).toContain(
      'leader_election_master_status{name="fintrack-operator"} 1',
    );
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.lease()).toMatchObject({ acquireTimeMs: t0, renewTimeMs: t0 + 2000 });
    await a.elector.stop();
    expect(a.events).toEqual(["leader a", "started", "stopped"]);
    expect(a.signal()?.aborted).toBe(true);
    expect(await registry.metrics()).toContain(
      'leader_election_master_status{name="fintrack-operator"} 0',
    );
  });

  it("waits out another holder's valid Lease, then takes it over as a transition", async () => {
    const server = fakeLeaseServer();
    server.write(aRecord({ holderIdentity: "other", renewTimeMs: t0, leaseTransitions: 4 }));
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(14_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(["leader other"]);
    // Attempts run every 2 s: at 16 s the Lease (renewed at 0, 15 s long) has expired.
    await vi.advanceTimersByTimeAsync(2000);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(["leader other", "leader a", "started"]);
    expect(server.lease()).toMatchObject({
      holderIdentity: "a",
      acquireTimeMs: t0 + 16_000,
      leaseTransitions: 5,
    });
    await a.elector.stop();
  });

  it("stops leading when renewals fail for the renew deadline, and not before", async () => {
    const server = fakeLeaseServer();
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(0);
    expect(a.elector.isLeader()).toBe(true);
    server.setOutage("failing");
    await vi.advanceTimersByTimeAsync(9999);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.signal()?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.signal()?.aborted).toBe(true);
    expect(a.events.at(-1)).toBe("stopped");
    expect(a.finished()).toBe(true);
    // It stopped 5 s before its Lease (renewed at 0, 15 s long) could pass to anyone else.
    expect(server.lease()?.renewTimeMs).toBe(t0);
    // Tried at 2, 4, 6 and 8 s; each failure went to onError.
    expect(a.errors.map((e) => (e as ApiException<string>).code)).toEqual([503, 503, 503, 503]);
  });

  it("stops leading by the renew deadline even when the API server never answers", async () => {
    const server = fakeLeaseServer();
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.lease()?.renewTimeMs).toBe(t0 + 2000);
    server.setOutage("hanging");
    await vi.advanceTimersByTimeAsync(9999);
    expect(a.elector.isLeader()).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.finished()).toBe(true);
  });

  it("stops leading at once when the Lease shows another valid holder", async () => {
    const server = fakeLeaseServer();
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(1000);
    server.write(aRecord({ holderIdentity: "usurper", renewTimeMs: Date.now() }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(["leader a", "started", "leader usurper", "stopped"]);
    expect(a.finished()).toBe(true);
  });

  it("lets exactly one of two racing candidates win; the loser's write is a 409", async () => {
    const server = fakeLeaseServer();
    server.write(aRecord({ holderIdentity: "gone", renewTimeMs: t0 - 60_000 }));
    const a = anElector(server, "a");
    const b = anElector(server, "b");
    await vi.advanceTimersByTimeAsync(0);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(server.conflicts).toEqual(["b"]);
    expect(server.lease()).toMatchObject({ holderIdentity: "a", leaseTransitions: 3 });
    await vi.advanceTimersByTimeAsync(30_000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it("hands over at the next retry after release(), without waiting for expiry", async () => {
    const server = fakeLeaseServer();
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(0);
    const b = anElector(server, "b");
    await vi.advanceTimersByTimeAsync(500);
    await a.elector.release();
    expect(a.events).toEqual(["leader a", "started", "stopped"]);
    expect(server.lease()).toMatchObject({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      renewTimeMs: t0 + 500,
    });
    await vi.advanceTimersByTimeAsync(1500);
    expect(b.elector.isLeader()).toBe(true);
    expect(server.lease()).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    await b.elector.stop();
  });

  it("release() leaves a Lease alone that names someone else", async () => {
    const server = fakeLeaseServer();
    server.write(aRecord({ holderIdentity: "other", renewTimeMs: t0 }));
    const a = anElector(server, "a");
    await vi.advanceTimersByTimeAsync(0);
    await a.elector.release();
    expect(server.lease()?.holderIdentity).toBe("other");
    expect(a.events).toEqual(["leader other"]);
  });

  it("refuses timings where the leader could outlive its Lease", () => {
    const base = {
      coordinationApi: fakeLeaseServer().api,
      namespace: "ns",
      name: "lease",
      identity: "a",
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    };
    expect(() => new LeaderElector({ ...base, renewDeadlineSeconds: 15 })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, retryPeriodSeconds: 10 })).toThrow(RangeError);
    expect(() => new LeaderElector({ ...base, leaseDurationSeconds: 2.5 })).toThrow(RangeError);
    expect(
      () =>
        new LeaderElector({
          ...base,
          leaseDurationSeconds: 3,
          renewDeadlineSeconds: 2,
          retryPeriodSeconds: 0.5,
        }),
    ).not.toThrow();
  });
});
