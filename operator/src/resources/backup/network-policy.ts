import type { V1NetworkPolicy, V1NetworkPolicyEgressRule } from "@kubernetes/client-node";
import type { S3Destination } from "../../api/backup.ts";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";
import { dnsEgress } from "../network/policies.ts";

/** The TCP port an S3 endpoint listens on: its URL's, else 443 (AWS and most services). */
export function s3Port(s3: S3Destination): number {
  if (!s3.endpoint) return 443;
  const url = new URL(s3.endpoint);
  if (url.port) return Number(url.port);
  return url.protocol === "http:" ? 80 : 443;
}

/** `<service>.<namespace>.svc`, optionally followed by the default cluster domain. */
const serviceHost =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?$/;
/** One DNS label: a bare Service name, which the pod's resolver completes with its own namespace. */
const bareServiceHost = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * How the backup pods reach a bucket: `namespace` when its endpoint names an in-cluster Service
 * (`minio`, `minio.storage.svc`, `minio.storage.svc.cluster.local`), else from outside the
 * cluster (AWS, an IP address, any other host name, `minio.storage` included: two labels can as
 * well be a public domain).
 */
export function s3Peer(
  s3: S3Destination,
  tenantNamespace: string,
): { port: number; namespace?: string } {
  const port = s3Port(s3);
  if (!s3.endpoint) return { port };
  // The URL parser lower-cases the host; a fully qualified name may end in a dot.
  const host = new URL(s3.endpoint).hostname.replace(/\.$/, "");
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
 * Backup, verify, restore and delete pods accept no connections and may open only these: to this
 * tenant's PostgreSQL, to DNS, and to each bucket on its endpoint's port. A bucket behind an
 * in-cluster Service is reached through its namespace, because many CNIs (Cilium among them)
 * never match an ipBlock against pod addresses; any other bucket lives at addresses no selector
 * can name, so that rule is by port alone. The app and Redis stay out of reach either way.
 *
 * NetworkPolicy sees the pod's port, after the Service has translated it: an in-cluster bucket's
 * Service must listen on the same port as its pods (hack/e2e/s3.yaml does).
 */
export function buildBackupNetworkPolicy(tracker: FinanceTracker): V1NetworkPolicy | undefined {
  const destinations = [tracker.spec.backup?.destination.s3, tracker.spec.restore?.from.s3].filter(
    (d): d is S3Destination => d !== undefined,
  );
  if (destinations.length === 0) return undefined;
  const name = tracker.metadata.name;
  const peers = destinations.map((d) => s3Peer(d, tracker.metadata.namespace));
  const externalPorts = peers.flatMap((p) => (p.namespace === undefined ? [p.port] : []));
  const inCluster = new Map<string, number[]>();
  for (const { namespace, port } of peers) {
    if (namespace !== undefined)
      inCluster.set(namespace, [...(inCluster.get(namespace) ?? []), port]);
  }
  const buckets: V1NetworkPolicyEgressRule[] = [...inCluster]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, bucketPorts]) => ({
      to: [{ namespaceSelector: { matchLabels: { [namespaceNameLabel]: namespace } } }],
      ports: tcp(bucketPorts),
    }));
  if (externalPorts.length > 0) {
    buckets.push({
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
      ports: tcp(externalPorts),
    });
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: childMetadata(tracker, "backup", childNames(name).networkPolicy("backup")),
    spec: {
      podSelector: { matchLabels: selectorLabels(name, "backup") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          to: [{ podSelector: { matchLabels: selectorLabels(name, "postgres") } }],
          ports: [{ protocol: "TCP", port: ports.postgres }],
        },
        ...dnsEgress,
        ...buckets,
      ],
    },
  };
}
