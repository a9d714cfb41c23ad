import type { V1NetworkPolicy } from "@kubernetes/client-node";
import type { S3Destination } from "../../api/backup.ts";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

/** The TCP port an S3 endpoint listens on: its URL's, else 443 (AWS and most services). */
export function s3Port(s3: S3Destination): number {
  if (!s3.endpoint) return 443;
  const url = new URL(s3.endpoint);
  if (url.port) return Number(url.port);
  return url.protocol === "http:" ? 80 : 443;
}

/**
 * Backup, verify and restore pods accept no connections and may open only three kinds: to this
 * tenant's PostgreSQL, to DNS, and to the bucket's port. The bucket lives outside the cluster at
 * addresses no selector can name, so that rule is by port; the app and Redis stay out of reach.
 */
export function buildBackupNetworkPolicy(tracker: FinanceTracker): V1NetworkPolicy | undefined {
  const destinations = [tracker.spec.backup?.destination.s3, tracker.spec.restore?.from.s3].filter(
    (d): d is S3Destination => d !== undefined,
  );
  if (destinations.length === 0) return undefined;
  const name = tracker.metadata.name;
  const s3Ports = [...new Set(destinations.map(s3Port))].sort((a, b) => a - b);
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
        {
          to: [{ namespaceSelector: {} }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
          ports: s3Ports.map((port) => ({ protocol: "TCP", port })),
        },
      ],
    },
  };
}
