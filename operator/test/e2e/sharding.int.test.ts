// Active-active sharding on the real control plane: operator processes started with
// --shards=auto each hold a Lease of their own; the leader labels every tenant for one live
// member (consistent hashing); each member watches and writes only its own tenants. The test
// grows the ring, kills a member with SIGKILL, and checks from every replica's own log of writes
// that no tenant ever had two writers at once.
import { isDeepStrictEqual } from "node:util";
import { CoordinationV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import type { FinanceTracker } from "../../src/api/v1alpha1.ts";
import { leaseRecord } from "../../src/kube/leader-election.ts";
import { drainLabel, shardLabel } from "../../src/sharding/assignment.ts";
import { shardLeaseName } from "../../src/sharding/members.ts";
import { HashRing } from "../../src/sharding/ring.ts";
import { adminKubeConfig } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import {
  metricValue,
  operatorNamespace,
  startOperatorProcess,
  type OperatorProcess,
} from "../harness/operator.ts";
import { applyTracker, conditionOf } from "../harness/trackers.ts";

/** The elector's default lease duration: how long a killed member's tenants may wait. */
const leaseDurationMs = 15_000;
/** How long a dead member's tenants may take to be written by their new owners once its lease ran out. */
const handOverMs = 5_000;
const tenantCount = 24;
const tenants = Array.from({ length: tenantCount }, (_, i) => `t${String(i).padStart(2, "0")}`);

interface Replica {
  member: string;
  process: OperatorProcess;
}

/** One write a replica logged: when, to which path. */
interface Write {
  member: string;
  timeMs: number;
  path: string;
}

describe.skipIf(!clusterRunsControllers())("sharding tenants over operator replicas", () => {
  const ns = useNamespace("shard");
  const ring = `ring-${ns.name}`;
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const leases = kc.makeApiClient(CoordinationV1Api);
  const replicas: Replica[] = [];
  /** Writes of replicas already gone, kept for the exclusivity check. */
  const writesOfGone: Write[] = [];
  /** Who owned each tenant, phase after phase (three members, four, one killed). */
  const phases: Map<string, string>[] = [];

  beforeAll(() => {
    installCrd();
  });

  afterEach(({ task }) => {
    if (task.result?.state !== "fail") return;
    for (const r of replicas)
      console.error(`--- ${r.member} ---\n${r.process.logs().slice(-20_000)}`);
  });

  afterAll(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.process.stop()));
  });

  async function startReplica(member: string): Promise<Replica> {
    const process = await startOperatorProcess({
      watchNamespaces: [ns.name],
      leaseName: ring,
      env: { POD_NAME: member, FINTRACK_SHARDS: "auto", LOG_LEVEL: "debug" },
    });
    const replica = { member, process };
    replicas.push(replica);
    return replica;
  }

  const list = async () =>
    (
      (await custom.listNamespacedCustomObject({
        group: "fintrack.dev",
        version: "v1alpha1",
        plural: "financetrackers",
        namespace: ns.name,
      })) as { items: FinanceTracker[] }
    ).items;

  /** What the ring of `members` gives each tenant: the assignment the sharder must reach. */
  const ringOwners = (members: readonly string[]) => {
    const hashRing = new HashRing(members);
    return new Map(tenants.map((t) => [t, hashRing.ownerOf(`${ns.name}/${t}`) ?? ""]));
  };

  /**
   * Each tenant's owner label, once every tenant is Ready, not draining, and labelled for the
   * member the ring of `members` gives it.
   */
  const settledOwners = (members: readonly string[], timeoutMs = 90_000) =>
    eventually(
      `${tenantCount} tenants Ready, each labelled for its member of ${members.join(", ")}`,
      async () => {
        const items = await list();
        expect(items).toHaveLength(tenantCount);
        const owners = new Map<string, string>();
        for (const t of items) {
          const labels = t.metadata.labels ?? {};
          expect(labels[drainLabel], `${t.metadata.name} draining`).toBeUndefined();
          expect(conditionOf(t, "Ready")?.status, `${t.metadata.name} Ready`).toBe("True");
          owners.set(t.metadata.name, labels[shardLabel] ?? "");
        }
        expect(owners).toEqual(ringOwners(members));
        if (phases.length === 0 || !isDeepStrictEqual(phases.at(-1), owners)) phases.push(owners);
        return owners;
      },
      { timeoutMs, intervalMs: 200 },
    );

  const shardTenants = (r: Replica) =>
    metricValue(r.process.metricsUrl, "fintrack_shard_tenants", { shard: r.member });
  const leaderOf = async (): Promise<Replica> => {
    for (const r of replicas) {
      if (
        (await metricValue(r.process.metricsUrl, "leader_election_master_status", {
          name: ring,
        })) === 1
      ) {
        return r;
      }
    }
    throw new Error("no replica leads");
  };

  /** The writes a replica logged (LOG_LEVEL=debug), to this test's namespace. */
  const writesOf = (r: Replica): Write[] =>
    r.process
      .logs()
      .split("\n")
      .filter((line) => line.includes('"msg":"shard write"'))
      .map((line) => JSON.parse(line) as { time: number; path: string; code: number })
      .filter((w) => w.code !== 0 && w.path.includes(`/namespaces/${ns.name}/`))
      .map((w) => ({ member: r.member, timeMs: w.time, path: w.path }));

  /** The tenant a write's path is about: the tracker itself or one of its children `<name>-…`. */
  const tenantOf = (path: string) => {
    const name = path.split("/")[path.split("/").indexOf(ns.name) + 2] ?? "";
    return tenants.find((t) => name === t || name.startsWith(`${t}-`));
  };

  it("spreads the tenants over three members as the ring says, each caching only its own", async () => {
    const started = await Promise.all(["s-a", "s-b", "s-c"].map(startReplica));
    for (const t of tenants) {
      applyTracker(ns.name, t, {
        app: { adminEmail: `owner@${t}.example` },
        monitoring: { serviceMonitor: false },
      });
    }
    const owners = await settledOwners(["s-a", "s-b", "s-c"]);

    for (const r of started) {
      const own = [...owners.values()].filter((o) => o === r.member).length;
      expect(own).toBeLessThan(tenantCount);
      await eventually(`${r.member} to count its ${own} tenants`, async () => {
        expect(await shardTenants(r)).toBe(own);
      });
    }
    const leader = await leaderOf();
    expect(await metricValue(leader.process.metricsUrl, "fintrack_sharder_members")).toBe(3);
    // Every member wrote only its own tenants.
    for (const r of started) {
      for (const w of writesOf(r)) {
        const tenant = tenantOf(w.path);
        if (tenant) expect(owners.get(tenant), `${w.path} by ${r.member}`).toBe(r.member);
      }
    }
  });

  it("moves to a new member exactly the tenants the grown ring gives it, through a drain", async () => {
    const before = await settledOwners(["s-a", "s-b", "s-c"]);
    const drainsBefore = await Promise.all(
      replicas.map((r) => metricValue(r.process.metricsUrl, "fintrack_shard_drains_total")),
    );
    const added = await startReplica("s-d");
    const members = ["s-a", "s-b", "s-c", "s-d"];
    const after = await settledOwners(members);
    const moved = tenants.filter((t) => before.get(t) !== after.get(t));
    // Consistent hashing: only tenants for the new member move, none among the old ones.
    for (const t of moved) expect(after.get(t)).toBe("s-d");
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThanOrEqual(Math.ceil(tenantCount / 2));
    console.log(
      `added a 4th member: ${moved.length} of ${tenantCount} tenants moved (an even share is ${tenantCount / 4})`,
    );
    // Each left its old owner through a drain that owner acknowledged.
    const drainsAfter = await Promise.all(
      replicas
        .slice(0, 3)
        .map((r) => metricValue(r.process.metricsUrl, "fintrack_shard_drains_total")),
    );
    const drains = drainsAfter.reduce((sum, n, i) => sum + n - (drainsBefore[i] ?? 0), 0);
    expect(drains).toBe(moved.length);
    await eventually("the new member to count its tenants", async () => {
      expect(await shardTenants(added)).toBe(moved.length);
    });
  });

  it("hands a killed member's tenants to the live ones as soon as its lease runs out", async ({
    annotate,
  }) => {
    const before = await settledOwners(["s-a", "s-b", "s-c", "s-d"]);
    const leader = await leaderOf();
    // The member with the most tenants that does not also run the sharder.
    const victim = replicas
      .filter((r) => r !== leader)
      .sort(
        (x, y) =>
          [...before.values()].filter((o) => o === y.member).length -
          [...before.values()].filter((o) => o === x.member).length,
      )[0];
    if (!victim) throw new Error("no replica to kill");
    const orphaned = tenants.filter((t) => before.get(t) === victim.member);
    expect(orphaned.length).toBeGreaterThan(0);

    await victim.process.kill();
    const killedAt = Date.now();
    writesOfGone.push(...writesOf(victim));
    replicas.splice(replicas.indexOf(victim), 1);
    const { renewTimeMs = killedAt } = leaseRecord(
      await leases.readNamespacedLease({
        name: shardLeaseName(ring, victim.member),
        namespace: operatorNamespace,
      }),
    );

    const live = replicas.map((r) => r.member);
    // Picked up: labelled for a live member and written by it (adopting its children first).
    const pickedUpAt = await eventually(
      `${orphaned.length} tenants of ${victim.member} picked up`,
      async () => {
        const owners = new Map(
          (await list()).map((t) => [t.metadata.name, t.metadata.labels?.[shardLabel]]),
        );
        const writes = replicas.flatMap(writesOf);
        return Math.max(
          ...orphaned.map((t) => {
            const owner = owners.get(t);
            expect(live).toContain(owner);
            const first = writes.find(
              (w) => w.member === owner && w.timeMs > killedAt && tenantOf(w.path) === t,
            );
            if (!first) throw new Error(`${t}: no write by ${owner ?? "?"} yet`);
            return first.timeMs;
          }),
        );
      },
      { timeoutMs: leaseDurationMs + 15_000, intervalMs: 100 },
    );
    await annotate(
      `picked up ${((pickedUpAt - killedAt) / 1000).toFixed(1)} s after SIGKILL, ` +
        `${((pickedUpAt - renewTimeMs) / 1000).toFixed(1)} s after the member's last renewal`,
    );
    // The Lease's clock starts at its last renewal; the sharder acts when it runs out, never
    // before. The hand-over after it (the sharder's pass, the labels, the new owners' adoption
    // of the children, their first pass) measured 1.3-1.6 s, and 2.4 s once beside the other
    // suites on 2 cores: 5 s of room still fails a hand-over that waits for anything slower
    // than the sharder's own 2 s passes (a resync, another lease duration).
    expect(pickedUpAt - renewTimeMs).toBeLessThanOrEqual(leaseDurationMs + handOverMs);
    expect(pickedUpAt - renewTimeMs).toBeGreaterThanOrEqual(leaseDurationMs);
    const after = await settledOwners(live);
    // Only the killed member's tenants moved.
    for (const t of tenants) if (!orphaned.includes(t)) expect(after.get(t)).toBe(before.get(t));
  });

  it("never let two members write one tenant at once (every write, from every replica's log)", () => {
    const writes = [...writesOfGone, ...replicas.flatMap(writesOf)];
    expect(writes.length).toBeGreaterThan(tenantCount * 5);
    const byTenant = new Map<string, Write[]>();
    for (const w of writes) {
      const t = tenantOf(w.path);
      if (t) byTenant.set(t, [...(byTenant.get(t) ?? []), w]);
    }
    expect(byTenant.size).toBe(tenantCount);
    // In time order, a tenant's writers must follow its owners phase by phase, one unbroken run
    // each: owned by A, then D, then A again allows A D A, never A D A D or D A.
    expect(phases).toHaveLength(3);
    for (const [tenant, list] of byTenant) {
      const runs = folded(list.sort((x, y) => x.timeMs - y.timeMs).map((w) => w.member));
      const owners = folded(phases.map((p) => p.get(tenant) ?? ""));
      expect(
        isSubsequence(runs, owners),
        `${tenant}: written by ${runs.join(" ")}, owned by ${owners.join(" ")}`,
      ).toBe(true);
    }
  });
});

/** `list` with consecutive repeats folded into one. */
function folded(list: readonly string[]): string[] {
  return list.filter((x, i) => i === 0 || list[i - 1] !== x);
}

/** Whether `part` appears in `whole` in order, not necessarily contiguously. */
function isSubsequence(part: readonly string[], whole: readonly string[]): boolean {
  let at = 0;
  for (const x of whole) if (part[at] === x) at++;
  return at === part.length;
}
