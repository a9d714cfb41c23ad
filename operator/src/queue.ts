import type { Metrics, ReconcileResult } from "./metrics.ts";
import { RoundRobin } from "./round-robin.ts";

/**
 * A keyed work queue with client-go's workqueue semantics: a key waits at most once (the dirty
 * set); a key being processed is never handed to a second worker, and a key added meanwhile is
 * handed out again once `done` is called; delayed and rate-limited adds go through timers.
 * Workers get keys, not snapshots, and re-read the object each time.
 *
 * Unlike client-go's single FIFO, waiting keys sit in one of three lanes (see Lane), so that a
 * tenant someone just created or changed is not handed out after every key queued before it.
 */

/**
 * Why a key is queued. `changed`: its spec is new or changed, or it is being deleted; someone
 * waits for it. `observed`: something it owns or reports on changed (a child, a pod, a backup,
 * its own status); its status may have to follow. `periodic`: nothing is known to have changed
 * (the resync, the list at start, a requeue-after, a retry after a failure).
 *
 * `changed` and `observed` take turns. With `changed` strictly ahead, no tenant of a creation
 * burst could report Ready before every other had had its first pass (the "0 of 100 Ready"
 * of issue 15); with `observed` strictly ahead, a stream of pod events could hold back a new
 * tenant. Taking turns, a key at the head of its lane is handed out within two gets, whatever
 * waits in the other. `periodic` keys wait until neither has any: they are the bulk of a resync
 * or a restart, and no change hides among them, since every change also arrives as an event.
 * This is controller-runtime's priority queue (edge-triggered work ahead of the initial list and
 * resyncs) plus a fair share between spec changes and observations.
 *
 * Within a lane, namespaces take turns (RoundRobin), first in first out within each: a team that
 * creates 200 tenants in its namespace delays another team's new tenant by one key, not 200, as
 * the API server's priority and fairness does with namespaces as flows. With one tenant per
 * namespace (the README's layout) this is plain first in, first out.
 */
export type Lane = "changed" | "observed" | "periodic";

/** A waiting key added again for a higher-ranked reason moves to that lane; never down. */
const laneRank: Record<Lane, number> = { changed: 2, observed: 1, periodic: 0 };

/** Time and timers, injectable so tests decide when time passes. */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale (the epoch for the system clock). */
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels the call. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real clock. Reads the globals at call time, so vitest's fake timers apply to it. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => {
      clearTimeout(timer);
    };
  },
};

/** Where the queue reports what client-go's workqueue metrics provider would record. */
export interface QueueMetricsSink {
  /** Keys waiting to be handed out, including ones re-added while being processed. */
  setDepth(depth: number): void;
  /** A key was added that was not already waiting. */
  added(): void;
  /** Seconds between a key's add and the get that handed it out. */
  observeQueueDuration(seconds: number): void;
  /** Seconds between a get and the matching done. */
  observeWorkDuration(seconds: number): void;
  /** A key was added back with a delay (addAfter, addRateLimited). */
  retried(): void;
  /** Seconds of work in progress summed over keys being processed, and of the oldest of them. */
  setUnfinishedWork(totalSeconds: number, longestRunningSeconds: number): void;
}

/** A QueueMetricsSink writing the workqueue_* metrics of createMetrics for one controller. */
export function queueMetricsSink(
  metrics: Metrics,
  controller: string,
  name: string = controller,
): QueueMetricsSink {
  const labels = { name, controller };
  return {
    setDepth: (depth) => {
      metrics.workqueueDepth.set(labels, depth);
    },
    added: () => {
      metrics.workqueueAddsTotal.inc(labels);
    },
    observeQueueDuration: (seconds) => {
      metrics.workqueueQueueDurationSeconds.observe(labels, seconds);
    },
    observeWorkDuration: (seconds) => {
      metrics.workqueueWorkDurationSeconds.observe(labels, seconds);
    },
    retried: () => {
      metrics.workqueueRetriesTotal.inc(labels);
    },
    setUnfinishedWork: (totalSeconds, longestRunningSeconds) => {
      metrics.workqueueUnfinishedWorkSeconds.set(labels, totalSeconds);
      metrics.workqueueLongestRunningProcessorSeconds.set(labels, longestRunningSeconds);
    },
  };
}

/**
 * client-go's ItemExponentialFailureRateLimiter: the n-th consecutive failure of a key waits
 * base * 2^(n-1), capped; `forget` starts the key over.
 */
