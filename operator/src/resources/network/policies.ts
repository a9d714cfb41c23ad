import type {
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
} from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import type { BuildContext } from "../../context.ts";
import { ports } from "../../context.ts";
import type { Component } from "../../names.ts";
import { childMetadata, childNames, labelKeys, selectorLabels } from "../../names.ts";

/**
 * Ingress-only policies: each component's pods accept traffic only from who needs them. Egress
 * stays open so that DNS and the app's outbound calls keep working without per-cluster tuning.
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
  spec: Omit<V1NetworkPolicySpec, "ingress"> & { ingress: NetworkPolicyIngressRule[] };
};

/** PostgreSQL accepts connections only from this tenant's app (migrations included) and backup pods. */
export function buildPostgresNetworkPolicy(tracker: FinanceTracker): NetworkPolicy {
  const instancePods = {
    matchLabels: instanceLabels(tracker),
    matchExpressions: [
      { key: labelKeys.component, operator: "In", values: ["app", "backup"] satisfies Component[] },
    ],
  };
  return policy(tracker, "postgres", [
    { from: [{ podSelector: instancePods }], ports: [{ protocol: "TCP", port: ports.postgres }] },
  ]);
}

/** Redis accepts connections only from this tenant's app pods. */
export function buildRedisNetworkPolicy(tracker: FinanceTracker): NetworkPolicy {
  const appPods = { matchLabels: selectorLabels(tracker.metadata.name, "app") };
  return policy(tracker, "redis", [
    { from: [{ podSelector: appPods }], ports: [{ protocol: "TCP", port: ports.redis }] },
  ]);
}

/** The app accepts HTTP only from the ingress controller's namespaces, metrics only from Prometheus'. */
export function buildAppNetworkPolicy(tracker: FinanceTracker, ctx: BuildContext): NetworkPolicy {
  return policy(tracker, "app", [
    {
      from: [{ namespaceSelector: ctx.ingressNamespaceSelector }],
      ports: [{ protocol: "TCP", port: ports.appHttp }],
    },
    {
      from: [{ namespaceSelector: ctx.monitoringNamespaceSelector }],
      ports: [{ protocol: "TCP", port: ports.appMetrics }],
    },
  ]);
}

function policy(
  tracker: FinanceTracker,
  component: Component,
  ingress: NetworkPolicyIngressRule[],
): NetworkPolicy {
  const name = tracker.metadata.name;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: childMetadata(tracker, component, childNames(name).networkPolicy(component)),
    spec: {
      podSelector: { matchLabels: selectorLabels(name, component) },
      policyTypes: ["Ingress"],
      ingress,
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
