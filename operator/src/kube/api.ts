import {
  ApiException,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1PersistentVolumeClaim,
  type V1Secret,
} from "@kubernetes/client-node";
import {
  apiVersion,
  kind as trackerKind,
  plural as trackerPlural,
  type FinanceTracker,
  type FinanceTrackerStatus,
} from "../api/v1alpha1.ts";
import { fieldManager } from "../names.ts";
import { collectionPath, ownedKinds } from "./kinds.ts";
import { RestClient } from "./rest.ts";

/** What an Event can be about, and what a finalizer can be applied to: any object we manage. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string };
}

/** Called after every API request with its verb, HTTP status (0 when no answer came) and path. */
export type RequestObserver = (verb: string, code: number, path: string) => void;

const applyPatch = "application/apply-patch+yaml";
const mergePatch = "application/merge-patch+json";
const trackerResource = { apiVersion, plural: trackerPlural };

function codeOf(error: unknown): number {
  return error instanceof ApiException ? error.code : 0;
}

/** The REST path of one object, for the kinds the operator manages. */
export function objectPath(object: KubernetesObject): string {
  const { apiVersion: av, kind, metadata } = object;
  const resource =
    kind === trackerKind && av === apiVersion
      ? trackerResource
      : ownedKinds.find((k) => k.kind === kind && k.apiVersion === av);
  if (!resource) throw new Error(`no REST mapping for ${av ?? "?"} ${kind ?? "?"}`);
  if (!metadata?.name || !metadata.namespace)
    throw new Error(`${kind ?? "object"} without name or namespace`);
  return `${collectionPath(resource, metadata.namespace)}/${metadata.name}`;
}

/**
 * The operator's only door to the API server: server-side apply as the one write primitive,
 * plus the few reads and deletes reconcile needs. Every call is counted by verb and code.
 */
export class KubeApi {
  readonly #rest: RestClient;
  readonly #observe: RequestObserver;
  readonly #stamp: (object: KubernetesObject) => KubernetesObject;

  /**
   * `stamp` marks every object this client applies, FinanceTrackers excepted: a sharded replica
   * labels what it writes with its own name, which is how its label-selected watches see them.
   */
  constructor(
    kubeConfig: KubeConfig,
    observe: RequestObserver = () => undefined,
    stamp: (object: KubernetesObject) => KubernetesObject = (o) => o,
  ) {
    this.#rest = new RestClient(kubeConfig);
    this.#observe = observe;
    this.#stamp = stamp;
  }

