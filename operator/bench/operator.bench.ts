// The operator under load: N tenants created at once on the local control plane, timed until all
// are Ready, with its API writes, an idle resync and its peak memory; and, in the same run, a
// baseline that only writes the same children with server-side apply. The burst's middle tenant,
// and a tenant of another namespace created at the same moment, are timed to their first Ready
// next to the same tenant created alone on the idle operator just before: how long a newcomer
// waits behind a burst. Prints figures, asserts nothing.
// Usage: npm run bench:operator -- [--tenants 200] [--concurrency 4]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { KubeConfig } from "@kubernetes/client-node";
import type { FinanceTracker } from "../src/api/v1alpha1.ts";
import { desiredObjects } from "../src/desired.ts";
import { KubeApi } from "../src/kube/api.ts";
import { withAppliedHash } from "../src/kube/drift.ts";
import { RestClient } from "../src/kube/rest.ts";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import { adminKubeConfig, kubectl, repoRoot } from "../test/harness/cluster.ts";
import { installCrd } from "../test/harness/manifests.ts";
import { operatorKubeconfig } from "../test/harness/operator.ts";
import { timeToReady, type ProbeTimes } from "./probe.ts";
import { Replicas } from "./replicas.ts";
import {
  describeWrites,
  formatTable,
  mapBounded,
  parseBenchOptions,
  procStatusKiB,
  quantile,
  bucketQuantile,
  histogramBuckets,
  sleep,
  writesBetween,
  type BenchOptions,
  type WriteCounts,
} from "./support.ts";
import {
  createNamespace,
  createTrackers,
  deleteNamespace,
  isReady,
  listTrackers,
  minimalSpec,
  releaseFinalizers,
  tenantNames,
  waitEarlierRunsGone,
} from "./tenants.ts";

const baselineConcurrency = 4;
/** What the image runs (Dockerfile.operator), built at the start of the run. */
const shippedEntry = "operator/dist/main.js";
/** NODE_OPTIONS as the Deployment sets it (config/manager/manager.yaml), so V8 runs as it ships. */
function shippedNodeOptions(): string {
  const manifest = readFileSync(join(repoRoot, "config/manager/manager.yaml"), "utf8");
  const value = /- name: NODE_OPTIONS\n\s+value: (.+)\n/.exec(manifest)?.[1];
  if (!value) throw new Error("config/manager/manager.yaml sets no NODE_OPTIONS");
  return value.trim();
}
const pollMs = 500;
const serviceMonitorCrd = "servicemonitors.monitoring.coreos.com";

const options = parseBenchOptions(process.argv.slice(2));
const abort = new AbortController();
const { signal } = abort;
for (const name of ["SIGINT", "SIGTERM"] as const) {
  process.once(name, () => {
    abort.abort(new Error(`interrupted by ${name}`));
  });
}
const admin = new RestClient(adminKubeConfig());
const benchStart = performance.now();

function say(line: string): void {
  const at = ((performance.now() - benchStart) / 1000).toFixed(1).padStart(6);
  console.log(`[${at}s] ${line}`);
}

const seconds = (fromMs: number, toMs = performance.now()) => (toMs - fromMs) / 1000;

/** A tenant timed on its own: its name, when it was created, and its way to Ready. */
interface Probe {
  namespace: string;
  name: string;
  /** Seconds from the burst's first create to this tenant's (0 for a tenant created alone). */
  createdAfter: number;
  times: ProbeTimes;
}

interface ReadyRun {
  seconds: number;
  /** Seconds from the first create until each tenant was first seen Ready. */
  perTenant: number[];
  createSeconds: number;
  /** Since the burst started; the writes for the tenant created alone are not counted. */
  writesAtReady: WriteCounts;
  /** Created when half the burst was: its middle tenant, and one in another namespace. */
  newcomers: Probe[];
}

/** Creates one tenant and times it to Ready from the moment its create returned. */
async function createAndTime(
  namespace: string,
  name: string,
  burstStart: number,
  stop: AbortSignal = signal,
): Promise<Probe> {
  await createTrackers(admin, namespace, [name], 1);
  const createdAt = performance.now();
  const times = await timeToReady(admin, namespace, name, createdAt, {
    timeoutSeconds: options.timeoutSeconds,
    signal: stop,
  });
  return { namespace, name, createdAfter: seconds(burstStart, createdAt), times };
}

