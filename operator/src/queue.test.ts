import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetrics } from "./metrics.ts";
import {
  ItemExponentialBackoff,
  queueMetricsSink,
  reconcileMetricsListener,
  runWorkers,
  WorkQueue,
  type Clock,
  type ErrorDisposition,
  type Result,
  type WorkerEvent,
  type WorkerFinished,
} from "./queue.ts";

/** A clock whose time moves only in `advance`; it records every delay it was asked for. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const delays: number[] = [];
  const clock: Clock = {
    now: () => now,
    setTimer(fn, ms) {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      delays.push(ms);
      return () => {
        timer.cancelled = true;
      };
    },
  };
  return {
    clock,
    delays,
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
    advance: (ms: number) => {
      const until = now + ms;
      for (;;) {
        const due = timers
          .filter((t) => !t.cancelled && t.at <= until)
          .sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        now = due.at;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
      now = until;
    },
  };
}

/** A promise and the function that resolves it, to hold a handler until the test says so. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("WorkQueue", () => {
  it("holds a pending key once however often it is added", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    queue.add("a");
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBe("b");
    expect(queue.len()).toBe(0);
  });

  it("hands a key added during its processing out again only after done", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    expect(await queue.get()).toBe("a");
    queue.add("a");
    queue.add("a");
    expect(queue.len()).toBe(0);
    const next = queue.get();
    let handedOut = false;
    void next.then(() => (handedOut = true));
    await Promise.resolve();
    expect(handedOut).toBe(false);
    queue.done("a");
    expect(await next).toBe("a");
    queue.done("a");
    expect(queue.len()).toBe(0);
  });

  it("wakes waiting getters in order as keys arrive", async () => {
    const queue = new WorkQueue();
    const first = queue.get();
    const second = queue.get();
    queue.add("a");
    queue.add("b");
    expect([await first, await second]).toEqual(["a", "b"]);
  });

  it("lets an earlier addAfter deadline win and ignores a later one", () => {
    const { clock, advance } = manualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter("a", 1000);
    queue.addAfter("a", 100);
    queue.addAfter("a", 5000);
    advance(99);
    expect(queue.len()).toBe(0);
    advance(1);
    expect(queue.len()).toBe(1);
    advance(10_000);
    expect(queue.len()).toBe(1);
  });

  it("backs a failing key off 5, 10, 20, 40 ms, doubling up to 1000 s", async () => {
    const { clock, delays, advance } = manualClock();
    const queue = new WorkQueue({ clock });
    const returned: number[] = [];
    for (let failure = 0; failure < 20; failure++) {
      const delay = queue.addRateLimited("a");
      returned.push(delay);
      advance(delay - 1);
      expect(queue.len()).toBe(0);
      advance(1);
      expect(await queue.get()).toBe("a");
      queue.done("a");
    }
    const expected = [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10_240, 20_480, 40_960];
    expect(returned.slice(0, 14)).toEqual(expected);
    expect(returned.slice(14)).toEqual([81_920, 163_840, 327_680, 655_360, 1_000_000, 1_000_000]);
    expect(delays).toEqual(returned);
    expect(queue.numRequeues("a")).toBe(20);
    expect(queue.numRequeues("b")).toBe(0);
  });

  it("adds a rate-limited key when its backoff has passed", () => {
    const { clock, advance } = manualClock();
    const queue = new WorkQueue({ clock });
    queue.addRateLimited("a");
    queue.addRateLimited("a"); // 10 ms, later than the pending 5 ms: the 5 ms deadline stays
    advance(4);
    expect(queue.len()).toBe(0);
    advance(1);
    expect(queue.len()).toBe(1);
  });

  it("starts a key's backoff over after forget", () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    queue.addRateLimited("a");
    queue.addRateLimited("a");
    queue.addRateLimited("b");
    queue.forget("a");
    expect(queue.numRequeues("a")).toBe(0);
    expect(queue.numRequeues("b")).toBe(1);
    expect(queue.addRateLimited("a")).toBe(5);
  });

  it("unblocks waiting getters on shutDown and ignores later adds", async () => {
    const { clock, advance, pendingTimers } = manualClock();
    const queue = new WorkQueue({ clock });
    const waiting = [queue.get(), queue.get()];
    queue.addAfter("later", 1000);
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    expect(pendingTimers()).toBe(0);
    queue.add("a");
    advance(2000);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
    expect(queue.isShuttingDown()).toBe(true);
  });

  it("drains: shutDownWithDrain resolves once every handed-out key is done", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    queue.add("b");
    const a = await queue.get();
    expect(a).toBe("a");
    let drained = false;
    const draining = queue.shutDownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    expect(await queue.get()).toBeUndefined(); // b was dropped, not handed out
    queue.done("a");
    await draining;
    expect(drained).toBe(true);
  });

  it("releases a waiting key at once: dropped from its lane, its delay and its backoff", async () => {
    const { clock, advance, pendingTimers } = manualClock();
    const queue = new WorkQueue({ clock });
    queue.add("a");
    queue.add("b");
    queue.addAfter("c", 100);
    queue.addRateLimited("c");
    await queue.release("a");
    await queue.release("c");
    expect(queue.len()).toBe(1);
    expect(pendingTimers()).toBe(0);
    advance(1000);
    expect(await queue.get()).toBe("b");
    expect(queue.len()).toBe(0);
    queue.addRateLimited("c");
    expect(queue.numRequeues("c")).toBe(1);
  });

  it("releases a key being processed only once its worker is done, and not again if re-added", async () => {
    const queue = new WorkQueue();
    queue.add("a");
    expect(await queue.get()).toBe("a");
    queue.add("a"); // an event while the reconcile runs
    let released = false;
    const releasing = queue.release("a").then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    queue.done("a");
    await releasing;
    expect(released).toBe(true);
    expect(queue.len()).toBe(0);
  });

  it("reports depth, adds, retries and the queue and work durations to its sink", async () => {
    const { clock, advance } = manualClock();
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const queue = new WorkQueue({ clock, metrics: queueMetricsSink(metrics, "financetracker") });
    queue.add("a");
    queue.add("a");
    queue.add("b");
    const labels = { name: "financetracker", controller: "financetracker" };
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values.find(
        (v) => v.labels.name === labels.name,
      )?.value;
    expect(await value("workqueue_depth")).toBe(2);
    expect(await value("workqueue_adds_total")).toBe(2);
    advance(2000);
    expect(await queue.get()).toBe("a");
    expect(await value("workqueue_depth")).toBe(1);
    advance(3000);
    queue.addAfter("c", 10);
    expect(await value("workqueue_retries_total")).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(`workqueue_queue_duration_seconds_sum{name="financetracker"`);
    const sum = (metric: string) =>
      Number(new RegExp(`${metric}_sum\\{[^}]*\\} (\\S+)`).exec(text)?.[1]);
    expect(sum("workqueue_queue_duration_seconds")).toBe(2);
    // The ticker reported the work in progress: 3 s on "a" (the last tick was at 5000 ms).
    expect(await value("workqueue_unfinished_work_seconds")).toBe(3);
    expect(await value("workqueue_longest_running_processor_seconds")).toBe(3);
    queue.done("a");
    const after = await registry.metrics();
    expect(Number(/workqueue_work_duration_seconds_sum\{[^}]*\} (\S+)/.exec(after)?.[1])).toBe(3);
    queue.shutDown();
  });
});

describe("WorkQueue lanes", () => {
  /** Every key the queue hands out until it is empty, each marked done at once. */
  async function drain(queue: WorkQueue): Promise<string[]> {
    const order: string[] = [];
    while (queue.len() > 0) {
      const key = await queue.get();
      if (key === undefined) break;
      order.push(key);
      queue.done(key);
    }
    return order;
  }

  it("hands a new tenant out before keys queued by the resync, requeue-afters and retries", async () => {
    const { clock, advance } = manualClock();
    const queue = new WorkQueue({ clock });
    for (let i = 0; i < 100; i++) queue.add(`resync-${i}`, "periodic");
    queue.addAfter("polling", 10);
    queue.addRateLimited("failing");
    advance(10);
    queue.add("ns/new-tenant", "changed");
    expect(queue.len()).toBe(103);
    expect(await queue.get()).toBe("ns/new-tenant");
  });

  it("hands out observed keys ahead of periodic ones, each lane first in, first out", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    queue.add("p1", "periodic");
    queue.add("o1");
    queue.add("p2", "periodic");
    queue.add("o2", "observed");
    expect(await drain(queue)).toEqual(["o1", "o2", "p1", "p2"]);
  });

  it("lets changed and observed keys take turns, so neither waits behind the other's backlog", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    for (const key of ["o1", "o2", "o3", "o4"]) queue.add(key, "observed");
    for (const key of ["c1", "c2"]) queue.add(key, "changed");
    queue.add("p1", "periodic");
    expect(await drain(queue)).toEqual(["c1", "o1", "c2", "o2", "o3", "o4", "p1"]);
  });

  it("reaches a tenant created in the middle of a burst within two gets of its lane's head", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    // 100 tenants had their first pass and wait for their children's events; a newcomer arrives.
    for (let i = 0; i < 100; i++) queue.add(`ns/t-${i}`, "observed");
    queue.add("ns/newcomer", "changed");
    const first = [await queue.get(), await queue.get()];
    expect(first).toContain("ns/newcomer");
  });

  it("lets namespaces take turns in a lane: one namespace's burst delays another's tenant by one key", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    for (let i = 0; i < 200; i++) queue.add(`bulk/t-${i}`, "changed");
    queue.add("acme/acme", "changed");
    expect([await queue.get(), await queue.get()]).toEqual(["bulk/t-0", "acme/acme"]);
  });

  it("moves a waiting key up to a higher lane, to that lane's back, and never down", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    for (const key of ["p1", "p2", "p3"]) queue.add(key, "periodic");
    queue.add("o1");
    queue.add("c1", "changed");
    queue.add("p3"); // observed now: ahead of p1 and p2, behind o1
    queue.add("c1", "periodic"); // stays changed
    queue.add("o1", "changed"); // behind c1
    queue.add("o1", "changed"); // already there: nothing moves, nothing is counted twice
    expect(queue.len()).toBe(5);
    expect(await drain(queue)).toEqual(["c1", "p3", "o1", "p1", "p2"]);
  });

  it("returns a key re-added while being processed to the highest lane asked for", async () => {
    const queue = new WorkQueue({ clock: manualClock().clock });
    queue.add("a", "periodic");
    queue.add("b");
    expect(await queue.get()).toBe("b");
    expect(await queue.get()).toBe("a");
    queue.add("a", "periodic");
    queue.add("a", "changed");
    queue.add("o1");
    queue.add("o2");
    expect(queue.len()).toBe(2); // "a" waits for its done, not in a lane
    queue.done("b");
    queue.done("a");
    expect(await drain(queue)).toEqual(["a", "o1", "o2"]);
  });

  it("puts delayed and rate-limited adds in the periodic lane, even for a key added as changed", async () => {
    const { clock, advance } = manualClock();
    const queue = new WorkQueue({ clock });
    queue.add("t", "changed");
    expect(await queue.get()).toBe("t");
    queue.done("t");
    queue.addAfter("t", 100);
    queue.addRateLimited("u");
    advance(100);
    queue.add("o1");
    expect(await drain(queue)).toEqual(["o1", "u", "t"]);
  });

  it("counts a promotion neither as an add nor in the depth twice", async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const queue = new WorkQueue({
      clock: manualClock().clock,
      metrics: queueMetricsSink(metrics, "financetracker"),
    });
    queue.add("a", "periodic");
    queue.add("a", "observed");
    queue.add("a", "changed");
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
    expect(await value("workqueue_adds_total")).toBe(1);
    expect(await value("workqueue_depth")).toBe(1);
    queue.shutDown();
  });
});

