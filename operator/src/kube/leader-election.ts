import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
  type V1ObjectMeta,
} from "@kubernetes/client-node";
import type { Metrics } from "../metrics.ts";

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the
 * holder renews the Lease every retry period; a candidate takes it over once it is released
 * (empty holder) or expired (renewTime + leaseDurationSeconds in the past), counting the
 * transition. Every write is a replace carrying the resourceVersion that was read, so of two
 * candidates racing for an expired Lease exactly one wins; the other gets a 409 and reads again.
 * A leader that cannot renew for renewDeadline stops leading, before its Lease can expire for
 * the others (leaseDuration > renewDeadline).
 *
 * Expiry is judged against the renewTime written in the Lease, so replicas' clocks must agree to
 * well within leaseDuration - renewDeadline; pods of one cluster synchronised by NTP do.
 *
 * MicroTime: the API server parses acquireTime and renewTime as RFC 3339 with exactly six
 * fractional digits. client-node 2.x sends a field typed V1MicroTime untouched to
 * JSON.stringify, so a plain Date would go out as `…:05.123Z` and be refused with a 400; its
 * V1MicroTime class (a Date whose toISOString pads to `…:05.123000Z`) must be used instead.
 * Reading, client-node does not convert these fields at all: they arrive as strings, whatever
 * the declared type says; `microTimeMs` accepts both.
 */

/** The Lease fields the election depends on, times in epoch milliseconds. */
export interface LeaseRecord {
  /** Empty when nobody holds the Lease (never held, or released). */
  holderIdentity: string;
  acquireTimeMs: number | undefined;
  renewTimeMs: number | undefined;
  leaseDurationSeconds: number | undefined;
  leaseTransitions: number;
}

/** What a candidate does with the Lease it read. */
export type Decision =
  | { action: "create" }
  | { action: "acquire"; reason: "released" | "expired" }
  | { action: "renew" }
  | { action: "wait"; holder: string; expiresAtMs: number };

