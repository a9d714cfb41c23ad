import { CoordinationV1Api, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { apiVersion, kind as trackerKind, plural } from "../api/v1alpha1.ts";
import { classifyError } from "../errors.ts";
import type { KubeApi } from "../kube/api.ts";
import { WatchedKind } from "../kube/informer.ts";
import type { Metrics } from "../metrics.ts";
import {
  drainLabel,
  shardLabel,
  shardMoves,
  type ShardMove,
  type ShardedTenant,
} from "./assignment.ts";
import { liveMembers, nextExpiryMs } from "./members.ts";

// The sharder: the replica that holds the leader Lease labels every tenant with the live member
// that is to work on it (assignment.ts has the protocol). It caches the trackers' names and
// shard labels only, and reads the members' Leases on every pass: a pass runs when a tracker
// appears or changes its labels, when a member's Lease is due to expire, and every `periodMs`
// (how soon a new member is noticed).

export interface SharderOptions {
  kubeConfig: KubeConfig;
  api: KubeApi;
  /** Where the trackers are watched: empty for every namespace. */
  namespaces: readonly string[];
  /** The members' Leases live here, named after the ring (members.ts). */
  leaseNamespace: string;
  ring: string;
  metrics: Metrics;
  log: Logger;
  /** A watch silent this long is restarted (FINTRACK_WATCH_SILENCE_SECONDS). */
  silenceMs: number;
  periodMs?: number;
  /** Label writes in flight at once. */
  parallelWrites?: number;
}

/** A tracker as the sharder caches it: enough to identify it and read its shard labels. */
function shardView(object: KubernetesObject): KubernetesObject {
  const { name, namespace, resourceVersion, labels = {} } = object.metadata ?? {};
  const kept = Object.fromEntries(
    Object.entries(labels).filter(([k]) => k === shardLabel || k === drainLabel),
  );
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace, resourceVersion, labels: kept },
  };
}

/** Assigns tenants to live shard members and moves them when members come and go. */
export class Sharder {
  readonly #options: SharderOptions;
  readonly #leases: CoordinationV1Api;
  readonly #trackers: WatchedKind;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #passing: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: SharderOptions) {
    this.#options = options;
    this.#leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#trackers = new WatchedKind({
      kubeConfig: options.kubeConfig,
      api: options.api,
      kind: { apiVersion, kind: trackerKind, plural },
      namespaces: options.namespaces,
      slim: shardView,
      // Coalesces a burst of new tenants into a few passes.
      onChange: () => {
        this.#schedule(100);
      },
      log: options.log,
      silenceMs: options.silenceMs,
    });
  }

  /** Lists the trackers, then makes the first pass. */
  async start(): Promise<void> {
    await this.#trackers.start();
    this.#schedule(0);
  }

  /** Stops passing; a pass in flight finishes its writes first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#passing;
    await this.#trackers.stop();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    const at = Date.now() + ms;
    if (at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timerAt = Infinity;
      this.#run();
    }, ms);
  }

  /** One pass at a time; a pass asked for during another runs right after it. */
  #run(): void {
    if (this.#passing) {
      this.#again = true;
      return;
    }
    this.#passing = this.#pass()
      .catch((error: unknown) => {
        this.#options.log.warn({ err: error }, "sharding pass failed; trying again");
        this.#schedule(1000);
      })
      .finally(() => {
        this.#passing = undefined;
        if (this.#again) {
          this.#again = false;
          this.#schedule(0);
        }
      });
  }

  async #pass(): Promise<void> {
    const { leaseNamespace, ring, metrics, periodMs = 2000 } = this.#options;
    const leases = (await this.#leases.listNamespacedLease({ namespace: leaseNamespace })).items;
    const now = Date.now();
    const live = liveMembers(leases, ring, now);
    const trackers = this.#trackers.list();
    const tenants: ShardedTenant[] = trackers.map((t) => {
      const labels = t.metadata?.labels ?? {};
      return {
        key: `${t.metadata?.namespace ?? ""}/${t.metadata?.name ?? ""}`,
        owner: labels[shardLabel],
        draining: drainLabel in labels,
      };
    });
    const moves = shardMoves(tenants, live);
    await this.#write(moves);

    metrics.sharderMembers.set(live.length);
    metrics.sharderAssignments.reset();
    const counts = new Map(live.map((m) => [m, 0]));
    for (const t of tenants) if (t.owner) counts.set(t.owner, (counts.get(t.owner) ?? 0) + 1);
    for (const [shard, n] of counts) metrics.sharderAssignments.set({ shard }, n);

    // The next member to expire is the next moment tenants may have to move.
    const expiry = nextExpiryMs(leases, ring, now);
    this.#schedule(Math.min(periodMs, expiry === undefined ? periodMs : expiry - now + 50));
  }

  /**
   * Writes the moves, a few at a time. Each carries the resourceVersion the decision was taken
   * on: a tenant that changed meanwhile (409) is decided again at the next pass, from its news.
   */
  async #write(moves: readonly ShardMove[]): Promise<void> {
    const { api, metrics, log, parallelWrites = 8 } = this.#options;
    const pending = [...moves];
    const writeOne = async (move: ShardMove) => {
      const [namespace = "", name = ""] = move.key.split("/");
      const cached = this.#trackers.get(namespace, name);
      const ref = { apiVersion, kind: trackerKind, metadata: { namespace, name } };
      const labels: Record<string, string | null> =
        move.action === "assign"
          ? { [shardLabel]: move.to, [drainLabel]: null }
          : { [drainLabel]: "true" };
      try {
        await api.patchLabels(ref, labels, cached?.metadata?.resourceVersion);
        metrics.sharderMovesTotal.inc({ action: move.action });
        log.debug({ tenant: move.key, ...move }, "sharding move");
      } catch (error) {
        // Its news (an update) brings the next pass.
        if (classifyError(error).kind !== "conflict") throw error;
      }
    };
    const workers = Array.from({ length: parallelWrites }, async () => {
      for (let move = pending.shift(); move; move = pending.shift()) await writeOne(move);
    });
    await Promise.all(workers);
  }
}