  async #call(
    verb: "GET" | "LIST" | "POST" | "PATCH" | "DELETE",
    path: string,
    options: Parameters<RestClient["request"]>[2] = {},
  ): Promise<unknown> {
    try {
      const result = await this.#rest.request(verb === "LIST" ? "GET" : verb, path, options);
      this.#observe(verb, 200, path);
      return result;
    } catch (error) {
      this.#observe(verb, codeOf(error), path);
      throw error;
    }
  }

  async #getOrUndefined(path: string): Promise<unknown> {
    try {
      return await this.#call("GET", path);
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** A fresh read of a FinanceTracker, or undefined when it is gone. */
  async readTracker(namespace: string, name: string): Promise<FinanceTracker | undefined> {
    return (await this.#getOrUndefined(`${collectionPath(trackerResource, namespace)}/${name}`)) as
      FinanceTracker | undefined;
  }

  /** A fresh read of a Secret, or undefined when it does not exist. */
  async readSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return (await this.#getOrUndefined(`/api/v1/namespaces/${namespace}/secrets/${name}`)) as
      V1Secret | undefined;
  }

  /** A fresh read of a PersistentVolumeClaim (claims are not cached), or undefined. */
  async readClaim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
    return (await this.#getOrUndefined(
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${name}`,
    )) as V1PersistentVolumeClaim | undefined;
  }

  /** Server-side apply with our field manager, forcing ownership of the fields we set. */
  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    return (await this.#call("PATCH", objectPath(object), {
      query: { fieldManager, force: "true" },
      body: object.kind === trackerKind ? object : this.#stamp(object),
      contentType: applyPatch,
    })) as T;
  }

  /** Server-side apply under another field manager (see replicas-handover.ts), not forcing. */
  async applyAs<T extends KubernetesObject>(object: T, manager: string): Promise<T> {
    return (await this.#call("PATCH", objectPath(object), {
      query: { fieldManager: manager },
      body: object,
      contentType: applyPatch,
    })) as T;
  }

  /** Server-side apply of a FinanceTracker's status subresource. */
  async applyStatus(tracker: FinanceTracker, status: FinanceTrackerStatus): Promise<void> {
    const { name, namespace } = tracker.metadata;
    const path = objectPath({ apiVersion, kind: trackerKind, metadata: { name, namespace } });
    await this.#call("PATCH", `${path}/status`, {
      query: { fieldManager, force: "true" },
      body: { apiVersion, kind: trackerKind, metadata: { name, namespace }, status },
      contentType: applyPatch,
    });
  }

  /** Server-side apply of any managed object's status subresource (FinanceTrackerBackups). */
  async applyStatusOf(
    object: { apiVersion: string; kind: string; metadata: { name: string; namespace: string } },
    status: unknown,
  ): Promise<void> {
    const { apiVersion: av, kind, metadata } = object;
    const { name, namespace } = metadata;
    await this.#call(
      "PATCH",
      `${objectPath({ apiVersion: av, kind, metadata: { name, namespace } })}/status`,
      {
        query: { fieldManager, force: "true" },
        body: { apiVersion: av, kind, metadata: { name, namespace }, status },
        contentType: applyPatch,
      },
    );
  }

  /** Sets (or, with an empty list, releases) the finalizers this operator owns on a FinanceTracker. */
  async applyFinalizers(tracker: FinanceTracker, finalizers: string[]): Promise<void> {
    const { name, namespace } = tracker.metadata;
    await this.apply({ apiVersion, kind: trackerKind, metadata: { name, namespace, finalizers } });
  }

  /**
   * Sets (or releases) the finalizers one field manager owns on any managed object. Its own
   * manager keeps the apply from touching fields other applies of ours set on the same object;
   * the uid precondition keeps it from landing on a re-created namesake.
   */
  async applyFinalizersAs(object: ObjectRef, finalizers: string[], manager: string): Promise<void> {
    const { apiVersion: av, kind, metadata } = object;
    const { name, namespace, uid } = metadata;
    const body = { apiVersion: av, kind, metadata: { name, namespace, uid, finalizers } };
    await this.#call("PATCH", objectPath(body), {
      query: { fieldManager: manager, force: "true" },
      body,
      contentType: applyPatch,
    });
  }

  /**
   * Deletes an object, its dependents in the background unless told otherwise (Foreground keeps
   * the object until they are gone); one that is already gone counts as deleted.
   */
  async delete(
    object: KubernetesObject,
    propagationPolicy: "Background" | "Foreground" = "Background",
  ): Promise<void> {
    try {
      await this.#call("DELETE", objectPath(object), { query: { propagationPolicy } });
    } catch (error) {
      if (codeOf(error) !== 404) throw error;
    }
  }

  /**
   * Sets (or, with null, removes) labels of a FinanceTracker or one of its children by JSON merge
   * patch. With `resourceVersion` the write happens only if the object is still that version (409
   * otherwise), so a decision taken on a cached copy never lands on a newer state. An object that
   * is gone has no labels to set: that is no error.
   */
  async patchLabels(
    object: KubernetesObject,
    labels: Record<string, string | null>,
    resourceVersion?: string,
  ): Promise<void> {
    const metadata = resourceVersion === undefined ? { labels } : { labels, resourceVersion };
    try {
      await this.#call("PATCH", objectPath(object), {
        body: { metadata },
        contentType: mergePatch,
      });
    } catch (error) {
      if (codeOf(error) !== 404) throw error;
    }
  }

  /** Lists one kind, in one namespace or all, filtered by labels (the informers' list). */
  async list(
    resource: { apiVersion: string; plural: string },
    namespace: string | undefined,
    labelSelector: string | undefined,
  ): Promise<KubernetesListObject<KubernetesObject>> {
    return (await this.#call("LIST", collectionPath(resource, namespace), {
      query: labelSelector ? { labelSelector } : {},
    })) as KubernetesListObject<KubernetesObject>;
  }

  /** Whether a CustomResourceDefinition is installed (e.g. the Prometheus Operator's ServiceMonitor). */
  async crdInstalled(name: string): Promise<boolean> {
    return (
      (await this.#getOrUndefined(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      )) !== undefined
    );
  }

  /** Records an Event on a FinanceTracker or FinanceTrackerBackup, shown by `kubectl describe`. */
  async event(
    object: ObjectRef,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    now: Date,
  ): Promise<void> {
    const { name, namespace, uid } = object.metadata;
    const at = now.toISOString().replace(/\.\d+Z$/, "Z");
    await this.#call("POST", `/api/v1/namespaces/${namespace}/events`, {
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name, namespace, uid },
        type,
        reason,
        message,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        source: { component: fieldManager },
      },
    });
  }
}
