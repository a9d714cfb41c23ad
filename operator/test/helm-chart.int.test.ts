import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { V1Deployment, V1EnvVar } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartDir } from "../src/chart/files.ts";
import { loadSettings, settingsSchema } from "../src/config.ts";
import { operatorVersion } from "../src/release.ts";
import { repoRoot, kubectl } from "./harness/cluster.ts";
import { helm, renderChart, tryHelm } from "./harness/helm.ts";
import { installCrd, renderManifests, type Manifest } from "./harness/manifests.ts";
import { useNamespace } from "./harness/namespace.ts";

// The release and namespace under which the chart must render exactly config/default.
const defaultRelease = "fintrack-operator";
const defaultNamespace = "fintrack-system";

function key(o: Manifest): string {
  return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function byKey(objects: Manifest[]): Map<string, Manifest> {
  return new Map(objects.map((o) => [key(o), o]));
}

/** Asserts two sets of objects hold the same objects, each equal field by field. */
function expectSameObjects(rendered: Manifest[], expected: Manifest[]): void {
  const got = byKey(rendered);
  const want = byKey(expected);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [name, object] of want) expect(got.get(name), name).toEqual(object);
}

function deploymentOf(objects: Manifest[]): V1Deployment {
  const found = objects.filter((o) => o.kind === "Deployment");
  expect(found).toHaveLength(1);
  return found[0] as V1Deployment;
}

function managerEnv(deployment: V1Deployment): V1EnvVar[] {
  const manager = deployment.spec?.template.spec?.containers.find((c) => c.name === "manager");
  return manager?.env ?? [];
}

