import { describe, expect, it } from "vitest";
import { HashRing } from "./ring.ts";

const tenants = Array.from({ length: 3000 }, (_, i) => `tenant-${String(i % 97)}/t-${String(i)}`);

function owners(ring: HashRing): Map<string, string | undefined> {
  return new Map(tenants.map((t) => [t, ring.ownerOf(t)]));
}

describe("HashRing", () => {
  it("has no owner while it has no member", () => {
    expect(new HashRing([]).ownerOf("ns/acme")).toBeUndefined();
  });

  it("spreads tenants evenly over its members", () => {
    const counts = new Map<string, number>();
    for (const owner of owners(new HashRing(["op-a", "op-b", "op-c"])).values()) {
      counts.set(owner ?? "", (counts.get(owner ?? "") ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["op-a", "op-b", "op-c"]);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(tenants.length / 3 / 1.25);
      expect(count).toBeLessThan((tenants.length / 3) * 1.25);
    }
  });

  it("gives the same answer on every replica, whatever order it learnt the members in", () => {
    expect(owners(new HashRing(["op-c", "op-a", "op-b"]))).toEqual(
      owners(new HashRing(["op-a", "op-b", "op-c", "op-a"])),
    );
  });

  it("moves only about a quarter of the tenants, all to the newcomer, when a fourth joins", () => {
    const before = owners(new HashRing(["op-a", "op-b", "op-c"]));
    const after = owners(new HashRing(["op-a", "op-b", "op-c", "op-d"]));
    const moved = tenants.filter((t) => before.get(t) !== after.get(t));
    expect(moved.every((t) => after.get(t) === "op-d")).toBe(true);
    expect(moved.length).toBeGreaterThan(tenants.length / 4 / 1.25);
    expect(moved.length).toBeLessThan((tenants.length / 4) * 1.25);
  });

  it("moves only the leaver's tenants when a member leaves", () => {
    const before = owners(new HashRing(["op-a", "op-b", "op-c"]));
    const after = owners(new HashRing(["op-a", "op-c"]));
    for (const tenant of tenants) {
      if (before.get(tenant) !== "op-b") expect(after.get(tenant)).toBe(before.get(tenant));
      else expect(["op-a", "op-c"]).toContain(after.get(tenant));
    }
  });
});
