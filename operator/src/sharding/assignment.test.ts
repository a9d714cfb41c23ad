import { describe, expect, it } from "vitest";
import { type ShardedTenant, shardDuty, shardMoves } from "./assignment.ts";
import { HashRing } from "./ring.ts";

const keys = Array.from({ length: 200 }, (_, i) => `ns-${String(i % 7)}/t-${String(i)}`);
const members = ["op-a", "op-b", "op-c"];
const ring = new HashRing(members);
const settled = (): ShardedTenant[] =>
  keys.map((key) => ({ key, owner: ring.ownerOf(key), draining: false }));

/** Applies the sharder's moves and the owners' acknowledgements until nothing changes. */
function converge(
  tenants: ShardedTenant[],
  live: string[],
): { tenants: ShardedTenant[]; rounds: number } {
  let current = tenants;
  for (let rounds = 1; rounds < 10; rounds++) {
    const moves = shardMoves(current, live);
    const acknowledged = current.some((t) => t.draining && t.owner !== undefined);
    if (moves.length === 0 && !acknowledged) return { tenants: current, rounds };
    const byKey = new Map(moves.map((m) => [m.key, m]));
    current = current.map((t) => {
      const move = byKey.get(t.key);
      if (move?.action === "assign") return { key: t.key, owner: move.to, draining: false };
      if (move?.action === "drain") return { ...t, draining: true };
      // The owner finished and let go: both labels removed.
      if (t.draining && t.owner !== undefined && live.includes(t.owner)) {
        return { key: t.key, owner: undefined, draining: false };
      }
      return t;
    });
  }
  throw new Error("did not converge");
}

describe("shardMoves", () => {
  it("assigns every unlabelled tenant to its member on the ring", () => {
    const fresh = keys.map((key) => ({ key, owner: undefined, draining: false }));
    const moves = shardMoves(fresh, members);
    expect(moves).toEqual(keys.map((key) => ({ action: "assign", key, to: ring.ownerOf(key) })));
  });

  it("moves nothing once every tenant is where the ring wants it", () => {
    expect(shardMoves(settled(), members)).toEqual([]);
  });

  it("moves nothing when no member is alive", () => {
    expect(shardMoves(settled(), [])).toEqual([]);
  });

  it("takes a dead member's tenants over at once, and touches no other", () => {
    const moves = shardMoves(settled(), ["op-a", "op-c"]);
    const orphans = settled().filter((t) => t.owner === "op-b");
    expect(moves.map((m) => m.key).sort()).toEqual(orphans.map((t) => t.key).sort());
    expect(moves.every((m) => m.action === "assign" && m.to !== "op-b")).toBe(true);
  });

  it("drains before it moves a live member's tenant to a newcomer, never assigning it twice", () => {
    const live = [...members, "op-d"];
    const moves = shardMoves(settled(), live);
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((m) => m.action === "drain")).toBe(true);
    const draining = settled().map((t) =>
      moves.some((m) => m.key === t.key) ? { ...t, draining: true } : t,
    );
    // Until the owners acknowledge, the sharder waits: no tenant is labelled for op-d yet.
    expect(shardMoves(draining, live)).toEqual([]);
    const { tenants } = converge(settled(), live);
    const after = new HashRing(live);
    expect(tenants.every((t) => t.owner === after.ownerOf(t.key) && !t.draining)).toBe(true);
    expect(tenants.filter((t) => t.owner === "op-d")).toHaveLength(moves.length);
  });

  it("lets a tenant drained for a member that left again stay with its owner", () => {
    const [first] = settled();
    if (first === undefined) throw new Error("no tenant");
    expect(shardMoves([{ ...first, draining: true }], members)).toEqual([
      { action: "assign", key: first.key, to: first.owner },
    ]);
  });
});

describe("shardDuty", () => {
  it("works only on its own tenants, and lets a drained one go", () => {
    expect(shardDuty("op-a", "op-a", false)).toBe("work");
    expect(shardDuty("op-a", "op-a", true)).toBe("acknowledge-drain");
    expect(shardDuty("op-a", "op-b", false)).toBe("ignore");
    expect(shardDuty("op-a", undefined, false)).toBe("ignore");
  });
});
