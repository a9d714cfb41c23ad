// The operator under load: N tenants created at once on the local control plane, timed until all
// are Ready, with its API writes, an idle resync and its peak memory; and, in the same run, a
// baseline that only writes the same children with server-side apply. The burst's middle tenant,
// and a tenant of another namespace created at the same moment, are timed to their first Ready
// next to the same tenant created alone on the idle operator just before: how long a newcomer
// waits behind a burst. Prints figures, asserts nothing.
// Usage: npm run bench:operator -- [--tenants 200] [--concurrency 4]
import { randomBytes } from "node:crypto";
import { availableParallelism, cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { KubeConfig } from "@kubernetes/client-node";
import type { FinanceTracker } from "../src/api/v1alpha1.ts";
import { desiredObjects } from "../src/desired.ts";
import { KubeApi } from "../src/kube/api.ts";
import { withAppliedHash } from "../src/kube/drift.ts";
import { RestClient } from "../src/kube/rest.ts";
import { aContext, aTracker } from "../test/fixtures/tracker.ts";
import { adminKubeConfig, kubectl } from "../test/harness/cluster.ts";
import { installCrd } from "../test/harness/manifests.ts";
import {
  metricValue,
  operatorKubeconfig,
  startOperatorProcess,
  type OperatorProcess,
} from "../test/harness/operator.ts";
import { timeToReady, type ProbeTimes } from "./probe.ts";
import {
  describeWrites,
  formatTable,
  mapBounded,
  parseBenchOptions,
  procStatusKiB,
  quantile,
  RssSampler,
  sleep,
  writeCounts,
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
  operator: OperatorProcess,
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
    return await waitBurstReady(namespace, names, rest, { operator, writesBefore, started, probe });
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
    operator: OperatorProcess;
    writesBefore: WriteCounts;
    started: number;
    probe: Promise<Probe[]>;
  },
): Promise<ReadyRun> {
  const { operator, writesBefore, started, probe } = run;
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
        writesAtReady: writesBetween(writesBefore, await writeCounts(operator.metricsUrl)),
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
async function waitQuiet(metricsUrl: string, limitSeconds = 120): Promise<boolean> {
  const started = performance.now();
  let last = -1;
  let quietSince = performance.now();
  while (seconds(started) < limitSeconds) {
    const [writes, depth, active] = await Promise.all([
      writeCounts(metricsUrl),
      metricValue(metricsUrl, "workqueue_depth"),
      metricValue(metricsUrl, "controller_runtime_active_workers"),
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
async function idleResync(namespace: string, operator: OperatorProcess): Promise<IdlePass> {
  const reconciles = () => metricValue(operator.metricsUrl, "controller_runtime_reconcile_total");
  const [writesBefore, reconcilesBefore] = [
    await writeCounts(operator.metricsUrl),
    await reconciles(),
  ];
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
  await waitQuiet(operator.metricsUrl);
  return {
    reconciles: (await reconciles()) - reconcilesBefore,
    writes: writesBetween(writesBefore, await writeCounts(operator.metricsUrl)),
    seconds: passSeconds,
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

/** SIGTERM, and SIGKILL when a graceful stop takes longer than 30 s. */
async function stopOperator(operator: OperatorProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      resolve("timeout");
    }, 30_000);
  });
  const stopped = await Promise.race([operator.stop(), timeout]);
  clearTimeout(timer);
  if (stopped === "timeout") await operator.kill();
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
  peakRssKiB: number | undefined;
  memory: SettledMemory;
  /** The machine's 1-minute load average when the last tenant turned Ready. */
  loadAtReady: number;
  baseline: Baseline;
}

/**
 * The operator's memory once converged, next to the same with one tenant, before the burst: what
 * a tenant costs to keep, which the peak (garbage of the burst included) does not say.
 */
interface SettledMemory {
  heapUsedBeforeBytes: number;
  heapUsedSettledBytes: number;
}

/** KiB as MiB with one decimal, or n/a. */
const mib = (kib: number | undefined) => (kib === undefined ? "n/a" : (kib / 1024).toFixed(1));

/**
 * Heap growth per tenant from one tenant to all of them, in KiB: what keeping a tenant costs.
 * Not RSS: V8 keeps the pages the burst's garbage took, so RSS settles at its peak.
 */
function heapPerTenantKiB(memory: SettledMemory, tenants: number): number {
  return (memory.heapUsedSettledBytes - memory.heapUsedBeforeBytes) / 1024 / tenants;
}

function report(figures: Figures, settings: BenchOptions): void {
  const { ready, writesSettled, idle, peakRssKiB, memory } = figures;
  const perTenant = heapPerTenantKiB(memory, settings.tenants);
  const n = settings.tenants;
  const ratio = ready.seconds / figures.baseline.seconds;
  console.log("");
  console.log(
    formatTable(
      [
        "tenants",
        "time to all Ready (s)",
        "writes per tenant",
        "writes during idle resync",
        "operator peak RSS (MiB)",
        "heap used settled (MiB)",
        "heap per tenant (KiB)",
        "baseline apply time (s)",
        "ratio",
        "load avg 1m at Ready",
      ],
      [
        [
          String(n),
          ready.seconds.toFixed(1),
          (writesSettled.total / (n + ready.newcomers.length)).toFixed(2),
          String(idle.writes.total),
          mib(peakRssKiB),
          (memory.heapUsedSettledBytes / 2 ** 20).toFixed(1),
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
    "heap per tenant = (heap used once converged, after the idle resync - heap used with only " +
      "the lone tenant, before the burst) / tenants: an upper bound of what keeping a tenant " +
      "costs, since the heap still holds garbage not yet collected (RSS keeps the burst's peak). Load " +
      `average on ${availableParallelism()} CPUs: the same figures mean less on a busier machine.`,
  );
  console.log("");
  console.log(probeTable(figures.alone, ready.newcomers, n));
  console.log(
    "Each from the tenant's own create. workloads Ready = its PostgreSQL, Redis and app first " +
      "all ready (the cluster's part); operator lag = from then to its Ready condition (watch, " +
      "queue, one reconcile).",
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

/** What must be undone whatever happens: the operator process and the namespaces created. */
interface Session {
  namespaces: string[];
  operator?: OperatorProcess | undefined;
  sampler?: RssSampler | undefined;
}

/**
 * Starts the operator on fresh namespaces, then: one tenant alone to Ready (in a namespace other
 * than the burst's, so the burst's LISTs and annotations never see it), N tenants to Ready,
 * settle, one idle pass.
 */
async function operatorPhase(
  session: Session,
  namespace: string,
  names: readonly string[],
): Promise<Omit<Figures, "baseline">> {
  const rssNow = () =>
    session.operator?.pid ? procStatusKiB(session.operator.pid, "VmRSS") : undefined;
  const otherNamespace = `${namespace}-other`;
  for (const ns of [namespace, otherNamespace]) {
    await createNamespace(admin, ns);
    session.namespaces.push(ns);
  }
  const operator = await startOperatorProcess({
    watchNamespaces: [namespace, otherNamespace],
    env: { FINTRACK_CONCURRENCY: String(options.concurrency) },
  });
  session.operator = operator;
  session.sampler = new RssSampler(operator.pid);
  const readyz = `${operator.healthUrl}/readyz`;
  while (!(await fetch(readyz)).ok) await sleep(100, signal);
  say(`operator pid ${operator.pid ?? "?"} ready, watching ${namespace}`);

  const alone = await createAndTime(otherNamespace, "solo", performance.now());
  say(`${describeProbe(alone)} (alone on the idle operator)`);
  if (!(await waitQuiet(operator.metricsUrl))) say("warning: the operator never went quiet");
  const writesBefore = await writeCounts(operator.metricsUrl);
  const rssBeforeKiB = rssNow();
  const heapUsedBeforeBytes = await metricValue(operator.metricsUrl, "nodejs_heap_size_used_bytes");

  const ready = await createAndWaitReady(
    [namespace, otherNamespace],
    names,
    operator,
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
  if (!(await waitQuiet(operator.metricsUrl))) say("warning: the operator never went quiet");
  const writesSettled = writesBetween(writesBefore, await writeCounts(operator.metricsUrl));
  say(
    `settled: ${writesSettled.total} writes = ` +
      `${(writesSettled.total / (names.length + ready.newcomers.length)).toFixed(2)} per tenant ` +
      `(${describeWrites(writesSettled)})`,
  );

  const idle = await idleResync(namespace, operator);
  say(
    idle.writes.total === 0
      ? `IDLE RESYNC: ${idle.reconciles} reconciles in ${idle.seconds.toFixed(1)} s, ` +
          `0 API writes (expected 0)`
      : `IDLE RESYNC WROTE ${idle.writes.total} TIMES (expected 0) in ${idle.reconciles} ` +
          `reconciles: ${describeWrites(idle.writes)}`,
  );
  const memory: SettledMemory = {
    heapUsedBeforeBytes,
    heapUsedSettledBytes: await metricValue(operator.metricsUrl, "nodejs_heap_size_used_bytes"),
  };
  say(
    `converged: RSS ${mib(rssNow())} MiB (${mib(rssBeforeKiB)} MiB with one tenant), ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
  const peakRssKiB = session.sampler.stop();
  await stopOperator(operator);
  session.operator = undefined;
  return { alone, ready, writesSettled, idle, peakRssKiB, memory, loadAtReady };
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
  session.sampler?.stop();
  if (session.operator) await stopOperator(session.operator);
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
    if (session.operator)
      console.error(`operator log tail:\n${session.operator.logs().slice(-4000)}`);
  } finally {
    await cleanUp(session);
  }
}

await main();