/**
 * Creates the tenants as fast as allowed, then LISTs every 500 ms until all report Ready. Once
 * the first half exist, the middle tenant and a `newcomer` in `otherNamespace` are created on
 * their own, while the second half is being created, and timed to Ready from their own creates.
 */
async function createAndWaitReady(
  [namespace, otherNamespace]: [string, string],
  names: readonly string[],
  replicas: Replicas,
  writesBefore: WriteCounts,
): Promise<ReadyRun> {
  const started = performance.now();
  const half = Math.floor(names.length / 2);
  const [first, middle, rest] = [names.slice(0, half), names[half] ?? "", names.slice(half + 1)];
  await createTrackers(admin, namespace, first, options.createConcurrency);
  const stopProbe = new AbortController();
  const stop = AbortSignal.any([signal, stopProbe.signal]);
  const probe = Promise.all([
    createAndTime(namespace, middle, started, stop),
    createAndTime(otherNamespace, "newcomer", started, stop),
  ]);
  // Awaited below; until then a failure must not count as unhandled.
  probe.catch(() => undefined);
  try {
    return await waitBurstReady(namespace, names, rest, { replicas, writesBefore, started, probe });
  } finally {
    // A failed burst must not leave the probe polling the API server.
    stopProbe.abort();
  }
}

async function waitBurstReady(
  namespace: string,
  names: readonly string[],
  rest: readonly string[],
  run: {
    replicas: Replicas;
    writesBefore: WriteCounts;
    started: number;
    probe: Promise<Probe[]>;
  },
): Promise<ReadyRun> {
  const { replicas, writesBefore, started, probe } = run;
  await createTrackers(admin, namespace, rest, options.createConcurrency);
  const createSeconds = seconds(started);
  say(`created ${names.length} FinanceTrackers in ${createSeconds.toFixed(2)} s`);
  const wanted = new Set(names);
  const readyAt = new Map<string, number>();
  let lastReport = performance.now();
  for (;;) {
    const items = (await listTrackers(admin, namespace)).filter((t) => wanted.has(t.metadata.name));
    const now = performance.now();
    for (const t of items.filter(isReady)) {
      if (!readyAt.has(t.metadata.name)) readyAt.set(t.metadata.name, seconds(started, now));
    }
    if (readyAt.size >= names.length) {
      return {
        seconds: seconds(started, now),
        perTenant: [...readyAt.values()],
        createSeconds,
        writesAtReady: writesBetween(writesBefore, await replicas.writes()),
        newcomers: await probe,
      };
    }
    if (seconds(started, now) > options.timeoutSeconds) throw notReadyError(items, names.length);
    if (now - lastReport > 10_000) {
      const waiting = items.find((t) => !isReady(t));
      const why = waiting ? readyMessage(waiting) : "not all created yet";
      say(`  ${readyAt.size}/${names.length} Ready; e.g. ${why}`);
      lastReport = now;
    }
    await sleep(pollMs, signal);
  }
}

/** "t-007: Progressing: app: 0/1 available": what a tenant's Ready condition says. */
function readyMessage(tracker: FinanceTracker): string {
  const ready = tracker.status?.conditions?.find((c) => c.type === "Ready");
  return `${tracker.metadata.name}: ${ready ? `${ready.reason}: ${ready.message}` : "no status"}`;
}

function notReadyError(items: readonly FinanceTracker[], wanted: number): Error {
  const waiting = items
    .filter((t) => !isReady(t))
    .slice(0, 5)
    .map((t) => `  ${readyMessage(t)}`);
  return new Error(
    `only ${items.filter(isReady).length}/${wanted} tenants Ready after ` +
      `${options.timeoutSeconds} s; some that are not:\n${waiting.join("\n")}`,
  );
}

/**
 * Waits until the operator is quiet: empty queue, no reconcile running, and no write for 3 s,
 * so that a later count of writes is not polluted by the tail of earlier work.
 */