/** Epoch milliseconds of a MicroTime/Time field as client-node hands it over (string or Date). */
export function microTimeMs(value: unknown): number | undefined {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The election-relevant view of a Lease read from the API server. */
export function leaseRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    acquireTimeMs: microTimeMs(spec.acquireTime),
    renewTimeMs: microTimeMs(spec.renewTime),
    leaseDurationSeconds: spec.leaseDurationSeconds,
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * Decides, first match wins: no Lease -> create it; ours -> renew; released (no holder) ->
 * acquire; expired (renewTime + leaseDurationSeconds < now, or either missing) -> acquire;
 * otherwise wait for the holder.
 */
export function decide(lease: LeaseRecord | undefined, identity: string, nowMs: number): Decision {
  if (!lease) return { action: "create" };
  if (lease.holderIdentity === identity) return { action: "renew" };
  if (lease.holderIdentity === "") return { action: "acquire", reason: "released" };
  const { renewTimeMs, leaseDurationSeconds } = lease;
  if (renewTimeMs === undefined || leaseDurationSeconds === undefined) {
    return { action: "acquire", reason: "expired" };
  }
  const expiresAtMs = renewTimeMs + leaseDurationSeconds * 1000;
  if (expiresAtMs < nowMs) return { action: "acquire", reason: "expired" };
  return { action: "wait", holder: lease.holderIdentity, expiresAtMs };
}

/**
 * The Lease spec to write for a create, acquire or renew decision: a renewal keeps acquireTime
 * and leaseTransitions; taking over from another holder (or none) counts one more transition.
 */
export function heldLeaseSpec(
  decision: Exclude<Decision, { action: "wait" }>,
  previous: LeaseRecord | undefined,
  identity: string,
  nowMs: number,
  leaseDurationSeconds: number,
): V1LeaseSpec {
  const now = new V1MicroTime(nowMs);
  const transitions = previous?.leaseTransitions ?? 0;
  if (decision.action === "renew") {
    return {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: new V1MicroTime(previous?.acquireTimeMs ?? nowMs),
      renewTime: now,
      leaseTransitions: transitions,
    };
  }
  return {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: decision.action === "create" ? 0 : transitions + 1,
  };
}

/**
 * The spec a leader writes when it steps down: no holder and a one-second duration, so another
 * candidate takes over at its next retry instead of waiting for the Lease to expire.
 */
export function releasedLeaseSpec(previous: LeaseRecord, nowMs: number): V1LeaseSpec {
  const now = new V1MicroTime(nowMs);
  return {
    holderIdentity: "",
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: previous.leaseTransitions,
  };
}

/** The Lease calls the elector makes; a CoordinationV1Api, or a fake in tests. */
export type LeaseApi = Pick<
  CoordinationV1Api,
  "readNamespacedLease" | "createNamespacedLease" | "replaceNamespacedLease"
>;

interface LeaderElectorSettings {
  namespace: string;
  /** The Lease's name, also the `name` label of leader_election_master_status. */
  name: string;
  /** Unique per replica (pod name plus a random suffix). */
  identity: string;
  /** How long a Lease is valid after its renewTime; a whole number of seconds. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it stops leading. */
  renewDeadlineSeconds?: number;
  /** How often a candidate tries to acquire, and the leader to renew. */
  retryPeriodSeconds?: number;
  /** Called once leadership is acquired; start work here (do not block) and stop it on abort. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called once leadership ends (lost, stopped or released); awaited before run() returns. */
  onStoppedLeading: () => void | Promise<void>;
  /** Called whenever the observed holder changes to a new non-empty identity, ours included. */
  onNewLeader?: (identity: string) => void;
  /** Told of failed attempts (the elector keeps retrying), to log them. */
  onError?: (error: unknown) => void;
  metrics?: Metrics;
}

export type LeaderElectorOptions = LeaderElectorSettings &
  ({ kubeConfig: KubeConfig } | { coordinationApi: LeaseApi });

type Attempt = { held: true; renewedAtMs: number } | { held: false; holder: string };

/** Campaigns for a Lease and keeps it while leading (see the module comment). */
export class LeaderElector {
  private readonly api: LeaseApi;
  private readonly settings: LeaderElectorSettings;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly halt = new AbortController();
  private leading: AbortController | undefined;
  private running: Promise<void> | undefined;
  private reportedLeader = "";

  constructor(options: LeaderElectorOptions) {
    this.api =
      "kubeConfig" in options
        ? options.kubeConfig.makeApiClient(CoordinationV1Api)
        : options.coordinationApi;
    this.settings = options;
    this.leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
    const renewDeadlineSeconds = options.renewDeadlineSeconds ?? 10;
    const retryPeriodSeconds = options.retryPeriodSeconds ?? 2;
    if (!Number.isInteger(this.leaseDurationSeconds) || this.leaseDurationSeconds < 1) {
      throw new RangeError("leaseDurationSeconds must be a whole number of seconds, at least 1");
    }
    if (!(this.leaseDurationSeconds > renewDeadlineSeconds)) {
      throw new RangeError("leaseDurationSeconds must be greater than renewDeadlineSeconds");
    }
    if (!(renewDeadlineSeconds > retryPeriodSeconds && retryPeriodSeconds > 0)) {
      throw new RangeError("renewDeadlineSeconds must be greater than retryPeriodSeconds > 0");
    }
    this.renewDeadlineMs = renewDeadlineSeconds * 1000;
    this.retryPeriodMs = retryPeriodSeconds * 1000;
    this.setMasterStatus(0);
  }

  /** Whether this elector leads right now. */
  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /**
   * Campaigns until the Lease is acquired, then leads until it cannot renew, the Lease shows
   * another holder, or stop()/release() is called. Resolves once leadership has ended (after
   * onStoppedLeading); like controller-runtime, the caller then exits rather than campaign again.
   */
  run(): Promise<void> {
    if (this.running) throw new Error("LeaderElector.run() may only be called once");
    this.running = this.campaignAndLead();
    return this.running;
  }

  /** Stops campaigning or leading without touching the Lease (it expires by itself). */
  async stop(): Promise<void> {
    this.halt.abort();
    await this.running;
  }

  /**
   * Steps down for a fast hand-over (on SIGTERM): stops leading, then, if the Lease still names
   * this identity, writes it released. Rejects if that write fails; the Lease then expires.
   */
  async release(): Promise<void> {
    await this.stop();
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await this.read();
      if (!current || leaseRecord(current).holderIdentity !== this.settings.identity) return;
      try {
        await this.replace(current, releasedLeaseSpec(leaseRecord(current), Date.now()));
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    throw new Error(`could not release Lease ${this.leaseName()}: it kept changing`);
  }

  private async campaignAndLead(): Promise<void> {
    try {
      const acquiredAtMs = await this.acquire();
      // Halted while the winning write was in flight: do not start work that must stop at once.
      if (acquiredAtMs === undefined || this.halted()) return;
      this.startLeading();
      await this.renew(acquiredAtMs);
    } finally {
      await this.stopLeading();
    }
  }

  /** Tries every retry period until it holds the Lease (returning the renewTime it wrote). */
  private async acquire(): Promise<number | undefined> {
    while (!this.halted()) {
      const attempt = await this.attempt(this.renewDeadlineMs);
      if (attempt?.held) return attempt.renewedAtMs;
      await sleep(this.retryPeriodMs, this.halt.signal);
    }
    return undefined;
  }

  /** Renews every retry period; returns when it is halted, lost or past its renew deadline. */
  private async renew(renewedAtMs: number): Promise<void> {
    const remainingMs = () => renewedAtMs + this.renewDeadlineMs - Date.now();
    for (;;) {
      // Wake for the next retry, or at the deadline if that comes first.
      await sleep(Math.min(this.retryPeriodMs, remainingMs()), this.halt.signal);
      if (this.halted() || remainingMs() <= 0) return;
      const attempt = await this.attempt(remainingMs());
      if (this.halted()) return;
      if (attempt?.held) renewedAtMs = attempt.renewedAtMs;
      else if (attempt)
        return; // another holder's valid Lease: we lost it
      else if (remainingMs() <= 0) return; // timed out at the deadline
    }
  }

  /** One read-decide-write round; undefined when it failed (reported to onError). */
  private async attempt(timeoutMs: number): Promise<Attempt | undefined> {
    try {
      return await withTimeout(this.tryAcquireOrRenew(), timeoutMs, this.leaseName());
    } catch (error) {
      this.settings.onError?.(error);
      return undefined;
    }
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    // A 409 means someone wrote between our read and our write: read again and decide afresh.
    for (let conflicts = 0; ; conflicts++) {
      const nowMs = Date.now();
      const current = await this.read();
      const previous = current ? leaseRecord(current) : undefined;
      this.observeHolder(previous?.holderIdentity ?? "");
      const decision = decide(previous, this.settings.identity, nowMs);
      if (decision.action === "wait") return { held: false, holder: decision.holder };
      const spec = heldLeaseSpec(
        decision,
        previous,
        this.settings.identity,
        nowMs,
        this.leaseDurationSeconds,
      );
      try {
        if (current) await this.replace(current, spec);
        else await this.create(spec);
        this.observeHolder(this.settings.identity);
        return { held: true, renewedAtMs: nowMs };
      } catch (error) {
        if (!isConflict(error) || conflicts >= 2) throw error;
      }
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    const { name, namespace } = this.settings;
    try {
      return await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  private async create(spec: V1LeaseSpec): Promise<void> {
    const { name, namespace } = this.settings;
    await this.api.createNamespacedLease({
      namespace,
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec },
    });
  }

  /** Replaces the spec of the Lease as read; its resourceVersion makes a concurrent write a 409. */
  private async replace(current: V1Lease, spec: V1LeaseSpec): Promise<void> {
    const { name, namespace } = this.settings;
    // Left out, managedFields stay as the API server has them.
    const metadata: V1ObjectMeta = structuredClone(current.metadata ?? {});
    delete metadata.managedFields;
    await this.api.replaceNamespacedLease({
      name,
      namespace,
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec },
    });
  }

  private startLeading(): void {
    this.leading = new AbortController();
    this.setMasterStatus(1);
    this.settings.onStartedLeading(this.leading.signal);
  }

  private async stopLeading(): Promise<void> {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.setMasterStatus(0);
    leading.abort();
    await this.settings.onStoppedLeading();
  }

  private observeHolder(holder: string): void {
    if (holder === "" || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.settings.onNewLeader?.(holder);
  }

  private setMasterStatus(value: 0 | 1): void {
    this.settings.metrics?.leaderElectionMasterStatus.set({ name: this.settings.name }, value);
  }

  private halted(): boolean {
    return this.halt.signal.aborted;
  }

  private leaseName(): string {
    return `${this.settings.namespace}/${this.settings.name}`;
  }
}

function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener("abort", wake, { once: true });
  });
}

/**
 * Settles like `work`, or rejects after `ms`: a request that hangs must not keep a leader past
 * its renew deadline. Should it land later, its resourceVersion lets it succeed only if nobody
 * else has written the Lease since, so it cannot undo another replica's takeover.
 */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer from the API server about Lease ${what} within ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
