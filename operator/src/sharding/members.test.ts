import type { V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { liveMembers, nextExpiryMs, shardLeaseName } from "./members.ts";

const now = Date.parse("2026-12-06T12:00:00Z");

function lease(name: string, holder: string, renewedSecondsAgo: number, duration = 15): V1Lease {
  return {
    metadata: { name, namespace: "fintrack-system" },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: duration,
      // As client-node hands MicroTime fields over when reading: strings.
      renewTime: new Date(now - renewedSecondsAgo * 1000).toISOString() as unknown as Date,
    },
  };
}

describe("liveMembers", () => {
  it("names each member of the ring whose Lease is held and renewed within its duration", () => {
    const leases = [
      lease(shardLeaseName("fintrack-operator", "op-1"), "op-1_ab12", 3),
      lease(shardLeaseName("fintrack-operator", "op-0"), "op-0_cd34", 14),
      lease(shardLeaseName("fintrack-operator", "op-2"), "op-2_ef56", 16),
      lease(shardLeaseName("fintrack-operator", "op-3"), "", 1),
      lease(shardLeaseName("other-ring", "op-4"), "op-4_0000", 1),
      lease("fintrack-operator", "op-1_ab12", 1),
    ];
    expect(liveMembers(leases, "fintrack-operator", now)).toEqual(["op-0", "op-1"]);
  });

  it("counts a Lease without a renewal time or duration as dead", () => {
    const bare = lease(shardLeaseName("r", "op-0"), "op-0_x", 0);
    delete bare.spec?.renewTime;
    expect(liveMembers([bare], "r", now)).toEqual([]);
  });
});

describe("nextExpiryMs", () => {
  it("is when the first live member of the ring expires unless it renews", () => {
    const leases = [
      lease(shardLeaseName("r", "op-0"), "op-0_a", 3),
      lease(shardLeaseName("r", "op-1"), "op-1_b", 10),
      lease(shardLeaseName("r", "op-2"), "op-2_c", 20), // already expired
      lease(shardLeaseName("r", "op-3"), "", 14), // released
      lease(shardLeaseName("other", "op-4"), "op-4_d", 14),
    ];
    expect(nextExpiryMs(leases, "r", now)).toBe(now + 5_000);
  });

  it("is undefined without a live member", () => {
    expect(nextExpiryMs([lease(shardLeaseName("r", "op-0"), "op-0_a", 30)], "r", now)).toBe(
      undefined,
    );
  });
});