export class ItemExponentialBackoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  private readonly failures = new Map<string, number>();

  constructor(baseDelayMs = 5, maxDelayMs = 1_000_000) {
    this.baseDelayMs = baseDelayMs;
    this.maxDelayMs = maxDelayMs;
  }

  /** Records one more failure of `key` and returns how long to wait before retrying it. */
  when(key: string): number {
    const previous = this.failures.get(key) ?? 0;
    this.failures.set(key, previous + 1);
    // 2 ** n overflows to Infinity long after the cap, and Math.min handles Infinity.
    return Math.min(this.baseDelayMs * 2 ** previous, this.maxDelayMs);
  }

  /** Clears the failures of `key`. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many consecutive failures `key` has had. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface WorkQueueOptions {
  clock?: Clock;
  metrics?: QueueMetricsSink;
  backoff?: ItemExponentialBackoff;
  /** How often unfinished work is reported to `metrics`; client-go uses 500 ms. */
  unfinishedWorkPeriodMs?: number;
  /** The group that takes turns within a lane; the namespace of a `namespace/name` key by default. */
  groupOf?: (key: string) => string;
}

/** The namespace of a `namespace/name` key (client-go's MetaNamespaceKeyFunc); "" without one. */
export function namespaceOf(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

interface Delayed {
  readyAt: number;
  cancel: () => void;
}

/** A keyed, de-duplicating, rate-limited work queue (see the module comment). */
export class WorkQueue {
  private readonly clock: Clock;
  private readonly sink: QueueMetricsSink | undefined;
  private readonly backoff: ItemExponentialBackoff;
  /**
   * Keys ready to be handed out, per lane. Invariant: every one is dirty and not processing,
   * and sits in the lane `dirty` names for it.
   */
  private readonly lanes: Record<Lane, RoundRobin>;
  /** Keys that need processing, with their lane: ready ones, and ones added while processed. */
  private readonly dirty = new Map<string, Lane>();
  /** Which of the two turn-taking lanes handed out a key last; `changed` goes first. */
  private lastTurn: "changed" | "observed" = "observed";
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private readonly drainers: (() => void)[] = [];
  /** Per key being released, what to call once its worker marks it done. */
  private readonly releasers = new Map<string, (() => void)[]>();
  private stopReporting: (() => void) | undefined;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sink = options.metrics;
    this.backoff = options.backoff ?? new ItemExponentialBackoff();
    const groupOf = options.groupOf ?? namespaceOf;
    this.lanes = {
      changed: new RoundRobin(groupOf),
      observed: new RoundRobin(groupOf),
      periodic: new RoundRobin(groupOf),
    };
    if (this.sink) this.reportUnfinishedWork(options.unfinishedWorkPeriodMs ?? 500);
  }

  /**
   * Queues `key` in `lane` unless it is already waiting; a key being processed waits for its
   * `done`. A waiting key added for a higher-ranked reason moves to the back of that lane.
   */
  add(key: string, lane: Lane = "observed"): void {
    if (this.shuttingDown) return;
    const waiting = this.dirty.get(key);
    if (waiting !== undefined) {
      if (laneRank[lane] > laneRank[waiting]) this.promote(key, waiting, lane);
      return;
    }
    this.dirty.set(key, lane);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    this.sink?.added();
    this.sink?.setDepth(this.dirty.size);
    if (this.processing.has(key)) return;
    this.lanes[lane].add(key);
    this.dispatch();
  }

  /**
   * Adds `key` to the periodic lane after `ms`: a requeue-after or a retry. A key already waiting
   * for a delay keeps the earlier of the two deadlines, so repeated calls never postpone it.
   */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.sink?.retried();
    if (ms <= 0) {
      this.add(key, "periodic");
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key, "periodic");
    }, ms);
    this.delayed.set(key, { readyAt, cancel });
  }

  /** Adds `key` after its exponential backoff (one more failure) and returns the delay in ms. */
  addRateLimited(key: string): number {
    const ms = this.backoff.when(key);
    this.addAfter(key, ms);
    return ms;
  }

  /** Clears the failures of `key`, so its next rate-limited add waits the base delay. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** How many consecutive rate-limited adds `key` has had since it was last forgotten. */
  numRequeues(key: string): number {
    return this.backoff.numRequeues(key);
  }

  /**
   * The next key to process, once there is one; undefined once the queue shuts down. The caller
   * owns the key until it calls `done(key)`.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /**
   * Lets `key` go (a tenant moving to another shard): drops it wherever it waits, forgets its
   * failures, and resolves once no worker holds it, so nothing of this queue writes it any more.
   * A later add queues it again; the caller's reconcile must then find it is no longer its own.
   */
  async release(key: string): Promise<void> {
    const lane = this.dirty.get(key);
    if (lane !== undefined) {
      this.dirty.delete(key);
      this.lanes[lane].delete(key);
      this.addedAt.delete(key);
      this.sink?.setDepth(this.dirty.size);
    }
    this.delayed.get(key)?.cancel();
    this.delayed.delete(key);
    this.backoff.forget(key);
    if (!this.processing.has(key)) return;
    await new Promise<void>((resolve) => {
      this.releasers.set(key, [...(this.releasers.get(key) ?? []), resolve]);
    });
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    for (const released of this.releasers.get(key) ?? []) released();
    this.releasers.delete(key);
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.sink?.observeWorkDuration(this.secondsSince(started));
    const lane = this.dirty.get(key);
    if (lane !== undefined) {
      this.lanes[lane].add(key);
      this.dispatch();
    }
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Keys ready to be handed out (neither being processed nor waiting for a delay). */
  len(): number {
    const { changed, observed, periodic } = this.lanes;
    return changed.size + observed.size + periodic.size;
  }

  /** Whether shutDown was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops the queue: waiting and later getters receive undefined, adds are ignored, keys not yet
   * handed out and delayed adds are dropped (the informers list everything again on start).
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.stopReporting?.();
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    for (const lane of Object.values(this.lanes)) lane.clear();
    this.dirty.clear();
    this.addedAt.clear();
    this.sink?.setDepth(0);
    for (const getter of this.getters.splice(0)) getter(undefined);
    if (this.processing.size === 0) this.notifyDrained();
  }

  /** Shuts down, then waits until every key handed out has been marked done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainers.push(resolve));
  }

  private notifyDrained(): void {
    for (const drained of this.drainers.splice(0)) drained();
  }

  /** Moves a waiting key up; one being processed only changes the lane it returns to. */
  private promote(key: string, from: Lane, to: Lane): void {
    this.dirty.set(key, to);
    if (this.lanes[from].delete(key)) this.lanes[to].add(key);
  }

  /** `changed` and `observed` take turns while both hold keys; `periodic` waits for both. */
  private nextLane(): Lane | undefined {
    const { changed, observed, periodic } = this.lanes;
    if (changed.size > 0 && (observed.size === 0 || this.lastTurn === "observed")) {
      this.lastTurn = "changed";
      return "changed";
    }
    if (observed.size > 0) {
      this.lastTurn = "observed";
      return "observed";
    }
    return periodic.size > 0 ? "periodic" : undefined;
  }

  private take(): string | undefined {
    const lane = this.nextLane();
    if (lane === undefined) return undefined;
    const key = this.lanes[lane].shift();
    if (key === undefined) return undefined;
    const now = this.clock.now();
    this.dirty.delete(key);
    this.processing.add(key);
    this.startedAt.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.sink?.observeQueueDuration((now - added) / 1000);
    this.sink?.setDepth(this.dirty.size);
    return key;
  }

  private dispatch(): void {
    while (this.getters.length > 0 && this.len() > 0) {
      const getter = this.getters.shift();
      const key = this.take();
      getter?.(key);
    }
  }

  private secondsSince(ms: number): number {
    return (this.clock.now() - ms) / 1000;
  }

  // Reported on a timer, like client-go, because a stuck worker never reaches `done`.
  private reportUnfinishedWork(periodMs: number): void {
    const tick = () => {
      let total = 0;
      let longest = 0;
      for (const started of this.startedAt.values()) {
        const seconds = this.secondsSince(started);
        total += seconds;
        longest = Math.max(longest, seconds);
      }
      this.sink?.setUnfinishedWork(total, longest);
      this.stopReporting = this.clock.setTimer(tick, periodMs);
    };
    this.stopReporting = this.clock.setTimer(tick, periodMs);
  }
}

