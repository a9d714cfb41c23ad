import type { V1Lease } from "@kubernetes/client-node";
import { leaseRecord } from "../kube/leader-election.ts";

// Who is in the ring: every replica of a sharded operator holds a Lease of its own, named after
// it, renewed like the leader's Lease (kube/leader-election.ts: a replica that cannot renew
// within its renew deadline stops working before the Lease expires). The sharder counts as live
// exactly the replicas whose Lease is held and unexpired, so a tenant only ever moves away from a
// replica that has stopped writing, or that was asked to let it go and did.

/** The Lease a member of `ring` holds: `<ring>-shard-<member>`. */
export function shardLeaseName(ring: string, member: string): string {
  return `${ring}-shard-${member}`;
}

/**
 * The members of `ring` alive at `nowMs`, sorted: those whose Lease is held (a released one
 * means its replica left cleanly) and renewed within its duration.
 */
export function liveMembers(leases: readonly V1Lease[], ring: string, nowMs: number): string[] {
  const prefix = shardLeaseName(ring, "");
  const live: string[] = [];
  for (const lease of leases) {
    const name = lease.metadata?.name ?? "";
    if (!name.startsWith(prefix) || name.length === prefix.length) continue;
    const { holderIdentity, renewTimeMs, leaseDurationSeconds } = leaseRecord(lease);
    if (holderIdentity === "" || renewTimeMs === undefined || leaseDurationSeconds === undefined) {
      continue;
    }
    if (renewTimeMs + leaseDurationSeconds * 1000 >= nowMs) live.push(name.slice(prefix.length));
  }
  return live.sort();
}

/** When the first of the live members of `ring` will expire unless it renews, if any is live. */
export function nextExpiryMs(
  leases: readonly V1Lease[],
  ring: string,
  nowMs: number,
): number | undefined {
  const prefix = shardLeaseName(ring, "");
  let next: number | undefined;
  for (const lease of leases) {
    if (!(lease.metadata?.name ?? "").startsWith(prefix)) continue;
    const { holderIdentity, renewTimeMs, leaseDurationSeconds } = leaseRecord(lease);
    if (holderIdentity === "" || renewTimeMs === undefined || leaseDurationSeconds === undefined) {
      continue;
    }
    const expiry = renewTimeMs + leaseDurationSeconds * 1000;
    if (expiry >= nowMs && (next === undefined || expiry < next)) next = expiry;
  }
  return next;
}
