import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../harness/cluster.ts";

/**
 * The scenario's monitoring on the real node: a Prometheus run by the real Prometheus Operator
 * (hack/monitoring-up.sh) in the namespace the tenants' NetworkPolicies admit to their metrics
 * port, and what the scenario asks of it through Prometheus' HTTP API.
 */
export const monitoring = {
  enabled: process.env.E2E_MONITORING === "1",
  image: process.env.E2E_PROMETHEUS_IMAGE ?? "",
  version: process.env.E2E_PROMETHEUS_VERSION ?? "",
  /** The namespace Prometheus runs in: the operator's default FINTRACK_MONITORING_NAMESPACE_LABELS. */
  namespace: "monitoring",
  /** The Service the Prometheus Operator puts in front of every Prometheus it runs. */
  service: "svc/prometheus-operated",
};

const name = "fintrack-e2e";
const e2eLabels = { "fintrack.dev/e2e": "true" };

/**
 * The Prometheus and what it needs to discover targets: a ServiceAccount allowed to read
 * Services, Endpoints and Pods. It selects ServiceMonitors in `scraped` (the operator's and the
 * tenants' namespaces) and PrometheusRules in `rules`, and nothing else of the shared cluster.
 */
export function prometheusObjects(scraped: string[], rules: string[]): object[] {
  const inNamespaces = (names: string[]) => ({
    matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }],
  });
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name, namespace: monitoring.namespace, labels: e2eLabels },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels: e2eLabels },
      rules: [
        {
          apiGroups: [""],
          resources: ["services", "endpoints", "pods"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["discovery.k8s.io"],
          resources: ["endpointslices"],
          verbs: ["get", "list", "watch"],
        },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: e2eLabels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: monitoring.namespace }],
    },
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name, namespace: monitoring.namespace, labels: e2eLabels },
      spec: {
        // Tells the Prometheus Operator which flags and configuration this Prometheus takes.
        version: monitoring.version,
        image: monitoring.image,
        replicas: 1,
        serviceAccountName: name,
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: inNamespaces(scraped),
        ruleSelector: {},
        ruleNamespaceSelector: inNamespaces(rules),
        evaluationInterval: "15s",
        // The namespace enforces the restricted Pod Security profile, as the tenants' do.
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65534,
          runAsGroup: 65534,
          fsGroup: 65534,
          seccompProfile: { type: "RuntimeDefault" },
        },
        resources: { requests: { cpu: "50m", memory: "200Mi" }, limits: { memory: "1Gi" } },
      },
    },
  ];
}

/** One query of a Grafana panel, with the panel it draws. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  expr: string;
}

interface Dashboard {
  panels: { title: string; targets?: { expr?: string }[] }[];
}

/** Every query of every panel in config/grafana/*.json, `$namespace` set to `namespace`. */
export function panelQueries(namespace: string): PanelQuery[] {
  const dir = join(repoRoot, "config/grafana");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(dir, file), "utf8")) as Dashboard;
      return dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).flatMap((t) =>
          t.expr
            ? [
                {
                  dashboard: file,
                  panel: panel.title,
                  expr: t.expr.replaceAll("$namespace", namespace),
                },
              ]
            : [],
        ),
      );
    });
}

/** The alert names of config/alerts' PrometheusRule. */
export function alertNames(): string[] {
  const rule = parse(
    readFileSync(join(repoRoot, "config/alerts/prometheus-rule.yaml"), "utf8"),
  ) as { spec: { groups: { rules: { alert?: string }[] }[] } };
  return rule.spec.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
}

/** Prometheus' HTTP API at `url` (a port-forward to it). */
export function prometheusApi(url: string) {
  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${url}/api/v1/${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  }
  return {
    targets: () =>
      get<{
        activeTargets: {
          scrapePool: string;
          health: string;
          lastError: string;
          labels: Record<string, string>;
        }[];
      }>("targets?state=active").then((d) => d.activeTargets),
    rules: () =>
      get<{
        groups: {
          name: string;
          rules: { name: string; type: string; health: string; lastError?: string }[];
        }[];
      }>("rules").then((d) => d.groups.flatMap((g) => g.rules)),
    /** How many series (or 1 for a scalar) an instant query returns. */
    seriesCount: (expr: string) =>
      get<{ resultType: string; result: unknown[] }>(
        `query?query=${encodeURIComponent(expr)}`,
      ).then((d) => (d.resultType === "scalar" ? 1 : d.result.length)),
    labelValues: (label: string, match: string) =>
      get<string[]>(`label/${label}/values?match[]=${encodeURIComponent(match)}`),
  };
}
