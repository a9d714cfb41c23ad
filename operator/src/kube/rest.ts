import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
} from "@kubernetes/client-node";

/**
 * Plain JSON requests to the API server, authenticated and TLS-configured by client-node's own
 * KubeConfig and HTTP library. We do not use the typed clients for writes: their ObjectSerializer
 * rewrites objects through its models, which drops fields it does not know and renames others
 * (NetworkPolicy's `from` is `_from` in the models), so what we built would not be what is sent.
 */
export class RestClient {
  readonly #kubeConfig: KubeConfig;
  readonly #http = new IsomorphicFetchHttpLibrary();
  readonly #server: string;
  /**
   * One connection pool for every request. client-node builds a new undici Agent each time it
   * authenticates a request, so each request would pay a TCP and TLS handshake on both ends and
   * leave its idle socket behind: under a creation burst that, not the applies, was the cost of a
   * reconcile. The first Agent is kept (client-go keeps one transport too); the headers, where a
   * rotating token lives, are still set per request.
   */
  #dispatcher: ReturnType<RequestContext["getDispatcher"]>;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.#kubeConfig = kubeConfig;
    this.#server = cluster.server.replace(/\/+$/, "");
  }

  /** Sends one request; resolves with the parsed JSON body, rejects with an ApiException. */
  async request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    options: { query?: Record<string, string>; body?: unknown; contentType?: string } = {},
  ): Promise<unknown> {
    const url = new URL(this.#server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const context = new RequestContext(url.toString(), HttpMethod[method]);
    context.setHeaderParam("Accept", "application/json");
    if (options.body !== undefined) {
      context.setHeaderParam("Content-Type", options.contentType ?? "application/json");
      context.setBody(JSON.stringify(options.body));
    }
    await this.#kubeConfig.applySecurityAuthentication(context);
    this.#dispatcher ??= context.getDispatcher();
    if (this.#dispatcher) context.setDispatcher(this.#dispatcher);
    const response = await this.#http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode >= 400) {
      throw new ApiException(
        response.httpStatusCode,
        `${method} ${path}: HTTP ${response.httpStatusCode}`,
        text,
        response.headers,
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