/** What a reconcile asks of the queue when it succeeds; `{}` means done until the next change. */
export interface Result {
  /** Process the key again after this long (a periodic check, waiting on a rollout). */
  requeueAfterMs?: number;
}

/**
 * How a thrown error is retried: `retry` backs off exponentially; `requeue-now` (a 409 conflict:
 * someone wrote in between) queues the key again at once without counting a failure; `no-retry`
 * (an invalid spec) forgets the key until the next change; `requeueAfterMs` (a missing
 * prerequisite) checks again after the delay without counting a failure.
 */
export type ErrorDisposition = "retry" | "requeue-now" | "no-retry" | { requeueAfterMs: number };

/** A worker took a key. */
export interface WorkerStarted {
  type: "started";
  key: string;
}

/** A worker finished a key; emitted before the key is marked done. */
export interface WorkerFinished {
  type: "finished";
  key: string;
  /** The result label of controller_runtime_reconcile_total for this pass. */
  result: ReconcileResult;
  durationSeconds: number;
  /** When the key comes back by itself: its requeue delay or its backoff. */
  requeueAfterMs?: number;
  /** The thrown error and how it was classified; absent when the handler returned. */
  failure?: { error: unknown; disposition: ErrorDisposition; requeues: number };
}

export type WorkerEvent = WorkerStarted | WorkerFinished;

