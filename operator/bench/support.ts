import { readFileSync } from "node:fs";
import { ApiException } from "@kubernetes/client-node";
import { parseArgs } from "node:util";
import { metricValue, scrape } from "../test/harness/operator.ts";

/** What one benchmark run is asked to do. */
export interface BenchOptions {
  tenants: number;
  /** The operator's FINTRACK_CONCURRENCY. */
  concurrency: number;
  /** How many FinanceTracker creates are in flight at once. */
  createConcurrency: number;
  /** Give up waiting for Ready (or for the idle pass) after this long. */
  timeoutSeconds: number;
  /** The operator's NODE_OPTIONS, to try V8 flags; what the Deployment sets when absent. */
  nodeOptions: string | undefined;
  /** Operator replicas: 1 works alone; more share the tenants with --shards=auto. */
  shards: number;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer`);
  return n;
}

/**
 * Parses `--tenants N [--concurrency C] [--create-concurrency K] [--timeout-seconds S]
 * [--node-options "--max-semi-space-size=2 ..."] [--shards R]`.
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      tenants: { type: "string" },
      concurrency: { type: "string" },
      "create-concurrency": { type: "string" },
      "timeout-seconds": { type: "string" },
      "node-options": { type: "string" },
      shards: { type: "string" },
    },
    strict: true,
  });
  return {
    tenants: positiveInt("tenants", values.tenants, 200),
    concurrency: positiveInt("concurrency", values.concurrency, 4),
    createConcurrency: positiveInt("create-concurrency", values["create-concurrency"], 16),
    timeoutSeconds: positiveInt("timeout-seconds", values["timeout-seconds"], 900),
    nodeOptions: values["node-options"],
    shards: positiveInt("shards", values.shards, 1),
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects on the first failure. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `fn()`, called again after a second for as long as the API server answers 429: it does so for
 * a while whenever a CRD is updated (its storage re-initializes), which tests running on the same
 * cluster do. Anything else is thrown.
 */
export async function patiently<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 429)) throw error;
      await sleep(1000, signal);
    }
  }
}

/** A `VmRSS`/`VmHWM`-style field of /proc/<pid>/status in KiB, or undefined when unreadable. */
export function procStatusKiB(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(
      readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return match?.[1] ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Polls a process's resident set size; `peakKiB` combines the polled maximum with VmHWM. */
export class RssSampler {
  readonly #pid: number | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #maxKiB = 0;

  constructor(pid: number | undefined, intervalMs = 250) {
    this.#pid = pid;
    if (pid === undefined) return;
    this.#timer = setInterval(() => {
      this.#maxKiB = Math.max(this.#maxKiB, procStatusKiB(pid, "VmRSS") ?? 0);
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops polling; the kernel's high-water mark covers spikes between polls. Read before exit. */
  stop(): number | undefined {
    clearInterval(this.#timer);
    if (this.#pid === undefined) return undefined;
    const peak = Math.max(this.#maxKiB, procStatusKiB(this.#pid, "VmHWM") ?? 0);
    return peak > 0 ? peak : undefined;
  }
}

/** The write verbs the operator's rest_client_requests_total counts. */
export const writeVerbs = ["PATCH", "POST", "DELETE"] as const;
export type WriteCounts = Record<(typeof writeVerbs)[number], number> & { total: number };

/** The operator's API writes so far, by verb, from its /metrics. */
export async function writeCounts(metricsUrl: string): Promise<WriteCounts> {
  const [PATCH, POST, DELETE] = await Promise.all(
    writeVerbs.map((method) => metricValue(metricsUrl, "rest_client_requests_total", { method })),
  );
  const counts = { PATCH: PATCH ?? 0, POST: POST ?? 0, DELETE: DELETE ?? 0 };
  return { ...counts, total: counts.PATCH + counts.POST + counts.DELETE };
}

/** `after - before`, verb by verb. */
export function writesBetween(before: WriteCounts, after: WriteCounts): WriteCounts {
  return {
    PATCH: after.PATCH - before.PATCH,
    POST: after.POST - before.POST,
    DELETE: after.DELETE - before.DELETE,
    total: after.total - before.total,
  };
}

/** "PATCH 12, POST 3" for the verbs that were used, or "none". */
export function describeWrites(counts: WriteCounts): string {
  const used = writeVerbs.filter((v) => counts[v] !== 0).map((v) => `${v} ${counts[v]}`);
  return used.length > 0 ? used.join(", ") : "none";
}

/** A plain-text table: a header row, a rule, then the rows, every column padded to fit. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The value at quantile `q` (0..1) of `values`, nearest-rank; undefined for none. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** A histogram's cumulative bucket counts (upper bound -> count), summed over series and replicas. */
export async function histogramBuckets(
  metricsUrls: readonly string[],
  name: string,
): Promise<Map<number, number>> {
  const buckets = new Map<number, number>();
  for (const url of metricsUrls) {
    const text = await scrape(url);
    for (const line of text.split("\n")) {
      if (!line.startsWith(`${name}_bucket{`)) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (le === undefined) continue;
      const bound = le === "+Inf" ? Infinity : Number(le);
      const count = Number(line.slice(line.lastIndexOf(" ") + 1));
      buckets.set(bound, (buckets.get(bound) ?? 0) + count);
    }
  }
  return buckets;
}

/**
 * The `q` quantile of what was observed between two readings of a histogram, as Prometheus'
 * histogram_quantile would bound it: the upper bound of the first bucket holding that share
 * (Infinity past the last finite bound); undefined when nothing was observed.
 */
export function bucketQuantile(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  q: number,
): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (bound: number) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
  const observed = delta(Infinity);
  if (observed <= 0) return undefined;
  return bounds.find((bound) => delta(bound) >= q * observed);
}
