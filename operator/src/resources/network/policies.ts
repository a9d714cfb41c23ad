import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import type { BuildContext } from "../../context.ts";
import { ports } from "../../context.ts";
import type { Component } from "../../names.ts";
import { childMetadata, childNames, labelKeys, selectorLabels } from "../../names.ts";
import { egressToPeers, urlPeer } from "./url-egress.ts";

/**
 * Each component's pods accept traffic only from who needs them, and open connections only to
 * what they need: the app to its PostgreSQL, Redis and DNS, and to the exchange-rate source
 * when fetching is on; PostgreSQL and Redis to nothing. Backup pods have their own policy
 * (resources/backup).
 */

/**
 * An ingress rule as JSON on the wire. The client's model renames `from` to `_from` and only its
 * own ObjectSerializer maps it back; we send and compare plain JSON, where `_from` would be an
 * unknown field and the rule would admit every peer.
 */
export type NetworkPolicyIngressRule = Omit<V1NetworkPolicyIngressRule, "_from"> & {
  from?: V1NetworkPolicyPeer[];
};

/** A NetworkPolicy as JSON on the wire (see NetworkPolicyIngressRule). */
export type NetworkPolicy = Omit<V1NetworkPolicy, "spec"> & {
  spec: Omit<V1NetworkPolicySpec, "ingress" | "egress"> & {
    ingress: NetworkPolicyIngressRule[];
    egress: V1NetworkPolicyEgressRule[];
  };
};

/**
 * DNS on port 53 to any address: the resolver may be a CoreDNS pod, a node-local cache on a
 * link-local address or a host-network pod, and only the first is a pod a selector matches.
 * OpenShift's DNS pods listen on 5353 behind their Service's 53, and a policy sees the pod's port.
 */
export const dnsEgress: V1NetworkPolicyEgressRule[] = [
  {
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  },
  {
    to: [{ namespaceSelector: {} }],
    ports: [
      { protocol: "UDP", port: 5353 },
      { protocol: "TCP", port: 5353 },
    ],
  },
];

/**
 * PostgreSQL accepts connections only from this tenant's app (migrations included), backup pods
 * and a credentials rotation's Job.
 */
export function buildPostgresNetworkPolicy(tracker: FinanceTracker): NetworkPolicy {
  const instancePods = componentPods(tracker, ["app", "backup", "credentials"]);
  return policy(
    tracker,
    "postgres",
    [{ from: [{ podSelector: instancePods }], ports: [{ protocol: "TCP", port: ports.postgres }] }],
    [],
  );
}

/** Redis accepts connections only from this tenant's app pods and a credentials rotation's Job. */
export function buildRedisNetworkPolicy(tracker: FinanceTracker): NetworkPolicy {
  const pods = componentPods(tracker, ["app", "credentials"]);
  return policy(
    tracker,
    "redis",
    [{ from: [{ podSelector: pods }], ports: [{ protocol: "TCP", port: ports.redis }] }],
    [],
  );
}

/** A credentials rotation's Job reaches its PostgreSQL, Redis and DNS; nothing reaches it. */
export function buildCredentialsNetworkPolicy(tracker: FinanceTracker): NetworkPolicy {
  return policy(tracker, "credentials", [], [...ownDatabases(tracker.metadata.name), ...dnsEgress]);
}

function componentPods(tracker: FinanceTracker, components: Component[]) {
  return {
    matchLabels: instanceLabels(tracker),
    matchExpressions: [{ key: labelKeys.component, operator: "In", values: components }],
  };
}

function ownDatabases(name: string): V1NetworkPolicyEgressRule[] {
  return [
    {
      to: [{ podSelector: { matchLabels: selectorLabels(name, "postgres") } }],
      ports: [{ protocol: "TCP", port: ports.postgres }],
    },
    {
      to: [{ podSelector: { matchLabels: selectorLabels(name, "redis") } }],
      ports: [{ protocol: "TCP", port: ports.redis }],
    },
  ];
}

/**
 * The app accepts HTTP only from the ingress controller's namespaces and metrics only from
 * Prometheus' (the tenant's spec.networkPolicy, else the operator's install settings), and
 * connects only to its own PostgreSQL and Redis, DNS, and the exchange-rate source's port when
 * spec.app.exchangeRates turns fetching on.
 */
export function buildAppNetworkPolicy(tracker: FinanceTracker, ctx: BuildContext): NetworkPolicy {
  const own = tracker.spec.networkPolicy;
  const name = tracker.metadata.name;
  return policy(
    tracker,
    "app",
    [
      {
        from: [
          { namespaceSelector: own?.ingressNamespaceSelector ?? ctx.ingressNamespaceSelector },
        ],
        ports: [{ protocol: "TCP", port: ports.appHttp }],
      },
      {
        from: [
          {
            namespaceSelector: own?.monitoringNamespaceSelector ?? ctx.monitoringNamespaceSelector,
          },
        ],
        ports: [{ protocol: "TCP", port: ports.appMetrics }],
      },
    ],
    [...ownDatabases(name), ...dnsEgress, ...exchangeRateSourceEgress(tracker)],
  );
}

function exchangeRateSourceEgress(tracker: FinanceTracker): V1NetworkPolicyEgressRule[] {
  const rates = tracker.spec.app.exchangeRates;
  if ((rates?.fetch ?? "Never") === "Never") return [];
  return egressToPeers([urlPeer(rates?.source, tracker.metadata.namespace)]);
}

function policy(
  tracker: FinanceTracker,
  component: Component,
  ingress: NetworkPolicyIngressRule[],
  egress: V1NetworkPolicyEgressRule[],
): NetworkPolicy {
  const name = tracker.metadata.name;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: childMetadata(tracker, component, childNames(name).networkPolicy(component)),
    spec: {
      podSelector: { matchLabels: selectorLabels(name, component) },
      policyTypes: ["Ingress", "Egress"],
      ingress,
      egress,
    },
  };
}

/** The selector labels every pod of this tenant shares, whatever its component. */
function instanceLabels(tracker: FinanceTracker): Record<string, string> {
  // Derived from names.ts rather than spelled out, so the two cannot drift apart.
  return Object.fromEntries(
    Object.entries(selectorLabels(tracker.metadata.name, "app")).filter(
      ([key]) => key !== labelKeys.component,
    ),
  );
}
