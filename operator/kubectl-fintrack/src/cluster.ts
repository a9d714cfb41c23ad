import { ApiException, KubeConfig } from "@kubernetes/client-node";
import { collectionPath } from "../../src/kube/kinds.ts";
import { RestClient } from "../../src/kube/rest.ts";

/** The connection flags every command takes, as kubectl spells them. */
export interface ConnectionOptions {
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/** A kind's REST coordinates: `apiVersion` and resource plural. */
export interface Resource {
  apiVersion: string;
  plural: string;
}

export const resources = {
  pods: { apiVersion: "v1", plural: "pods" },
  secrets: { apiVersion: "v1", plural: "secrets" },
  services: { apiVersion: "v1", plural: "services" },
  events: { apiVersion: "v1", plural: "events" },
  statefulSets: { apiVersion: "apps/v1", plural: "statefulsets" },
  deployments: { apiVersion: "apps/v1", plural: "deployments" },
  ingresses: { apiVersion: "networking.k8s.io/v1", plural: "ingresses" },
  networkPolicies: { apiVersion: "networking.k8s.io/v1", plural: "networkpolicies" },
  serviceMonitors: { apiVersion: "monitoring.coreos.com/v1", plural: "servicemonitors" },
  crds: { apiVersion: "apiextensions.k8s.io/v1", plural: "customresourcedefinitions" },
} as const satisfies Record<string, Resource>;

/** The kubectl flags that point a spawned kubectl at the same cluster, context and namespace. */
export function kubectlConnectionArgs(options: ConnectionOptions, namespace: string): string[] {
  return [
    ...(options.kubeconfig ? ["--kubeconfig", options.kubeconfig] : []),
    ...(options.context ? ["--context", options.context] : []),
    "--namespace",
    namespace,
  ];
}

/** The HTTP status of a failed API call, 0 when the server never answered. */
export function statusOf(error: unknown): number {
  return error instanceof ApiException ? error.code : 0;
}

/**
 * The plugin's only door to the API server: plain JSON reads and writes in one namespace, through
 * the operator's own RestClient (client-node's typed models would rename or drop fields).
 */
export class Cluster {
  readonly #rest: RestClient;
  /** The namespace every read and write of this command happens in. */
  readonly namespace: string;

  constructor(kubeConfig: KubeConfig, namespace: string) {
    this.#rest = new RestClient(kubeConfig);
    this.namespace = namespace;
  }

  /** Connects as kubectl would: --kubeconfig or KUBECONFIG or ~/.kube/config, then --context. */
  static connect(options: ConnectionOptions): Cluster {
    const kubeConfig = new KubeConfig();
    if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
    if (options.context) {
      if (!kubeConfig.getContextObject(options.context))
        throw new Error(`context "${options.context}" is not in the kubeconfig`);
      kubeConfig.setCurrentContext(options.context);
    }
    const contextNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
    return new Cluster(kubeConfig, options.namespace ?? contextNamespace ?? "default");
  }

  #path(resource: Resource, name?: string, namespaced = true): string {
    const collection = collectionPath(resource, namespaced ? this.namespace : undefined);
    return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
  }

  /** One object of this namespace, or undefined when it does not exist. */
  async get<T>(resource: Resource, name: string): Promise<T | undefined> {
    try {
      return (await this.#rest.request("GET", this.#path(resource, name))) as T;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Whether a cluster-scoped object exists (a CRD); undefined when we may not read it: a
   * tenant's people often have a namespace's rights only.
   */
  async exists(resource: Resource, name: string): Promise<boolean | undefined> {
    try {
      await this.#rest.request("GET", this.#path(resource, name, false));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      if (statusOf(error) === 403) return undefined;
      throw error;
    }
  }

  /** The objects of this namespace matching the selectors; none when the kind is not served. */
  async list<T>(
    resource: Resource,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<T[]> {
    const query = Object.fromEntries(
      Object.entries(selectors).filter((entry): entry is [string, string] => !!entry[1]),
    );
    try {
      const list = (await this.#rest.request("GET", this.#path(resource), { query })) as {
        items?: T[];
      };
      return list.items ?? [];
    } catch (error) {
      if (statusOf(error) === 404) return [];
      throw error;
    }
  }

  /** Creates an object in this namespace and returns it as stored. */
  async create<T>(resource: Resource, body: object): Promise<T> {
    return (await this.#rest.request("POST", this.#path(resource), { body })) as T;
  }

  /** A JSON merge patch of one object of this namespace. */
  async mergePatch<T>(resource: Resource, name: string, patch: object): Promise<T> {
    return (await this.#rest.request("PATCH", this.#path(resource, name), {
      body: patch,
      contentType: "application/merge-patch+json",
    })) as T;
  }
}
