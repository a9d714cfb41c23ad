import { createHash } from "node:crypto";

// Which operator replica works on which tenant, when the operator runs sharded (issue 20): a
// consistent-hash ring over the live replicas, as timebertt/kubernetes-controller-sharding shards
// controllers. Each replica stands at many points of the ring (its tokens), so tenants spread
// evenly, and a replica that joins or leaves moves only the tenants between its own points and
// the ones before them: about 1/n of all, never a reshuffle.

/** Tokens per replica: enough that 3 replicas each get within a few percent of a third. */
export const defaultTokensPerMember = 128;

/** A 32-bit position on the ring: the first four bytes of the text's SHA-256. */
function position(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

interface Token {
  position: number;
  member: string;
}

/** A consistent-hash ring of members; a key belongs to the member of the first token at or after it. */
export class HashRing {
  readonly #tokens: readonly Token[];

  constructor(members: Iterable<string>, tokensPerMember = defaultTokensPerMember) {
    const tokens: Token[] = [];
    for (const member of new Set(members)) {
      for (let i = 0; i < tokensPerMember; i++) {
        tokens.push({ position: position(`${member}#${String(i)}`), member });
      }
    }
    // Ties (vanishingly rare) go to the smaller name, so every replica builds the same ring.
    tokens.sort((a, b) => a.position - b.position || a.member.localeCompare(b.member));
    this.#tokens = tokens;
  }

  /** The member `key` belongs to, or undefined when the ring is empty. */
  ownerOf(key: string): string | undefined {
    const tokens = this.#tokens;
    if (tokens.length === 0) return undefined;
    const at = position(key);
    let low = 0;
    let high = tokens.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((tokens[middle]?.position ?? 0) < at) low = middle + 1;
      else high = middle;
    }
    return (tokens[low] ?? tokens[0])?.member;
  }
}