async function waitQuiet(replicas: Replicas, limitSeconds = 120): Promise<boolean> {
  const started = performance.now();
  let last = -1;
  let quietSince = performance.now();
  while (seconds(started) < limitSeconds) {
    const [writes, depth, active] = await Promise.all([
      replicas.writes(),
      replicas.sum("workqueue_depth"),
      replicas.sum("controller_runtime_active_workers"),
    ]);
    if (writes.total !== last || depth > 0 || active > 0) {
      last = writes.total;
      quietSince = performance.now();
    } else if (seconds(quietSince) >= 3) {
      return true;
    }
    await sleep(250, signal);
  }
  return false;
}

interface IdlePass {
  reconciles: number;
  writes: WriteCounts;
  seconds: number;
}

/**
 * One idle pass: annotating every FinanceTracker changes metadata but not spec, which enqueues
 * each tenant while nothing is left to change. Waits for at least N reconciles, then for quiet.
 */
async function idleResync(namespace: string, replicas: Replicas): Promise<IdlePass> {
  const reconciles = () => replicas.sum("controller_runtime_reconcile_total");
  const [writesBefore, reconcilesBefore] = [await replicas.writes(), await reconciles()];
  const started = performance.now();
  kubectl([
    "annotate",
    "financetrackers.fintrack.dev",
    "--all",
    "-n",
    namespace,
    `bench.fintrack.dev/touched=${Date.now()}`,
    "--overwrite",
  ]);
  for (;;) {
    if ((await reconciles()) - reconcilesBefore >= options.tenants) break;
    if (seconds(started) > options.timeoutSeconds)
      throw new Error("the idle pass did not reconcile every tenant in time");
    await sleep(100, signal);
  }
  const passSeconds = seconds(started);
  await waitQuiet(replicas);
  return {
    reconciles: (await reconciles()) - reconcilesBefore,
    writes: writesBetween(writesBefore, await replicas.writes()),
    seconds: passSeconds,
  };
}

/** Latency once converged, under a steady trickle of changes. */
interface SteadyLoad {
  changes: number;
  /** p99 upper bounds from the operator's histograms, in seconds. */
  queueP99: number | undefined;
  reconcileP99: number | undefined;
}

const steadyChangesPerSecond = 10;
const steadySeconds = 20;

/**
 * The SLOs of the controller-sharding research, once converged: for 20 s, one tenant is
 * annotated every 100 ms (a change to observe, nothing to write); then the p99 of queue and
 * reconcile latency over just that window, from the operator's own histograms.
 */
async function steadyLoad(
  namespace: string,
  names: readonly string[],
  replicas: Replicas,
): Promise<SteadyLoad> {
  const urls = replicas.processes.map((p) => p.metricsUrl);
  const queue = "workqueue_queue_duration_seconds";
  const work = "controller_runtime_reconcile_time_seconds";
  const [queueBefore, workBefore] = [
    await histogramBuckets(urls, queue),
    await histogramBuckets(urls, work),
  ];
  const started = performance.now();
  let changes = 0;
  while (seconds(started) < steadySeconds) {
    const name = names[changes % names.length] ?? "";
    await admin.request(
      "PATCH",
      `/apis/fintrack.dev/v1alpha1/namespaces/${namespace}/financetrackers/${name}`,
      {
        body: { metadata: { annotations: { "bench.fintrack.dev/steady": String(changes) } } },
        contentType: "application/merge-patch+json",
      },
    );
    changes++;
    await sleep(1000 / steadyChangesPerSecond, signal);
  }
  await waitQuiet(replicas);
  return {
    changes,
    queueP99: bucketQuantile(queueBefore, await histogramBuckets(urls, queue), 0.99),
    reconcileP99: bucketQuantile(workBefore, await histogramBuckets(urls, work), 0.99),
  };
}

interface Baseline {
  seconds: number;
  objects: number;
}

/**
 * The same children for the same tenants, built by the operator's pure builders and written
 * once by KubeApi.apply under the operator's identity, 4 at a time: the floor for the writes.
 * The owning FinanceTrackers exist (created untimed, no operator watching) so that garbage
 * collection leaves the children alone while the baseline runs.
 */
async function baseline(namespace: string, names: readonly string[]): Promise<Baseline> {
  const owners = await createTrackers(admin, namespace, names, options.createConcurrency);
  const serviceMonitorAvailable = await new KubeApi(adminKubeConfig()).crdInstalled(
    serviceMonitorCrd,
  );
  const ctx = aContext({ serviceMonitorAvailable });
  const objects = owners.flatMap((owner) =>
    desiredObjects(
      aTracker({ metadata: owner.metadata, spec: minimalSpec(owner.metadata.name) }),
      ctx,
    ).map(withAppliedHash),
  );
  const identity = new KubeConfig();
  identity.loadFromFile(operatorKubeconfig());
  const api = new KubeApi(identity);
  const started = performance.now();
  await mapBounded(objects, baselineConcurrency, (o) => api.apply(o));
  return { seconds: seconds(started), objects: objects.length };
}

