import { HashRing } from "./ring.ts";

// The hand-over protocol of a sharded operator, after timebertt/kubernetes-controller-sharding:
// one replica (the sharder: whoever holds the leader Lease) labels each tenant with the replica
// that works on it; each replica watches only the tenants (and children) labelled with its own
// name. A tenant never has two writers: when it must move from a live replica, the sharder first
// asks that replica to drain it, the replica finishes what it is doing, stops, and acknowledges by
// removing both labels; only then does the sharder label it for the new replica. A replica whose
// Lease expired is gone (it stopped writing before its Lease could expire, as a leader does), so
// its tenants move at once.

/** The label naming the replica that works on a tenant. */
export const shardLabel = "shard.fintrack.dev/owner";
/** The label by which the sharder asks that replica to let the tenant go. */
export const drainLabel = "shard.fintrack.dev/drain";

/** A tenant as the sharder sees it: its key and its two labels. */
export interface ShardedTenant {
  key: string;
  owner: string | undefined;
  draining: boolean;
}

/** What the sharder writes to one tenant's labels. */
export type ShardMove =
  /** Label it for `to`, removing any drain request. */
  | { action: "assign"; key: string; to: string }
  /** Ask its live owner `from` to let it go. */
  | { action: "drain"; key: string; from: string };

/**
 * The moves that bring every tenant to the replica the ring gives it among `liveMembers`. A
 * tenant already draining waits for its owner's acknowledgement (or death); no member, no move.
 */
export function shardMoves(
  tenants: readonly ShardedTenant[],
  liveMembers: readonly string[],
): ShardMove[] {
  const ring = new HashRing(liveMembers);
  const alive = new Set(liveMembers);
  const moves: ShardMove[] = [];
  for (const { key, owner, draining } of tenants) {
    const wanted = ring.ownerOf(key);
    if (wanted === undefined) return [];
    if (owner === undefined || !alive.has(owner)) {
      moves.push({ action: "assign", key, to: wanted });
    } else if (owner === wanted) {
      // Drained for a member that has since left again: it may stay.
      if (draining) moves.push({ action: "assign", key, to: wanted });
    } else if (!draining) {
      moves.push({ action: "drain", key, from: owner });
    }
  }
  return moves;
}

/** What a replica does with a tenant its watch shows it. */
export type ShardDuty = "work" | "acknowledge-drain" | "ignore";

/** `me`'s duty to a tenant labelled `owner` (and `draining`). */
export function shardDuty(me: string, owner: string | undefined, draining: boolean): ShardDuty {
  if (owner !== me) return "ignore";
  return draining ? "acknowledge-drain" : "work";
}
