import { describe, expect, it } from "vitest";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { labelKeys, selectorLabels } from "../../names.ts";
import {
  buildAppNetworkPolicy,
  buildCredentialsNetworkPolicy,
  buildPostgresNetworkPolicy,
  buildRedisNetworkPolicy,
} from "./policies.ts";

/** Whether a NetworkPolicy podSelector selects a pod with these labels. */
function selects(
  selector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
  labels: Record<string, string>,
): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator !== "In") {
      throw new Error(`operator ${e.operator} not handled by this test`);
    }
    return value !== undefined && (e.values ?? []).includes(value);
  });
  return byLabel && byExpression;
}

describe("buildPostgresNetworkPolicy", () => {
  const policy = buildPostgresNetworkPolicy(aTracker());
  const rules = policy.spec.ingress;
  const peer = rules[0]?.from?.[0];

  it("applies to this tenant's PostgreSQL pods, which open no connections at all", () => {
    expect(policy.metadata?.name).toBe("acme-postgres");
    expect(policy.spec.podSelector?.matchLabels).toEqual(selectorLabels("acme", "postgres"));
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.egress).toEqual([]);
  });

  it("lets only app and backup pods reach PostgreSQL", () => {
    expect(rules).toHaveLength(1);
    expect(rules[0]?.ports).toEqual([{ protocol: "TCP", port: 5432 }]);
    expect(peer?.namespaceSelector).toBeUndefined();
    const podSelector = peer?.podSelector ?? {};

    expect(selects(podSelector, selectorLabels("acme", "app"))).toBe(true);
    expect(selects(podSelector, selectorLabels("acme", "backup"))).toBe(true);
    expect(selects(podSelector, selectorLabels("acme", "redis"))).toBe(false);
    expect(selects(podSelector, selectorLabels("acme", "postgres"))).toBe(false);
    expect(selects(podSelector, selectorLabels("globex", "app"))).toBe(false);
  });
});

describe("every tenant NetworkPolicy", () => {
  it.each([
    ["postgres", buildPostgresNetworkPolicy(aTracker())],
    ["redis", buildRedisNetworkPolicy(aTracker())],
    ["app", buildAppNetworkPolicy(aTracker(), aContext())],
  ])(
    "names its peers under the wire field `from`, never the client's `_from` (%s)",
    (_, policy) => {
      const json = JSON.parse(JSON.stringify(policy)) as { spec: { ingress: object[] } };

      for (const rule of json.spec.ingress) {
        expect(Object.keys(rule)).toEqual(expect.arrayContaining(["from", "ports"]));
        expect(rule).not.toHaveProperty("_from");
      }
    },
  );
});

describe("buildRedisNetworkPolicy", () => {
  it("lets only this tenant's app pods and credentials rotation Jobs reach Redis", () => {
    const policy = buildRedisNetworkPolicy(aTracker());

    expect(policy.metadata?.name).toBe("acme-redis");
    expect(policy.spec.podSelector?.matchLabels).toEqual(selectorLabels("acme", "redis"));
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.egress).toEqual([]);
    const { instance } = labelKeys;
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: {
              matchLabels: expect.objectContaining({ [instance]: "acme" }) as unknown,
              matchExpressions: [
                { key: labelKeys.component, operator: "In", values: ["app", "credentials"] },
              ],
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 6379 }],
      },
    ]);
  });
});

describe("buildCredentialsNetworkPolicy", () => {
  it("lets a rotation Job reach only its own PostgreSQL, Redis and DNS, and nothing reach it", () => {
    const policy = buildCredentialsNetworkPolicy(aTracker());

    expect(policy.spec.podSelector?.matchLabels).toEqual(selectorLabels("acme", "credentials"));
    expect(policy.spec.ingress).toEqual([]);
    const peers = policy.spec.egress.flatMap((rule) => rule.to ?? []);
    expect(peers).toContainEqual({
      podSelector: { matchLabels: selectorLabels("acme", "postgres") },
    });
    expect(peers).toContainEqual({ podSelector: { matchLabels: selectorLabels("acme", "redis") } });
    expect(policy.spec.egress.flatMap((rule) => rule.ports ?? []).map((p) => p.port)).toEqual([
      5432, 6379, 53, 53, 5353, 5353,
    ]);
  });
});

describe("buildAppNetworkPolicy", () => {
  const ingressNamespaces = { matchLabels: { "kubernetes.io/metadata.name": "traefik" } };
  const monitoringNamespaces = { matchLabels: { "kubernetes.io/metadata.name": "prometheus" } };
  const policy = buildAppNetworkPolicy(
    aTracker(),
    aContext({
      ingressNamespaceSelector: ingressNamespaces,
      monitoringNamespaceSelector: monitoringNamespaces,
    }),
  );

  it("applies to this tenant's app pods, both ways", () => {
    expect(policy.metadata?.name).toBe("acme-app");
    expect(policy.spec.podSelector?.matchLabels).toEqual(selectorLabels("acme", "app"));
    expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("lets the app open connections only to its own PostgreSQL and Redis, and DNS", () => {
    const egress = policy.spec.egress;
    expect(egress.slice(0, 2)).toEqual([
      {
        to: [{ podSelector: { matchLabels: selectorLabels("acme", "postgres") } }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
      {
        to: [{ podSelector: { matchLabels: selectorLabels("acme", "redis") } }],
        ports: [{ protocol: "TCP", port: 6379 }],
      },
    ]);
    const otherPorts = egress.slice(2).flatMap((rule) => rule.ports?.map((p) => p.port) ?? []);
    expect(new Set(otherPorts)).toEqual(new Set([53, 5353]));
  });

  it("reaches the exchange-rate source on its port only when fetching is on", () => {
    const withRates = (exchangeRates: object) =>
      buildAppNetworkPolicy(aTracker({ spec: { app: { exchangeRates } } }), aContext()).spec.egress;
    const fromOutside = (port: number) => ({
      to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }],
      ports: [{ protocol: "TCP", port }],
    });
    expect(withRates({ fetch: "Never" })).toEqual(policy.spec.egress);
    expect(withRates({ fetch: "OnRequest" })).toEqual([...policy.spec.egress, fromOutside(443)]);
    expect(withRates({ fetch: "Daily", source: "http://rates.example:8080/x.xml" })).toEqual([
      ...policy.spec.egress,
      fromOutside(8080),
    ]);
    expect(withRates({ fetch: "Daily", source: "http://feed.rates.svc/ecb.xml" }).at(-1)).toEqual({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "rates" } } }],
      ports: [{ protocol: "TCP", port: 80 }],
    });
  });

  it("takes the tenant's own namespace selectors over the operator's", () => {
    const gateway = { matchExpressions: [{ key: "gateway", operator: "Exists" as const }] };
    const scraper = { matchLabels: { team: "observability" } };
    const own = buildAppNetworkPolicy(
      aTracker({
        spec: {
          networkPolicy: {
            ingressNamespaceSelector: gateway,
            monitoringNamespaceSelector: scraper,
          },
        },
      }),
      aContext(),
    );
    expect(own.spec.ingress.map((r) => r.from?.[0]?.namespaceSelector)).toEqual([gateway, scraper]);
  });

  it("lets only the ingress controller's namespaces reach the HTTP port", () => {
    expect(policy.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: ingressNamespaces }],
      ports: [{ protocol: "TCP", port: 8080 }],
    });
  });

  it("lets only the monitoring namespaces reach the metrics port", () => {
    expect(policy.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: monitoringNamespaces }],
      ports: [{ protocol: "TCP", port: 9090 }],
    });
    expect(policy.spec.ingress).toHaveLength(2);
  });
});