async function kubernetesVersion(): Promise<string> {
  const version = (await admin.request("GET", "/version")) as { gitVersion?: string };
  return version.gitVersion ?? "unknown";
}

interface Figures {
  /** The same spec as the burst's tenants, created alone on the idle operator before the burst. */
  alone: Probe;
  ready: ReadyRun;
  writesSettled: WriteCounts;
  idle: IdlePass;
  steady: SteadyLoad;
  memory: SettledMemory;
  /** RSS of the control plane's processes with the lone tenant and once converged, in KiB. */
  controlPlaneBeforeKiB: Map<string, number>;
  controlPlaneKiB: Map<string, number>;
  /** The machine's 1-minute load average when the last tenant turned Ready. */
  loadAtReady: number;
  baseline: Baseline;
}

/**
 * Each replica's memory once converged, next to the same with one tenant, before the burst: what
 * a tenant costs to keep, which the peak (garbage of the burst included) does not say.
 */
interface SettledMemory {
  /** Per replica, in order. */
  peakRssKiB: (number | undefined)[];
  heapUsedBeforeBytes: number[];
  heapUsedSettledBytes: number[];
  rssBeforeKiB: (number | undefined)[];
  rssSettledKiB: (number | undefined)[];
  /** The tenants each replica works on (all of them for one replica). */
  tenants: number[];
}

/** A histogram bound in seconds: "0.1 s", "∞", or n/a when nothing was observed. */
const formatBound = (s: number | undefined) =>
  s === undefined ? "n/a" : s === Infinity ? "∞" : `${String(s)} s`;

/** KiB as MiB with one decimal, or n/a. */
const mib = (kib: number | undefined) => (kib === undefined ? "n/a" : (kib / 1024).toFixed(1));
/** The known values, or undefined when any is unknown (a replica's /proc was unreadable). */
const known = (values: readonly (number | undefined)[]) =>
  values.every((v) => v !== undefined) ? values : undefined;
const total = (values: readonly (number | undefined)[]) =>
  known(values)?.reduce((a, b) => a + b, 0);
const largest = (values: readonly (number | undefined)[]) => {
  const all = known(values);
  return all ? Math.max(...all) : undefined;
};

/**
 * Live heap growth per tenant from one tenant to all of them, in KiB, each measured right after
 * full collections, over all replicas: what keeping a tenant costs the heap.
 */
function heapPerTenantKiB(memory: SettledMemory, tenants: number): number {
  const growth =
    (total(memory.heapUsedSettledBytes) ?? 0) - (total(memory.heapUsedBeforeBytes) ?? 0);
  return growth / 1024 / tenants;
}

/** RSS growth per tenant from one tenant to all (converged, before forced GC), over all replicas. */
function rssPerTenantKiB(memory: SettledMemory, tenants: number): number | undefined {
  const before = total(memory.rssBeforeKiB);
  const settled = total(memory.rssSettledKiB);
  return before === undefined || settled === undefined ? undefined : (settled - before) / tenants;
}

/** The local control plane's processes, by the pid files kwokctl keeps. */
function controlPlaneRssKiB(): Map<string, number> {
  const dir = join(repoRoot, ".cluster/kwok/clusters/fintrack/pids");
  const rss = new Map<string, number>();
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    const pid = Number(readFileSync(join(dir, file), "utf8").trim());
    const kib = Number.isInteger(pid) ? procStatusKiB(pid, "VmRSS") : undefined;
    if (kib !== undefined) rss.set(file.replace(/\.pid$/, ""), kib);
  }
  return rss;
}

