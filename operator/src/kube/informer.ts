import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { KubeApi } from "./api.ts";
import { collectionPath } from "./kinds.ts";

/** What an informer tells its owner: an object was added, changed or deleted. */
export type ObjectHandler = (object: KubernetesObject, event: "add" | "update" | "delete") => void;

export interface InformerOptions {
  kubeConfig: KubeConfig;
  api: KubeApi;
  kind: { apiVersion: string; kind: string; plural: string };
  /** Empty watches every namespace with one cluster-wide watch. */
  namespaces: readonly string[];
  labelSelector?: string;
  /** What of each object to keep in the cache, when not all of it is ever read (pods). */
  slim?: (object: KubernetesObject) => KubernetesObject;
  onChange: ObjectHandler;
  log: Logger;
  /** A watch silent this long is restarted: client-node watches are known to stall silently. */
  silenceMs: number;
}

const maxRestartDelayMs = 30_000;

/**
 * A cache of one kind of object kept current by list+watch, with a watchdog. client-node's
 * ListWatch relists by itself on `410 Gone` and reconnects when the server ends a watch, but stops
 * for good on any other error and never notices a connection that went quiet; here an error
 * restarts it with backoff, and silence longer than `silenceMs` restarts it from the last
 * resourceVersion (the server replays what was missed, or answers 410 and it relists).
 */
export class WatchedKind {
  readonly #options: InformerOptions;
  readonly #informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[] = [];
  #lastActivity = Date.now();
  #restartDelayMs = 1000;
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;
  #synced = 0;

  constructor(options: InformerOptions) {
    this.#options = options;
  }

  /** Starts every watch and resolves once each has listed once. */
  async start(): Promise<void> {
    const { kubeConfig, api, kind, labelSelector, namespaces, onChange, slim } = this.#options;
    const scopes = namespaces.length === 0 ? [undefined] : namespaces;
    for (const namespace of scopes) {
      const informer = makeInformer(
        kubeConfig,
        collectionPath(kind, namespace),
        async () => {
          // The API server leaves apiVersion and kind off list items (watch events carry them);
          // prune, apply and delete identify cached objects by kind, so stamp it on.
          const list = await api.list(kind, namespace, labelSelector);
          const typeInfo = { apiVersion: kind.apiVersion, kind: kind.kind };
          return { ...list, items: list.items.map((o) => ({ ...o, ...typeInfo })) };
        },
        labelSelector,
      );
      const touch = (event: "add" | "update" | "delete") => (object: KubernetesObject) => {
        this.#lastActivity = Date.now();
        this.#restartDelayMs = 1000;
        if (slim) slimInPlace(object, slim);
        onChange(object, event);
      };
      informer.on("add", touch("add"));
      informer.on("update", touch("update"));
      informer.on("delete", touch("delete"));
      informer.on("connect", () => {
        this.#lastActivity = Date.now();
      });
      informer.on("error", (error: unknown) => {
        this.#restartLater(informer, error);
      });
      this.#informers.push(informer);
    }
    await Promise.all(
      this.#informers.map(async (informer) => {
        await informer.start();
        this.#synced += 1;
      }),
    );
    const { silenceMs } = this.#options;
    this.#watchdog = setInterval(
      () => {
        if (Date.now() - this.#lastActivity > silenceMs) this.#restartSilent();
      },
      Math.max(1000, silenceMs / 4),
    );
    this.#watchdog.unref();
  }

  #restartLater(informer: Informer<KubernetesObject>, error: unknown): void {
    if (this.#stopped) return;
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delay * 2, maxRestartDelayMs);
    this.#options.log.warn(
      { kind: this.#options.kind.kind, err: error, retryInMs: delay },
      "watch failed; restarting it",
    );
    setTimeout(() => {
      if (!this.#stopped) void informer.start();
    }, delay).unref();
  }

  #restartSilent(): void {
    this.#lastActivity = Date.now();
    this.#options.log.info(
      { kind: this.#options.kind.kind },
      "watch silent too long; restarting it",
    );
    for (const informer of this.#informers) {
      void informer.stop().then(() => (this.#stopped ? undefined : informer.start()));
    }
  }

  /** True once every watch has listed at least once. */
  hasSynced(): boolean {
    return this.#synced >= this.#informers.length && this.#informers.length > 0;
  }

  /** Cached objects of this kind, in one namespace or all. */
  list(namespace?: string): KubernetesObject[] {
    return this.#informers.flatMap((i) => [...i.list(namespace)]);
  }

  /** One cached object, or undefined. */
  get(namespace: string, name: string): KubernetesObject | undefined {
    for (const informer of this.#informers) {
      const found = informer.get(name, namespace);
      if (found) return found;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    await Promise.all(this.#informers.map((i) => i.stop()));
  }
}

/**
 * Replaces an object's fields with its slim version, in place: client-node's cache stores the
 * very object it then hands to the add and update handlers, and offers no hook to transform it.
 */
function slimInPlace(
  object: KubernetesObject,
  slim: (object: KubernetesObject) => KubernetesObject,
): void {
  const kept = slim(object);
  const fields = object as Record<string, unknown>;
  for (const key of Object.keys(fields)) Reflect.deleteProperty(fields, key);
  Object.assign(fields, kept);
}