describe("ItemExponentialBackoff", () => {
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [4, 40],
    [18, 655_360],
    [19, 1_000_000],
    [2000, 1_000_000],
  ])("waits the right delay on failure %i", (failures, delayMs) => {
    const backoff = new ItemExponentialBackoff();
    let last = 0;
    for (let i = 0; i < failures; i++) last = backoff.when("k");
    expect(last).toBe(delayMs);
  });
});

describe("runWorkers", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never runs a key on two workers at once, and reruns keys added meanwhile", async () => {
    const queue = new WorkQueue();
    const active = new Map<string, number>();
    const passes = new Map<string, number>();
    let running = 0;
    let maxRunning = 0;
    let maxPerKey = 0;
    const handler = async (key: string): Promise<Result> => {
      active.set(key, (active.get(key) ?? 0) + 1);
      passes.set(key, (passes.get(key) ?? 0) + 1);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      maxPerKey = Math.max(maxPerKey, active.get(key) ?? 0);
      // Every key is added again while it is being processed, from inside and outside.
      queue.add(key);
      await new Promise((resolve) => setTimeout(resolve, 10));
      queue.add(key);
      running -= 1;
      active.set(key, (active.get(key) ?? 0) - 1);
      return {};
    };
    const workers = runWorkers(queue, 4, handler);
    const keys = ["a", "b", "c", "d", "e", "f"];
    for (let round = 0; round < 20; round++) {
      for (const key of keys) queue.add(key);
      await vi.advanceTimersByTimeAsync(3);
    }
    await vi.advanceTimersByTimeAsync(100);
    queue.shutDown();
    await vi.advanceTimersByTimeAsync(20);
    await workers;
    expect(maxPerKey).toBe(1);
    expect(maxRunning).toBe(4);
    for (const key of keys) expect(passes.get(key)).toBeGreaterThan(2);
  });

  it("runs at most `concurrency` handlers at once", async () => {
    const queue = new WorkQueue();
    let running = 0;
    let maxRunning = 0;
    const handled: string[] = [];
    const workers = runWorkers(queue, 3, async (key) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running -= 1;
      handled.push(key);
      return {};
    });
    for (let i = 0; i < 10; i++) queue.add(`k${i}`);
    await vi.advanceTimersByTimeAsync(10);
    expect(running).toBe(3);
    expect(queue.len()).toBe(7);
    await vi.advanceTimersByTimeAsync(200);
    expect(handled).toHaveLength(10);
    expect(maxRunning).toBe(3);
    queue.shutDown();
    await workers;
  });

  it("processes a key again after the requeueAfterMs it returned, not before", async () => {
    const queue = new WorkQueue();
    const seen: number[] = [];
    const workers = runWorkers(queue, 1, (key) => {
      seen.push(Date.now());
      return Promise.resolve(key === "a" && seen.length === 1 ? { requeueAfterMs: 30_000 } : {});
    });
    const start = Date.now();
    queue.add("a");
    await vi.advanceTimersByTimeAsync(29_999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.map((t) => t - start)).toEqual([0, 30_000]);
    queue.shutDown();
    await workers;
  });

  it("retries a failing key with growing backoff and forgets it on success", async () => {
    const queue = new WorkQueue();
    const attempts: number[] = [];
    const events: WorkerFinished[] = [];
    const start = Date.now();
    const workers = runWorkers(
      queue,
      2,
      (key) => {
        attempts.push(Date.now() - start);
        if (attempts.length <= 3) return Promise.reject(new Error(`${key} failed`));
        return Promise.resolve({});
      },
      { onEvent: (e) => e.type === "finished" && events.push(e) },
    );
    queue.add("a");
    await vi.advanceTimersByTimeAsync(1000);
    // Failures at 0, 5 (after 5 ms), 15 (after 10 ms); success at 35 (after 20 ms).
    expect(attempts).toEqual([0, 5, 15, 35]);
    expect(events.map((e) => [e.result, e.requeueAfterMs, e.failure?.requeues])).toEqual([
      ["error", 5, 1],
      ["error", 10, 2],
      ["error", 20, 3],
      ["success", undefined, undefined],
    ]);
    expect(queue.numRequeues("a")).toBe(0);
    queue.shutDown();
    await workers;
  });

  it.each<[string, ErrorDisposition, number[], WorkerFinished["result"], number]>([
    ["requeues a conflict at once without counting a failure", "requeue-now", [0, 0], "requeue", 0],
    ["drops a key that cannot succeed until it changes", "no-retry", [0], "error", 0],
    ["waits for a prerequisite", { requeueAfterMs: 30_000 }, [0, 30_000], "requeue_after", 0],
  ])("%s", async (_name, disposition, attemptTimes, result, requeues) => {
    const queue = new WorkQueue();
    const attempts: number[] = [];
    const events: WorkerFinished[] = [];
    const start = Date.now();
    const workers = runWorkers(
      queue,
      1,
      () => {
        attempts.push(Date.now() - start);
        return attempts.length === 1 ? Promise.reject(new Error("boom")) : Promise.resolve({});
      },
      {
        classify: () => disposition,
        onEvent: (e) => e.type === "finished" && events.push(e),
      },
    );
    queue.add("a");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toEqual(attemptTimes);
    expect(events[0]?.result).toBe(result);
    expect(events[0]?.failure?.disposition).toEqual(disposition);
    expect(queue.numRequeues("a")).toBe(requeues);
    queue.shutDown();
    await workers;
  });

  it("brings a requeue-after back behind the tenants that changed meanwhile", async () => {
    const queue = new WorkQueue();
    const handled: string[] = [];
    const workers = runWorkers(queue, 1, async (key) => {
      handled.push(key);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return key === "polling" && handled.length === 1 ? { requeueAfterMs: 100 } : {};
    });
    queue.add("polling");
    await vi.advanceTimersByTimeAsync(105);
    queue.add("ns/a", "changed");
    // "polling" comes due at 110 while the one worker is busy with "ns/a"; "ns/b" comes after.
    await vi.advanceTimersByTimeAsync(7);
    queue.add("ns/b");
    await vi.advanceTimersByTimeAsync(100);
    expect(handled).toEqual(["polling", "ns/a", "ns/b", "polling"]);
    queue.shutDown();
    await workers;
  });

  it("stops its workers when the queue shuts down", async () => {
    const queue = new WorkQueue();
    const workers = runWorkers(queue, 4, () => Promise.resolve({}));
    queue.shutDown();
    await expect(workers).resolves.toBeUndefined();
  });

  it("lets a drain wait for the reconcile in flight", async () => {
    const queue = new WorkQueue();
    const release = gate();
    let finished = false;
    const workers = runWorkers(queue, 1, async () => {
      await release.opened;
      finished = true;
      return {};
    });
    queue.add("a");
    await vi.advanceTimersByTimeAsync(0);
    const drained = queue.shutDownWithDrain();
    release.open();
    await drained;
    expect(finished).toBe(true);
    await workers;
  });

  it("exports the reconcile error counter at zero before any reconcile", async () => {
    const registry = new Registry();
    reconcileMetricsListener(createMetrics(registry), "financetracker", 2);
    expect(await registry.metrics()).toContain(
      'controller_runtime_reconcile_errors_total{controller="financetracker"} 0',
    );
  });

  it("refuses a concurrency below one", async () => {
    await expect(runWorkers(new WorkQueue(), 0, () => Promise.resolve({}))).rejects.toThrow(
      RangeError,
    );
  });

  it("records controller-runtime's reconcile metrics through the listener", async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const queue = new WorkQueue();
    const listener = reconcileMetricsListener(metrics, "financetracker", 4);
    const seen: WorkerEvent["type"][] = [];
    const ok = () => Promise.resolve({});
    const outcomes: Record<string, () => Promise<Result>> = {
      ok,
      later: () => Promise.resolve({ requeueAfterMs: 60_000 }),
      fails: () => Promise.reject(new Error("boom")),
      conflict: () => Promise.reject(new Error("409")),
    };
    const passes = new Set<string>();
    const workers = runWorkers(
      queue,
      4,
      async (key) => {
        // The first pass of each key takes 250 ms and ends its own way; later passes succeed.
        if (passes.has(key)) return {};
        passes.add(key);
        await new Promise((resolve) => setTimeout(resolve, 250));
        return (outcomes[key] ?? ok)();
      },
      {
        classify: (e) => (e instanceof Error && e.message === "409" ? "requeue-now" : "retry"),
        onEvent: (event) => {
          seen.push(event.type);
          listener(event);
        },
      },
    );
    for (const key of Object.keys(outcomes)) queue.add(key);
    await vi.advanceTimersByTimeAsync(300);
    const text = await registry.metrics();
    queue.shutDown();
    await vi.advanceTimersByTimeAsync(1000);
    await workers;
    const c = 'controller="financetracker"';
    // ok, then the second passes of the conflict (at once) and the failure (after 5 ms).
    expect(text).toContain(`controller_runtime_reconcile_total{${c},result="success"} 3`);
    expect(text).toContain(`controller_runtime_reconcile_total{${c},result="requeue_after"} 1`);
    expect(text).toContain(`controller_runtime_reconcile_total{${c},result="error"} 1`);
    expect(text).toContain(`controller_runtime_reconcile_total{${c},result="requeue"} 1`);
    expect(text).toContain(`controller_runtime_reconcile_errors_total{${c}} 1`);
    expect(text).toContain(`controller_runtime_reconcile_time_seconds_count{${c}} 6`);
    expect(text).toContain(`controller_runtime_reconcile_time_seconds_sum{${c}} 1`);
    expect(text).toContain(`controller_runtime_max_concurrent_reconciles{${c}} 4`);
    expect(text).toContain(`controller_runtime_active_workers{${c}} 0`);
    expect(seen.slice(0, 4)).toEqual(["started", "started", "started", "started"]);
  });
});
