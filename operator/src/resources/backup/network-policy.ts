import type { V1NetworkPolicy } from "@kubernetes/client-node";
import type { S3Destination } from "../../api/backup.ts";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";
import { dnsEgress } from "../network/policies.ts";
import { egressToPeers, type UrlPeer, urlPeer, urlPort } from "../network/url-egress.ts";

/** The TCP port an S3 endpoint listens on: its URL's, else 443 (AWS and most services). */
export function s3Port(s3: S3Destination): number {
  return urlPort(s3.endpoint);
}

/** How the backup pods reach a bucket: see urlPeer (AWS when there is no endpoint). */
export function s3Peer(s3: S3Destination, tenantNamespace: string): UrlPeer {
  return urlPeer(s3.endpoint, tenantNamespace);
}

/**
 * Backup, verify, restore and delete pods accept no connections and may open only these: to this
 * tenant's PostgreSQL, to DNS, and to each bucket on its endpoint's port (egressToPeers: through
 * its namespace when it is an in-cluster Service, hack/e2e/s3.yaml's; else by port alone). The app
 * and Redis stay out of reach either way.
 */
export function buildBackupNetworkPolicy(tracker: FinanceTracker): V1NetworkPolicy | undefined {
  const destinations = [tracker.spec.backup?.destination.s3, tracker.spec.restore?.from.s3].filter(
    (d): d is S3Destination => d !== undefined,
  );
  if (destinations.length === 0) return undefined;
  const name = tracker.metadata.name;
  const buckets = egressToPeers(destinations.map((d) => s3Peer(d, tracker.metadata.namespace)));
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