describe("the Helm chart", () => {
  it("passes helm lint --strict, with default values and with every option on", () => {
    const chart = join(repoRoot, chartDir);
    expect(tryHelm(["lint", "--strict", chart])).toMatchObject({ status: 0 });
    const options = [
      "namespace.create=true",
      "serviceMonitor.enabled=true",
      "prometheusRule.enabled=true",
      "grafanaDashboards.enabled=true",
    ];
    const all = tryHelm(["lint", "--strict", chart, ...options.flatMap((o) => ["--set", o])]);
    expect(all.output).toContain("0 chart(s) failed");
    expect(all.status).toBe(0);
  });

  it("states the operator's release as its version and appVersion", () => {
    // The release workflow packages it at the tag's version; in the repository (an Argo CD
    // Application pointing at the path, say) it must already say which release it is.
    const chart = parse(readFileSync(join(repoRoot, chartDir, "Chart.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(chart).toMatchObject({ version: operatorVersion, appVersion: operatorVersion });
  });

  it("renders config/default object by object with default values, all but its Namespace", () => {
    const expected = renderManifests("config/default").filter((o) => o.kind !== "Namespace");
    expectSameObjects(renderChart(defaultRelease, defaultNamespace), expected);
  });

  it("renders config/default exactly, Namespace included, with namespace.create", () => {
    const rendered = renderChart(defaultRelease, defaultNamespace, { namespace: { create: true } });
    // The one addition: Helm's own instruction to keep the namespace on uninstall.
    const namespace = rendered.find((o) => o.kind === "Namespace");
    expect(namespace?.metadata.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
    delete namespace?.metadata.annotations;
    expectSameObjects(rendered, renderManifests("config/default"));
  });

  it("renders config/prometheus, config/alerts and config/grafana when their values are on", () => {
    const optional = new Set(["ServiceMonitor", "PrometheusRule", "ConfigMap"]);
    const rendered = renderChart(defaultRelease, defaultNamespace, {
      serviceMonitor: { enabled: true },
      prometheusRule: { enabled: true },
      grafanaDashboards: { enabled: true },
    }).filter((o) => optional.has(o.kind));
    const expected = ["config/prometheus", "config/alerts", "config/grafana"].flatMap((dir) =>
      renderManifests(dir),
    );
    expect(rendered.filter((o) => o.kind === "ConfigMap").length).toBeGreaterThan(0);
    expectSameObjects(rendered, expected);
  });

  it("renders none of the optional objects by default", () => {
    const kinds = renderChart(defaultRelease, defaultNamespace).map((o) => o.kind);
    for (const kind of ["Namespace", "ServiceMonitor", "PrometheusRule", "ConfigMap"]) {
      expect(kinds).not.toContain(kind);
    }
  });

  it("gives the operator every one of its settings from a value", () => {
    const deployment = deploymentOf(
      renderChart("acme", "acme-system", {
        operator: {
          appImage: "registry.example/app:1.2.3",
          backupImage: "registry.example/backup:1.2.3",
          postgresImage: "registry.example/postgres:{version}",
          redisImage: "registry.example/redis:8",
          watchNamespaces: ["team-a", "team-b"],
          concurrency: 8,
          resyncSeconds: 120,
          watchSilenceSeconds: 60,
          ingressNamespaceLabels: { team: "edge", tier: "ingress" },
          monitoringNamespaceLabels: { purpose: "monitoring" },
          logLevel: "debug",
          extraEnv: [{ name: "EXTRA", value: "kept" }],
        },
        leaderElection: { leaseName: "acme-lease" },
        metrics: { port: 9090 },
        health: { port: 9091 },
        nodeOptions: "--max-old-space-size=512",
      }),
    );
    const env = managerEnv(deployment);
    expect(env.map((e) => e.name)).toEqual(
      expect.arrayContaining(Object.keys(settingsSchema.shape)),
    );
    // What the kubelet would hand the process: literal values, and the two field references.
    const literal = Object.fromEntries(
      env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])),
    );
    const settings = loadSettings({
      ...literal,
      POD_NAME: "acme-fintrack-operator-0",
      FINTRACK_LEADER_ELECTION_NAMESPACE: "acme-system",
    });
    expect(settings).toMatchObject({
      FINTRACK_APP_IMAGE: "registry.example/app:1.2.3",
      FINTRACK_BACKUP_IMAGE: "registry.example/backup:1.2.3",
      FINTRACK_POSTGRES_IMAGE: "registry.example/postgres:{version}",
      FINTRACK_REDIS_IMAGE: "registry.example/redis:8",
      FINTRACK_WATCH_NAMESPACES: ["team-a", "team-b"],
      FINTRACK_CONCURRENCY: 8,
      FINTRACK_RESYNC_SECONDS: 120,
      FINTRACK_WATCH_SILENCE_SECONDS: 60,
      FINTRACK_METRICS_PORT: 9090,
      FINTRACK_HEALTH_PORT: 9091,
      FINTRACK_LEADER_ELECTION: true,
      FINTRACK_LEADER_ELECTION_NAME: "acme-lease",
      FINTRACK_INGRESS_NAMESPACE_LABELS: { matchLabels: { team: "edge", tier: "ingress" } },
      FINTRACK_MONITORING_NAMESPACE_LABELS: { matchLabels: { purpose: "monitoring" } },
      LOG_LEVEL: "debug",
    });
    expect(literal).toMatchObject({ NODE_OPTIONS: "--max-old-space-size=512", EXTRA: "kept" });
    const ports = deployment.spec?.template.spec?.containers[0]?.ports;
    expect(ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ["metrics", 9090],
      ["health", 9091],
    ]);
  });

  it("names cluster-scoped objects after the release, so two releases never share one", () => {
    const clusterScoped = renderChart("acme", "acme-system")
      .filter((o) => o.metadata.namespace === undefined && o.kind !== "CustomResourceDefinition")
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(clusterScoped).toEqual([
      "ClusterRole/acme-fintrack-financetracker-editor",
      "ClusterRole/acme-fintrack-financetracker-viewer",
      "ClusterRole/acme-fintrack-operator",
      "ClusterRoleBinding/acme-fintrack-operator",
    ]);
  });

  it.each([
    ["a concurrency of 0", ["--set", "operator.concurrency=0"], /concurrency/],
    ["an unknown log level", ["--set", "operator.logLevel=loud"], /logLevel/],
    ["a value the chart does not know", ["--set", "replicas=3"], /replicas/],
    [
      "several replicas without leader election",
      ["--set", "leaderElection.enabled=false"],
      /needs leaderElection\.enabled/,
    ],
  ])("refuses %s", (_what, flags, message) => {
    const result = tryHelm(["template", "acme", join(repoRoot, chartDir), ...flags]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(message);
  });
});

describe("the Helm chart on the local cluster", () => {
  const ns = useNamespace("helm");
  // The namespace's random name is the release's: the ClusterRoles and ClusterRoleBinding it
  // creates are this test's own, whatever else runs on the shared cluster.
  const release = ns.name;
  const chart = join(repoRoot, chartDir);
  // The CRDs are the tests' shared ones (installCrd); Helm v4 would server-side apply the
  // chart's copies over them, so they are skipped.
  const install = ["--namespace", ns.name, "--skip-crds"];
  const namespaced = [
    "deployment,serviceaccount,service,poddisruptionbudget,role,rolebinding,configmap",
    "servicemonitors.monitoring.coreos.com,prometheusrules.monitoring.coreos.com",
  ].join(",");
  // Every object the chart makes carries this label; the namespace's own defaults do not.
  const ours = ["-l", "app.kubernetes.io/part-of=fintrack"];
  // The optional monitoring objects too: the real Prometheus Operator CRDs are installed
  // (hack/install-crds.sh), so the API server checks them against the real schemas.
  const monitoring = ["serviceMonitor", "prometheusRule", "grafanaDashboards"].flatMap((v) => [
    "--set",
    `${v}.enabled=true`,
  ]);

  beforeAll(() => {
    installCrd();
  });
  afterAll(() => {
    // A failed test may leave the release behind; its cluster-scoped objects would outlive the namespace.
    tryHelm(["uninstall", release, "--namespace", ns.name]);
  });

  function getDeployment(): V1Deployment {
    const name = `${release}-fintrack-operator`;
    return JSON.parse(
      kubectl(["get", "deployment", name, "-n", ns.name, "-o", "json"]),
    ) as V1Deployment;
  }

  it("installs the operator with its RBAC under names of its own", () => {
    helm(["install", release, chart, ...install, ...monitoring]);
    const objects = kubectl(["get", namespaced, "-n", ns.name, ...ours, "-o", "name"])
      .split("\n")
      .filter(Boolean);
    expect(objects.sort()).toEqual(
      [
        `deployment.apps/${release}-fintrack-operator`,
        `poddisruptionbudget.policy/${release}-fintrack-operator`,
        `role.rbac.authorization.k8s.io/${release}-fintrack-operator-leader-election`,
        `rolebinding.rbac.authorization.k8s.io/${release}-fintrack-operator-leader-election`,
        `service/${release}-fintrack-operator-metrics`,
        `serviceaccount/${release}-fintrack-operator`,
        `servicemonitor.monitoring.coreos.com/${release}-fintrack-operator`,
        `prometheusrule.monitoring.coreos.com/${release}-fintrack`,
        ...renderManifests("config/grafana").map((o) => `configmap/${o.metadata.name}`),
      ].sort(),
    );
    const binding = JSON.parse(
      kubectl(["get", "clusterrolebinding", `${release}-fintrack-operator`, "-o", "json"]),
    ) as Manifest & { subjects: { name: string; namespace: string }[] };
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: `${release}-fintrack-operator`, namespace: ns.name },
    ]);
    expect(getDeployment().spec?.replicas).toBe(2);
  });

  it("upgrades the Deployment to changed values", () => {
    const before = getDeployment();
    helm([
      "upgrade",
      release,
      chart,
      ...install,
      "--reuse-values",
      "--set",
      "replicaCount=1",
      "--set",
      "operator.logLevel=debug",
    ]);
    const after = getDeployment();
    expect(after.spec?.replicas).toBe(1);
    expect(managerEnv(after).find((e) => e.name === "LOG_LEVEL")?.value).toBe("debug");
    expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
    // --reuse-values kept the rest: still the install's monitoring objects.
    expect(
      kubectl(["get", "servicemonitors.monitoring.coreos.com", "-n", ns.name, "-o", "name"]),
    ).toContain(release);
    expect(helm(["history", release, "--namespace", ns.name, "-o", "json"])).toMatch(
      /"revision":2/,
    );
  });

  it("uninstalls every object it made and leaves the CRDs", () => {
    helm(["uninstall", release, "--namespace", ns.name, "--wait"]);
    expect(kubectl(["get", namespaced, "-n", ns.name, ...ours, "-o", "name"]).trim()).toBe("");
    const clusterRoles = kubectl(["get", "clusterroles,clusterrolebindings", "-o", "name"]);
    expect(clusterRoles).not.toContain(release);
    expect(kubectl(["get", "crd", "financetrackers.fintrack.dev", "-o", "name"]).trim()).toBe(
      "customresourcedefinition.apiextensions.k8s.io/financetrackers.fintrack.dev",
    );
  });
});

