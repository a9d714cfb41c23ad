import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { apiVersion, plural, type FinanceTracker } from "./api/v1alpha1.ts";
import type { Settings } from "./config.ts";
import { postgresImage } from "./config.ts";
import { classifyError } from "./errors.ts";
import type { KubeApi } from "./kube/api.ts";
import { WatchedKind, type ObjectHandler } from "./kube/informer.ts";
import { ownedKinds, type OwnedKind } from "./kube/kinds.ts";
import type { Metrics } from "./metrics.ts";
import { finalizer, labelKeys, managedSelector, servingPodSelector } from "./names.ts";
import { drainLabel, shardLabel } from "./sharding/assignment.ts";
import { shardSelector } from "./sharding/labels.ts";
import { slimChild, withoutManagedFields } from "./cached-objects.ts";
import { PodProblemChanges, podProblem, slimPod } from "./pod-problems.ts";
import {
  queueMetricsSink,
  reconcileMetricsListener,
  runWorkers,
  WorkQueue,
  type ErrorDisposition,
  type Lane,
} from "./queue.ts";
import { reconcile, type ChildCache, type ReconcileDeps } from "./reconcile.ts";
import { backupKind, backupPlural } from "./api/backup.ts";
import type { TrackerBackup } from "./backup/status.ts";
import { trackerLane } from "./tracker-lane.ts";
import {
  followUpSighting,
  notYetChecked,
  sightingIsFresh,
  type ServiceMonitorSighting,
} from "./service-monitor-discovery.ts";

const controllerName = "financetracker";
const serviceMonitorCrd = "servicemonitors.monitoring.coreos.com";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  api: KubeApi;
  settings: Settings;
  metrics: Metrics;
  log: Logger;
  onWrite?: (what: string) => void;
  /**
   * The shard member this controller is, when sharded: it then watches only the tenants and
   * children labelled with this name, and lets a tenant go when the sharder asks.
   */
  shardMember?: string;
}

/** How the work queue retries each class of reconcile failure. */
function disposition(error: unknown): ErrorDisposition {
  const c = classifyError(error);
  switch (c.kind) {
    case "conflict":
      return "requeue-now";
    case "invalid-spec":
      return "no-retry";
    case "missing-prerequisite":
      return { requeueAfterMs: c.retryAfterMs };
    case "transient":
      return "retry";
  }
}

/**
 * The FinanceTracker controller: informers over the trackers, every owned kind and the tenants'
 * pods feed a keyed work queue; workers reconcile one tenant at a time per key. Started only by
 * the leader.
 */
