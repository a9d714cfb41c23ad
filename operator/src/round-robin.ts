/**
 * Keys grouped (by namespace, in the work queue), first in first out within a group, the groups
 * taking turns: a group's backlog never holds up another group's next key. The flow queues of
 * the API server's priority and fairness, reduced to what a work queue needs.
 */
export class RoundRobin {
  /** Insertion order is the order of turns: a group that was served goes to the back. */
  readonly #groups = new Map<string, Set<string>>();
  readonly #groupOf: (key: string) => string;
  #size = 0;

  constructor(groupOf: (key: string) => string) {
    this.#groupOf = groupOf;
  }

  /** How many keys wait, over every group. */
  get size(): number {
    return this.#size;
  }

  /** Appends `key` to its group, which joins the back of the turns if it was empty. */
  add(key: string): void {
    const group = this.#groupOf(key);
    let keys = this.#groups.get(group);
    if (!keys) {
      keys = new Set();
      this.#groups.set(group, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.#size += 1;
  }

  /** Removes `key`; says whether it was there. */
  delete(key: string): boolean {
    const group = this.#groupOf(key);
    const keys = this.#groups.get(group);
    if (!keys?.delete(key)) return false;
    this.#size -= 1;
    if (keys.size === 0) this.#groups.delete(group);
    return true;
  }

  /** Takes the oldest key of the group whose turn it is, and sends that group to the back. */
  shift(): string | undefined {
    const turn = this.#groups.entries().next();
    if (turn.done) return undefined;
    const [group, keys] = turn.value;
    const key = keys.values().next().value;
    this.#groups.delete(group);
    if (key === undefined) return undefined;
    keys.delete(key);
    this.#size -= 1;
    if (keys.size > 0) this.#groups.set(group, keys);
    return key;
  }

  /** Forgets every key. */
  clear(): void {
    this.#groups.clear();
    this.#size = 0;
  }
}