function report(figures: Figures, settings: BenchOptions): void {
  const { ready, writesSettled, idle, memory } = figures;
  const perTenant = heapPerTenantKiB(memory, settings.tenants);
  const n = settings.tenants;
  const ratio = ready.seconds / figures.baseline.seconds;
  console.log("");
  console.log(
    formatTable(
      [
        "tenants",
        "replicas",
        "time to all Ready (s)",
        "writes per tenant",
        "writes during idle resync",
        "queue p99 steady",
        "reconcile p99 steady",
        "peak RSS, largest replica (MiB)",
        "RSS per tenant (KiB)",
        "live heap (MiB)",
        "live heap per tenant (KiB)",
        "baseline apply time (s)",
        "ratio",
        "load avg 1m at Ready",
      ],
      [
        [
          String(n),
          String(memory.tenants.length),
          ready.seconds.toFixed(1),
          (writesSettled.total / (n + ready.newcomers.length)).toFixed(2),
          String(idle.writes.total),
          formatBound(figures.steady.queueP99),
          formatBound(figures.steady.reconcileP99),
          mib(largest(memory.peakRssKiB)),
          rssPerTenantKiB(memory, n)?.toFixed(0) ?? "n/a",
          ((total(memory.heapUsedSettledBytes) ?? 0) / 2 ** 20).toFixed(1),
          perTenant.toFixed(0),
          figures.baseline.seconds.toFixed(2),
          `${ratio.toFixed(1)}x`,
          figures.loadAtReady.toFixed(2),
        ],
      ],
    ),
  );
  console.log(
    `ratio = operator time to all Ready / time to apply the same ${figures.baseline.objects} ` +
      `objects once: the rest is the operator's own work (finalizers, status, events, reads, ` +
      `a queue ${settings.concurrency} wide) and waiting for the controllers and kwok to make pods Ready.`,
  );
  console.log(
    "RSS per tenant = (RSS once converged - RSS with only the lone tenant) / tenants. Live heap = " +
      "heap in use right after full collections (asked for through the inspector), once converged; " +
      "per tenant = its growth from the lone tenant's. Load average on " +
      `${availableParallelism()} CPUs: the same figures mean less on a busier machine.`,
  );
  if (memory.tenants.length > 1) {
    console.log("");
    console.log(
      formatTable(
        ["replica", "tenants", "peak RSS (MiB)", "RSS converged (MiB)", "live heap (MiB)"],
        memory.tenants.map((owned, i) => [
          String(i),
          String(owned),
          mib(memory.peakRssKiB[i]),
          mib(memory.rssSettledKiB[i]),
          ((memory.heapUsedSettledBytes[i] ?? 0) / 2 ** 20).toFixed(1),
        ]),
      ),
    );
  }
  console.log("");
  console.log(controlPlaneTable(figures, n));
  console.log(projection(figures, n));
  console.log("");
  console.log(probeTable(figures.alone, ready.newcomers, n));
  console.log(
    "Each from the tenant's own create. workloads Ready = its PostgreSQL, Redis and app first " +
      "all ready (the cluster's part); operator lag = from then to its Ready condition (watch, " +
      "queue, one reconcile).",
  );
}

/** Each control plane process: RSS with the lone tenant, once converged, and per tenant. */
function controlPlaneTable(figures: Figures, tenants: number): string {
  return formatTable(
    ["control plane process", "RSS, one tenant (MiB)", "RSS converged (MiB)", "per tenant (KiB)"],
    [...figures.controlPlaneKiB].map(([component, kib]) => {
      const before = figures.controlPlaneBeforeKiB.get(component);
      return [
        component,
        mib(before),
        mib(kib),
        before === undefined ? "n/a" : ((kib - before) / tenants).toFixed(0),
      ];
    }),
  );
}

/**
 * What 10,000 tenants would take, from this run's per-tenant costs: the control plane's RSS, and
 * how many operator replicas of at most 256 MiB (each its baseline plus its tenants).
 */
function projection(figures: Figures, tenants: number): string {
  const target = 10_000;
  const { memory } = figures;
  let controlPlane = 0;
  for (const [component, kib] of figures.controlPlaneKiB) {
    const before = figures.controlPlaneBeforeKiB.get(component) ?? kib;
    controlPlane += before + ((kib - before) / tenants) * target;
  }
  const perTenant = rssPerTenantKiB(memory, tenants);
  const baseline = largest(memory.rssBeforeKiB);
  const replicas =
    perTenant === undefined || baseline === undefined || baseline >= 256 * 1024
      ? "n/a"
      : String(Math.ceil((perTenant * target) / (256 * 1024 - baseline)));
  return (
    `projected for ${target} tenants from these per-tenant figures: control plane RSS ` +
    `${(controlPlane / 2 ** 20).toFixed(1)} GiB; operator replicas of at most 256 MiB: ${replicas}`
  );
}