export interface RunWorkersOptions {
  /** Decides how a thrown error is retried; everything is `retry` without it. */
  classify?: (error: unknown) => ErrorDisposition;
  /** Told of every start and finish, to log and record metrics; the loop itself does neither. */
  onEvent?: (event: WorkerEvent) => void;
  /** Times the handler; the system clock by default. */
  clock?: Clock;
}

/**
 * Runs `concurrency` workers taking keys from `queue` and passing them to `handler`, until the
 * queue shuts down. Success forgets the key's failures; `requeueAfterMs` also adds it after the
 * delay; a thrown error is handled by its disposition. The key is always marked done, so a key
 * re-added meanwhile runs again, never concurrently. A throwing `onEvent` or `classify` is a bug:
 * it stops its worker and rejects the returned promise.
 */
export async function runWorkers(
  queue: WorkQueue,
  concurrency: number,
  handler: (key: string) => Promise<Result>,
  options: RunWorkersOptions = {},
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const workers = Array.from({ length: concurrency }, () => work(queue, handler, options));
  await Promise.all(workers);
}

async function work(
  queue: WorkQueue,
  handler: (key: string) => Promise<Result>,
  options: RunWorkersOptions,
): Promise<void> {
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    try {
      options.onEvent?.({ type: "started", key });
      const finished = await processKey(queue, key, handler, options);
      options.onEvent?.(finished);
    } finally {
      queue.done(key);
    }
  }
}

async function processKey(
  queue: WorkQueue,
  key: string,
  handler: (key: string) => Promise<Result>,
  { classify, clock = systemClock }: RunWorkersOptions,
): Promise<WorkerFinished> {
  const started = clock.now();
  let outcome: Omit<WorkerFinished, "type" | "key" | "durationSeconds">;
  try {
    outcome = succeeded(queue, key, await handler(key));
  } catch (error) {
    outcome = failed(queue, key, error, classify?.(error) ?? "retry");
  }
  return { type: "finished", key, durationSeconds: (clock.now() - started) / 1000, ...outcome };
}

function succeeded(queue: WorkQueue, key: string, { requeueAfterMs }: Result) {
  queue.forget(key);
  if (requeueAfterMs === undefined || requeueAfterMs <= 0) return { result: "success" as const };
  queue.addAfter(key, requeueAfterMs);
  return { result: "requeue_after" as const, requeueAfterMs };
}

function failed(queue: WorkQueue, key: string, error: unknown, disposition: ErrorDisposition) {
  switch (disposition) {
    case "retry": {
      const requeueAfterMs = queue.addRateLimited(key);
      const failure = { error, disposition, requeues: queue.numRequeues(key) };
      return { result: "error" as const, requeueAfterMs, failure };
    }
    case "requeue-now": {
      // The key is being processed, so this marks it dirty: it runs again right after done.
      // Someone else wrote in between: news about the object, like any watch event.
      queue.add(key, "observed");
      const failure = { error, disposition, requeues: queue.numRequeues(key) };
      return { result: "requeue" as const, requeueAfterMs: 0, failure };
    }
    case "no-retry":
      queue.forget(key);
      return { result: "error" as const, failure: { error, disposition, requeues: 0 } };
    default:
      queue.forget(key);
      queue.addAfter(key, disposition.requeueAfterMs);
      return {
        result: "requeue_after" as const,
        requeueAfterMs: disposition.requeueAfterMs,
        failure: { error, disposition, requeues: 0 },
      };
  }
}

/**
 * An onEvent listener recording controller-runtime's reconcile metrics for `controller`:
 * reconcile_total by result, reconcile_time_seconds, reconcile_errors_total (passes that ended
 * with result `error`) and active_workers; sets max_concurrent_reconciles to `concurrency`.
 */
export function reconcileMetricsListener(
  metrics: Metrics,
  controller: string,
  concurrency: number,
): (event: WorkerEvent) => void {
  const labels = { controller };
  metrics.maxConcurrentReconciles.set(labels, concurrency);
  metrics.activeWorkers.set(labels, 0);
  // At zero from the start, as controller-runtime does: the dashboard's error rate then reads 0
  // instead of "No data" until the first error.
  metrics.reconcileErrorsTotal.inc(labels, 0);
  return (event) => {
    if (event.type === "started") {
      metrics.activeWorkers.inc(labels);
      return;
    }
    metrics.activeWorkers.dec(labels);
    metrics.reconcileTotal.inc({ controller, result: event.result });
    metrics.reconcileTimeSeconds.observe(labels, event.durationSeconds);
    if (event.result === "error") metrics.reconcileErrorsTotal.inc(labels);
  };
}