describe("the Helm chart with namespace.create on the local cluster", () => {
  // Helm creates this namespace itself (--create-namespace), so useNamespace() is not used.
  const namespace = `helm-ns-${randomBytes(4).toString("hex")}`;
  const chart = join(repoRoot, chartDir);
  afterAll(() => {
    tryHelm(["uninstall", namespace, "--namespace", namespace]);
    kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
  });

  it("adopts the namespace Helm creates and enforces the restricted Pod Security profile", () => {
    helm([
      "install",
      namespace,
      chart,
      "--namespace",
      namespace,
      "--create-namespace",
      "--take-ownership",
      "--skip-crds",
      "--set",
      "namespace.create=true",
    ]);
    const labels = (JSON.parse(kubectl(["get", "namespace", namespace, "-o", "json"])) as Manifest)
      .metadata.labels;
    expect(labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "app.kubernetes.io/part-of": "fintrack",
    });
  });

  it("uninstalls cleanly, keeping the namespace that holds Helm's record of the release", () => {
    // Deleted with the release's objects, the namespace took that record along and the
    // uninstall ended "Failed to purge the release".
    const uninstalled = tryHelm(["uninstall", namespace, "--namespace", namespace, "--wait"]);
    expect(uninstalled.output).not.toMatch(/fail|error/i);
    expect(uninstalled.status).toBe(0);
    expect(kubectl(["get", "namespace", namespace, "-o", "jsonpath={.status.phase}"])).toBe(
      "Active",
    );
    expect(tryHelm(["status", namespace, "--namespace", namespace]).status).not.toBe(0);
  });
});