function probeTable(alone: Probe, newcomers: readonly Probe[], burst: number): string {
  const row = (what: string, { times }: Probe) => {
    const workloads = times.workloadsReady;
    return [
      what,
      times.ready.toFixed(1),
      workloads === undefined ? "n/a" : workloads.toFixed(1),
      workloads === undefined ? "n/a" : (times.ready - workloads).toFixed(1),
    ];
  };
  return formatTable(
    ["tenant", "time to first Ready (s)", "workloads Ready (s)", "operator lag (s)"],
    [
      row(`${alone.namespace}/${alone.name}, alone on the idle operator (baseline)`, alone),
      ...newcomers.map((p) =>
        row(
          `${p.namespace}/${p.name}, created ${p.createdAfter.toFixed(1)} s into a ` +
            `${burst}-tenant burst`,
          p,
        ),
      ),
    ],
  );
}

/** What must be undone whatever happens: the operator processes and the namespaces created. */
interface Session {
  namespaces: string[];
  replicas?: Replicas | undefined;
}

/**
 * Starts the operator (one replica, or --shards of them) on fresh namespaces, then: one tenant
 * alone to Ready (in a namespace other than the burst's, so the burst's LISTs and annotations
 * never see it), N tenants to Ready, settle, one idle pass.
 */
