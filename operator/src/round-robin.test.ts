import { describe, expect, it } from "vitest";
import { RoundRobin } from "./round-robin.ts";

const byNamespace = (key: string) => key.split("/")[0] ?? "";

function drain(queue: RoundRobin): string[] {
  const order: string[] = [];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) order.push(key);
  return order;
}

describe("RoundRobin", () => {
  it("keeps one group first in, first out", () => {
    const queue = new RoundRobin(byNamespace);
    for (const key of ["a/1", "a/2", "a/3"]) queue.add(key);
    expect(drain(queue)).toEqual(["a/1", "a/2", "a/3"]);
  });

  it("lets groups take turns, so one group's backlog never holds up another's next key", () => {
    const queue = new RoundRobin(byNamespace);
    for (let i = 1; i <= 100; i++) queue.add(`bulk/t-${i}`);
    queue.add("acme/acme");
    queue.add("beta/beta");
    expect(drain(queue).slice(0, 4)).toEqual(["bulk/t-1", "acme/acme", "beta/beta", "bulk/t-2"]);
  });

  it("sends a group that ran empty to the back of the turns when it comes again", () => {
    const queue = new RoundRobin(byNamespace);
    queue.add("a/1");
    queue.add("b/1");
    queue.add("b/2");
    expect(queue.shift()).toBe("a/1");
    queue.add("a/2");
    expect(drain(queue)).toEqual(["b/1", "a/2", "b/2"]);
  });

  it("holds a key once, counts what waits and deletes a key wherever it is", () => {
    const queue = new RoundRobin(byNamespace);
    queue.add("a/1");
    queue.add("a/1");
    queue.add("b/1");
    expect(queue.size).toBe(2);
    expect(queue.delete("b/1")).toBe(true);
    expect(queue.delete("b/1")).toBe(false);
    expect(queue.size).toBe(1);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
