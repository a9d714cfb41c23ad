import type { V1NetworkPolicyEgressRule } from "@kubernetes/client-node";

/** Where a pod connects to, as a NetworkPolicy can name it: a port, and a namespace if in-cluster. */
export interface UrlPeer {
  port: number;
  namespace?: string;
}

/** The TCP port of an http(s) URL: its own, else the scheme's; 443 when there is no URL. */
export function urlPort(url: string | undefined): number {
  if (!url) return 443;
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === "http:" ? 80 : 443;
}

/** `<service>.<namespace>.svc`, optionally followed by the default cluster domain. */
const serviceHost =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;
/** One DNS label: a bare Service name, which the pod's resolver completes with its own namespace. */
const bareServiceHost = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * How a tenant's pods reach `url`: `namespace` when it names an in-cluster Service (`minio`,
 * `minio.storage.svc`, `minio.storage.svc.cluster.local`), else from outside the cluster (a
 * public service, an IP address, any other host name, `minio.storage` included: two labels can as
 * well be a public domain). No URL means a public service on 443.
 */
export function urlPeer(url: string | undefined, tenantNamespace: string): UrlPeer {
  const port = urlPort(url);
  if (!url) return { port };
  // The URL parser lower-cases the host; a fully qualified name may end in a dot.
  const host = new URL(url).hostname.replace(/\.$/, "");
  // IPv4 literals, even dotless ones, arrive dotted-quad from the parser and never match.
  if (bareServiceHost.test(host)) return { port, namespace: tenantNamespace };
  const namespace = serviceHost.exec(host)?.[2];
  return namespace ? { port, namespace } : { port };
}

const namespaceNameLabel = "kubernetes.io/metadata.name";

function tcp(portNumbers: Iterable<number>) {
  return [...new Set(portNumbers)].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));
}

/**
 * Egress rules that reach `peers` and nothing else of theirs: an in-cluster peer through its
 * namespace, because many CNIs (Cilium among them) never match an ipBlock against pod addresses;
 * any other lives at addresses no selector can name, so that rule is by port alone.
 *
 * NetworkPolicy sees the pod's port, after a Service has translated it: an in-cluster peer's
 * Service must listen on the same port as its pods.
 */
export function egressToPeers(peers: readonly UrlPeer[]): V1NetworkPolicyEgressRule[] {
  const externalPorts = peers.flatMap((p) => (p.namespace === undefined ? [p.port] : []));
  const inCluster = new Map<string, number[]>();
  for (const { namespace, port } of peers) {
    if (namespace !== undefined)
      inCluster.set(namespace, [...(inCluster.get(namespace) ?? []), port]);
  }
  const rules: V1NetworkPolicyEgressRule[] = [...inCluster]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, peerPorts]) => ({
      to: [{ namespaceSelector: { matchLabels: { [namespaceNameLabel]: namespace } } }],
      ports: tcp(peerPorts),
    }));
  if (externalPorts.length > 0) {
    rules.push({
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
      ports: tcp(externalPorts),
    });
  }
  return rules;
}