export class Controller {
  readonly #options: ControllerOptions;
  readonly #queue: WorkQueue;
  readonly #trackers: WatchedKind;
  /** Every FinanceTrackerBackup, ours or a user's: on-demand backups carry none of our labels. */
  readonly #backups: WatchedKind;
  /** The pods of PostgreSQL, Redis and the app: read only, they say why one is not ready. */
  readonly #pods: WatchedKind;
  readonly #podProblems = new PodProblemChanges();
  readonly #children = new Map<string, WatchedKind>();
  readonly #timers: NodeJS.Timeout[] = [];
  #serviceMonitors: ServiceMonitorSighting = notYetChecked;
  /** Each tracker's generation at its last event, to tell a spec change from any other update. */
  readonly #generations = new Map<string, number>();
  /** Whether the trackers' first list is over: what it brings is not news (see trackerLane). */
  #trackersListed = false;
  #workers: Promise<void> | undefined;
  readonly #lastApplied = new Map<string, string>();
  readonly #verifiedCredentials = new Map<string, string>();
  /** Sharded: tenants whose children this replica has labelled as its own (see #adopt). */
  readonly #adopted = new Set<string>();
  /** Sharded: tenants being let go right now. */
  readonly #lettingGo = new Set<string>();

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#queue = new WorkQueue({
      metrics: queueMetricsSink(options.metrics, controllerName),
    });
    const member = options.shardMember;
    this.#trackers = this.#watch(
      { apiVersion, kind: "FinanceTracker", plural },
      member === undefined ? undefined : `${shardLabel}=${member}`,
      (o, event) => {
        this.#onTracker(o, event);
      },
      withoutManagedFields,
    );
    this.#backups = this.#watch(
      { apiVersion, kind: backupKind, plural: backupPlural },
      undefined,
      (o) => {
        this.#enqueueOwned(o.metadata?.namespace, (o as TrackerBackup).spec.trackerRef.name);
      },
      withoutManagedFields,
    );
    this.#pods = this.#watch(
      { apiVersion: "v1", kind: "Pod", plural: "pods" },
      servingPodSelector,
      (pod, event) => {
        this.#onPod(pod, event);
      },
      slimPod,
    );
  }

  #watch(
    kind: Pick<OwnedKind, "apiVersion" | "kind" | "plural">,
    labelSelector: string | undefined,
    onChange: ObjectHandler,
    slim?: (o: KubernetesObject) => KubernetesObject,
  ): WatchedKind {
    const { kubeConfig, api, settings, log } = this.#options;
    return new WatchedKind({
      kubeConfig,
      api,
      kind,
      namespaces: settings.FINTRACK_WATCH_NAMESPACES,
      ...(labelSelector ? { labelSelector } : {}),
      ...(slim ? { slim } : {}),
      onChange,
      log,
      silenceMs: settings.FINTRACK_WATCH_SILENCE_SECONDS * 1000,
    });
  }

  #enqueue(namespace: string | undefined, name: string | undefined, lane?: Lane): void {
    if (namespace && name) this.#queue.add(`${namespace}/${name}`, lane);
  }

  /**
   * For what every replica watches (pods, backups): a sharded replica queues only its own
   * tenants, the ones in its label-selected tracker cache.
   */
  #enqueueOwned(namespace: string | undefined, name: string | undefined): void {
    if (!namespace || !name) return;
    if (this.#options.shardMember !== undefined && !this.#trackers.get(namespace, name)) return;
    this.#enqueue(namespace, name);
  }

  /** A tracker's own event: a new or changed spec goes ahead of what only observes it. */
  #onTracker(tracker: KubernetesObject, event: "add" | "update" | "delete"): void {
    const { namespace, name, generation } = tracker.metadata ?? {};
    const key = `${namespace ?? ""}/${name ?? ""}`;
    if (event !== "delete" && this.#drainRequested(tracker)) {
      void this.#letGo(tracker);
      return;
    }
    const lane = trackerLane(tracker, this.#generations.get(key), this.#trackersListed);
    if (event === "delete") this.#generations.delete(key);
    else if (generation !== undefined) this.#generations.set(key, generation);
    this.#enqueue(namespace, name, event === "delete" ? "observed" : lane);
  }

  /**
   * A pod's change reaches its tenant only when that pod's problem changed: its status depends on
   * its pods through podProblem alone, and rollouts change pods many times over.
   */
  #onPod(pod: KubernetesObject, event: "add" | "update" | "delete"): void {
    const { namespace, name } = pod.metadata ?? {};
    const problem = event === "delete" ? undefined : podProblem([pod]);
    if (this.#podProblems.record(`${namespace ?? ""}/${name ?? ""}`, problem)) {
      this.#enqueueOwned(namespace, pod.metadata?.labels?.[labelKeys.instance]);
    }
  }

  /** Whether the sharder asked this (sharded) replica to let `tracker` go. */
  #drainRequested(tracker: KubernetesObject): boolean {
    return (
      this.#options.shardMember !== undefined && drainLabel in (tracker.metadata?.labels ?? {})
    );
  }

  /**
   * Acknowledges a drain: stops queueing the tenant, waits for a pass in flight to end, then
   * removes both shard labels, which hands the tenant back to the sharder. Nothing here writes
   * the tenant afterwards: a later pass finds it no longer labelled for this replica and stops.
   */
  async #letGo(tracker: KubernetesObject): Promise<void> {
    const { shardMember: member = "", metrics, log } = this.#options;
    const { namespace = "", name = "" } = tracker.metadata ?? {};
    const key = `${namespace}/${name}`;
    if (this.#lettingGo.has(key) || this.#queue.isShuttingDown()) return;
    this.#lettingGo.add(key);
    try {
      await this.#queue.release(key);
      await this.#removeShardLabels(namespace, name, member);
      this.#adopted.delete(key);
      this.#verifiedCredentials.delete(key);
      this.#generations.delete(key);
      metrics.shardDrainsTotal.inc({ shard: member });
      log.info({ tenant: key }, "let the tenant go at the sharder's request");
    } catch (error) {
      log.warn({ err: error, tenant: key }, "could not acknowledge a drain; trying again in 1 s");
      setTimeout(() => {
        const current = this.#trackers.get(namespace, name);
        if (current && this.#drainRequested(current)) void this.#letGo(current);
      }, 1000).unref();
    } finally {
      this.#lettingGo.delete(key);
    }
  }

  /** Removes both shard labels, as long as the tenant still names this member (fresh reads). */
  async #removeShardLabels(namespace: string, name: string, member: string): Promise<void> {
    const { api, onWrite } = this.#options;
    for (let attempt = 0; ; attempt++) {
      const fresh = await api.readTracker(namespace, name);
      if (fresh?.metadata.labels?.[shardLabel] !== member) return;
      try {
        await api.patchLabels(
          { apiVersion, kind: "FinanceTracker", metadata: { namespace, name } },
          { [shardLabel]: null, [drainLabel]: null },
          fresh.metadata.resourceVersion,
        );
        onWrite?.("acknowledge drain");
        return;
      } catch (error) {
        if (attempt >= 4 || classifyError(error).kind !== "conflict") throw error;
      }
    }
  }

  /**
   * Before a sharded replica's first pass over a tenant that already has children (it carries
   * our finalizer), labels every child still marked for another member with this one's name, so
   * its watches see them and prune can judge them. Called inside the pass, after the fresh read
   * proved the tenant ours, so it never races the tenant's next owner.
   */
  async #adopt(tracker: FinanceTracker): Promise<void> {
    const { api, shardMember: member = "", onWrite } = this.#options;
    const { namespace, name, finalizers } = tracker.metadata;
    const key = `${namespace}/${name}`;
    if (this.#adopted.has(key)) return;
    if (finalizers?.includes(finalizer)) {
      const selector = `${managedSelector},${labelKeys.instance}=${name}`;
      // All at once: a killed member's tenants wait on this before their first pass here.
      const kinds = ownedKinds.filter((k) => !k.unwatched && this.#children.has(k.kind));
      const strays = await Promise.all(
        kinds.map(async ({ apiVersion, kind, plural }) => {
          const { items } = await api.list({ apiVersion, plural }, namespace, selector);
          return items
            .filter((item) => item.metadata?.labels?.[shardLabel] !== member)
            .map((item) => ({ ...item, apiVersion, kind }));
        }),
      );
      await Promise.all(
        strays.flat().map(async (child) => {
          await api.patchLabels(child, { [shardLabel]: member });
          onWrite?.(`adopt ${child.kind}`);
        }),
      );
    }
    this.#adopted.add(key);
  }

  #enqueueAll(lane: Lane): void {
    for (const t of this.#trackers.list()) {
      this.#enqueue(t.metadata?.namespace, t.metadata?.name, lane);
    }
  }

  #watchChildren(kind: OwnedKind): WatchedKind {
    const member = this.#options.shardMember;
    const watched = this.#watch(
      kind,
      member === undefined ? managedSelector : shardSelector(managedSelector, member),
      (o) => {
        this.#enqueue(o.metadata?.namespace, o.metadata?.labels?.[labelKeys.instance]);
      },
      slimChild,
    );
    this.#children.set(kind.kind, watched);
    return watched;
  }

  /**
   * Whether ServiceMonitors can be created; asked at most every 30 s. Whichever check sees the CRD
   * come or go, a reconcile's or the periodic one, starts their informer and requeues every tenant.
   */
  async #serviceMonitorAvailable(maxAgeMs = 30_000): Promise<boolean> {
    const last = this.#serviceMonitors;
    if (sightingIsFresh(last, Date.now(), maxAgeMs)) return last.available;
    const available = await this.#options.api.crdInstalled(serviceMonitorCrd);
    this.#serviceMonitors = { available, checkedAt: Date.now() };
    const kind = ownedKinds.find((k) => k.kind === "ServiceMonitor");
    const next = followUpSighting(last, available, this.#children.has("ServiceMonitor"));
    if (next.startInformer && kind) await this.#watchChildren(kind).start();
    if (next.reconcileAll) this.#enqueueAll("observed");
    return available;
  }

  async #recheckServiceMonitors(): Promise<void> {
    try {
      await this.#serviceMonitorAvailable(0);
    } catch (error) {
      this.#options.log.warn({ err: error }, "could not check for the ServiceMonitor CRD");
    }
  }

  readonly #cache: ChildCache = {
    children: (namespace, trackerName) =>
      [...this.#children.values()].flatMap((w) =>
        w.list(namespace).filter((o) => o.metadata?.labels?.[labelKeys.instance] === trackerName),
      ),
    get: (kind, namespace, name) => this.#children.get(kind)?.get(namespace, name),
    pods: (namespace, trackerName) =>
      this.#pods
        .list(namespace)
        .filter((o) => o.metadata?.labels?.[labelKeys.instance] === trackerName),
  };

  #deps(): ReconcileDeps {
    const { api, settings, log, onWrite } = this.#options;
    return {
      api,
      cache: this.#cache,
      baseContext: {
        images: {
          app: settings.FINTRACK_APP_IMAGE,
          postgres: (v) => postgresImage(settings, v),
          redis: settings.FINTRACK_REDIS_IMAGE,
          backup: settings.FINTRACK_BACKUP_IMAGE,
        },
        ingressNamespaceSelector: settings.FINTRACK_INGRESS_NAMESPACE_LABELS,
        monitoringNamespaceSelector: settings.FINTRACK_MONITORING_NAMESPACE_LABELS,
      },
      serviceMonitorAvailable: () => this.#serviceMonitorAvailable(),
      backups: (namespace, trackerName) =>
        (this.#backups.list(namespace) as TrackerBackup[]).filter(
          (b) => b.spec.trackerRef.name === trackerName,
        ),
      lastApplied: this.#lastApplied,
      verifiedCredentials: this.#verifiedCredentials,
      ...(onWrite ? { onWrite } : {}),
      ...(this.#options.shardMember === undefined
        ? {}
        : {
            shardMember: this.#options.shardMember,
            adopt: (tracker: FinanceTracker) => this.#adopt(tracker),
          }),
      now: () => new Date(),
      log,
    };
  }

  /** Fills the caches, then starts the workers, the periodic resync and the tenant gauge. */
  async start(): Promise<void> {
    const { settings, log, metrics } = this.#options;
    await Promise.all(
      ownedKinds
        .filter((k) => !k.optional && !k.unwatched)
        .map((k) => this.#watchChildren(k).start()),
    );
    await this.#serviceMonitorAvailable();
    await this.#pods.start();
    await this.#backups.start();
    await this.#trackers.start();
    this.#trackersListed = true;
    log.info({ tenants: this.#trackers.list().length }, "caches synced; starting workers");

    const deps = this.#deps();
    const onEvent = reconcileMetricsListener(
      metrics,
      controllerName,
      settings.FINTRACK_CONCURRENCY,
    );
    this.#workers = runWorkers(
      this.#queue,
      settings.FINTRACK_CONCURRENCY,
      (key) => reconcile(key, deps),
      {
        classify: disposition,
        onEvent: (event) => {
          onEvent(event);
          if (
            event.type === "finished" &&
            event.failure &&
            event.failure.disposition !== "requeue-now"
          ) {
            // The classified message names what failed and what the API server said; the raw
            // error would drag whole HTTP headers into the log.
            const problem = classifyError(event.failure.error);
            log.error(
              {
                tenant: event.key,
                reason: "reason" in problem ? problem.reason : "Conflict",
                error: "message" in problem ? problem.message : "conflict",
                retryInMs: event.requeueAfterMs,
              },
              "reconcile failed",
            );
          }
        },
      },
    );
    this.#timers.push(
      setInterval(() => {
        this.#enqueueAll("periodic");
      }, settings.FINTRACK_RESYNC_SECONDS * 1000),
    );
    this.#timers.push(
      setInterval(() => {
        this.#countTenants();
      }, 15_000),
      // Installing the Prometheus Operator later should not wait for the next resync.
      setInterval(() => {
        void this.#recheckServiceMonitors();
      }, 30_000),
    );
    this.#countTenants();
  }

  #countTenants(): void {
    const member = this.#options.shardMember;
    if (member !== undefined) {
      this.#options.metrics.shardTenants.set({ shard: member }, this.#trackers.list().length);
    }
    const counts = new Map<string, number>();
    for (const t of this.#trackers.list() as FinanceTracker[]) {
      const phase = t.status?.phase ?? "Pending";
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    }
    this.#options.metrics.tenants.reset();
    for (const [phase, n] of counts) this.#options.metrics.tenants.set({ phase }, n);
    this.#tenantGauges();
  }

  /** Per-tenant readiness and backup health, for the PrometheusRule's alerts. */
  #tenantGauges(): void {
    const { tenantReady, backupHealthy, backupLastSuccess, backupLastVerified } =
      this.#options.metrics;
    for (const gauge of [tenantReady, backupHealthy, backupLastSuccess, backupLastVerified]) {
      gauge.reset();
    }
    for (const t of this.#trackers.list() as FinanceTracker[]) {
      const labels = { namespace: t.metadata.namespace, name: t.metadata.name };
      const condition = (type: string) => t.status?.conditions?.find((c) => c.type === type);
      tenantReady.set(labels, condition("Ready")?.status === "True" ? 1 : 0);
      const backup = condition("BackupHealthy");
      if (!t.spec.backup || !backup) continue;
      backupHealthy.set({ ...labels, reason: backup.reason }, backup.status === "True" ? 1 : 0);
      const last = t.status?.lastBackup;
      if (last) {
        backupLastSuccess.set(labels, new Date(last.time).getTime() / 1000);
        backupLastVerified.set(labels, last.verified ? 1 : 0);
      }
    }
  }

  /** True once every cache has listed once: the operator's readiness. */
  hasSynced(): boolean {
    return (
      this.#trackers.hasSynced() &&
      this.#backups.hasSynced() &&
      this.#pods.hasSynced() &&
      [...this.#children.values()].every((w) => w.hasSynced())
    );
  }

  /** Stops taking work, lets in-flight reconciles finish, and stops the watches. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#queue.shutDownWithDrain();
    await this.#workers;
    await Promise.all([
      this.#trackers.stop(),
      this.#backups.stop(),
      this.#pods.stop(),
      ...[...this.#children.values()].map((w) => w.stop()),
    ]);
  }
}