async function operatorPhase(
  session: Session,
  namespace: string,
  names: readonly string[],
): Promise<Omit<Figures, "baseline">> {
  const otherNamespace = `${namespace}-other`;
  for (const ns of [namespace, otherNamespace]) {
    await createNamespace(admin, ns);
    session.namespaces.push(ns);
  }
  const replicas = await Replicas.start({
    count: options.shards,
    watchNamespaces: [namespace, otherNamespace],
    entry: shippedEntry,
    nodeOptions: options.nodeOptions ?? shippedNodeOptions(),
    ring: `${namespace}-ring`,
    env: { FINTRACK_CONCURRENCY: String(options.concurrency) },
  });
  session.replicas = replicas;
  const pids = replicas.processes.map((p) => p.pid ?? "?").join(", ");
  say(`${options.shards} operator replica(s) ready (pid ${pids}), watching ${namespace}`);

  const alone = await createAndTime(otherNamespace, "solo", performance.now());
  say(`${describeProbe(alone)} (alone on the idle operator)`);
  if (!(await waitQuiet(replicas))) say("warning: the operator never went quiet");
  const writesBefore = await replicas.writes();
  const rssBeforeKiB = replicas.rssKiB();
  const heapUsedBeforeBytes = await replicas.liveHeapBytes();
  const controlPlaneBeforeKiB = controlPlaneRssKiB();

  const ready = await createAndWaitReady(
    [namespace, otherNamespace],
    names,
    replicas,
    writesBefore,
  );
  const loadAtReady = loadavg()[0] ?? 0;
  const p50 = quantile(ready.perTenant, 0.5) ?? 0;
  const p90 = quantile(ready.perTenant, 0.9) ?? 0;
  for (const newcomer of ready.newcomers) say(`${describeProbe(newcomer)} (created mid-burst)`);
  say(
    `all ${names.length} Ready after ${ready.seconds.toFixed(1)} s ` +
      `(median tenant ${p50.toFixed(1)} s, p90 ${p90.toFixed(1)} s); writes so far ` +
      `${ready.writesAtReady.total} (${describeWrites(ready.writesAtReady)})`,
  );
  if (!(await waitQuiet(replicas))) say("warning: the operator never went quiet");
  const writesSettled = writesBetween(writesBefore, await replicas.writes());
  say(
    `settled: ${writesSettled.total} writes = ` +
      `${(writesSettled.total / (names.length + ready.newcomers.length)).toFixed(2)} per tenant ` +
      `(${describeWrites(writesSettled)})`,
  );

  const idle = await idleResync(namespace, replicas);
  say(
    idle.writes.total === 0
      ? `IDLE RESYNC: ${idle.reconciles} reconciles in ${idle.seconds.toFixed(1)} s, ` +
          `0 API writes (expected 0)`
      : `IDLE RESYNC WROTE ${idle.writes.total} TIMES (expected 0) in ${idle.reconciles} ` +
          `reconciles: ${describeWrites(idle.writes)}`,
  );
  const steady = await steadyLoad(namespace, names, replicas);
  say(
    `steady load, ${steady.changes} changes in ${steadySeconds} s: queue latency p99 ≤ ` +
      `${formatBound(steady.queueP99)}, reconcile p99 ≤ ${formatBound(steady.reconcileP99)}`,
  );
  // The peak is taken before the forced collections, which would only lower what follows.
  const peakRssKiB = replicas.peakRssKiB();
  const rssSettledKiB = replicas.rssKiB();
  const memory: SettledMemory = {
    peakRssKiB,
    heapUsedBeforeBytes,
    heapUsedSettledBytes: await replicas.liveHeapBytes(),
    rssBeforeKiB,
    rssSettledKiB,
    tenants:
      options.shards > 1
        ? await replicas.each("fintrack_shard_tenants")
        : [names.length + ready.newcomers.length + 1],
  };
  const controlPlaneKiB = controlPlaneRssKiB();
  say(
    `converged: RSS ${rssSettledKiB.map(mib).join(" + ")} MiB ` +
      `(${rssBeforeKiB.map(mib).join(" + ")} MiB with one tenant), load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  await replicas.stop();
  session.replicas = undefined;
  return {
    alone,
    ready,
    writesSettled,
    idle,
    steady,
    memory,
    loadAtReady,
    controlPlaneBeforeKiB,
    controlPlaneKiB,
  };
}

function describeProbe({ namespace, name, times }: Probe): string {
  const workloads = times.workloadsReady;
  return (
    `${namespace}/${name} Ready ${times.ready.toFixed(1)} s after its create` +
    (workloads === undefined ? "" : ` (workloads Ready at ${workloads.toFixed(1)} s)`)
  );
}

/** Stops the operator if it still runs, releases finalizers, deletes the namespaces (no wait). */
async function cleanUp(session: Session): Promise<void> {
  if (session.replicas) await session.replicas.stop();
  for (const ns of session.namespaces) {
    try {
      await releaseFinalizers(admin, ns);
      await deleteNamespace(admin, ns);
    } catch (error) {
      console.error(`could not clean up namespace ${ns}:`, error);
    }
  }
  say(`deleting namespaces ${session.namespaces.join(", ") || "(none)"} in the background`);
}

async function main(): Promise<void> {
  const cpuModel = cpus()[0]?.model.trim() ?? "unknown CPU";
  say(
    `Kubernetes ${await kubernetesVersion()}, ${availableParallelism()} CPUs (${cpuModel}), ` +
      `node ${process.version}; ${options.tenants} tenants, operator concurrency ` +
      `${options.concurrency}, ${options.createConcurrency} creates in flight`,
  );
  installCrd();
  execFileSync("npm", ["run", "--silent", "build:operator"], { cwd: repoRoot, stdio: "ignore" });
  say(
    `built ${shippedEntry}, the bundle the image runs; NODE_OPTIONS=` +
      (options.nodeOptions ?? shippedNodeOptions()),
  );
  const left = await waitEarlierRunsGone(admin, 300, signal);
  if (left > 0) say(`warning: ${left} namespaces of earlier runs are still being deleted`);
  const suffix = randomBytes(3).toString("hex");
  const names = tenantNames(options.tenants);
  const session: Session = { namespaces: [] };
  try {
    const figures = await operatorPhase(session, `bench-op-${suffix}`, names);
    const baselineNs = `bench-base-${suffix}`;
    await createNamespace(admin, baselineNs);
    session.namespaces.push(baselineNs);
    const base = await baseline(baselineNs, names);
    say(
      `baseline: ${base.objects} objects applied in ${base.seconds.toFixed(2)} s ` +
        `(${baselineConcurrency} at a time, ${(base.objects / base.seconds).toFixed(0)} applies/s)`,
    );
    report({ ...figures, baseline: base }, options);
  } catch (error) {
    process.exitCode = 1;
    console.error(error);
    if (session.replicas) console.error(`operator log tails:\n${session.replicas.logTails()}`);
  } finally {
    await cleanUp(session);
  }
}

await main();
