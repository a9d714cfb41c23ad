import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AuthorizationV1Api,
  CoreV1Api,
  type V1Deployment,
  type V1PolicyRule,
  type V1Service,
  type V1ResourceAttributes,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { statusMessage } from "./harness/api-errors.ts";
import { adminKubeConfig, kubectl, repoRoot } from "./harness/cluster.ts";
import {
  crdFile,
  dryRunApply,
  installCrd,
  intoNamespace,
  kustomizations,
  kustomize,
  operatorClusterRole,
  parseManifests,
  readManifests,
  renderManifests,
  sampleFiles,
  type Manifest,
} from "./harness/manifests.ts";
import { useNamespace } from "./harness/namespace.ts";

const operatorNamespace = "fintrack-system";

function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map(describeObject).join(", ")}`);
  return found;
}

function describeObject(o: Manifest): string {
  return `${o.kind}/${o.metadata.name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Paths of the leaves of a structural schema: scalars, arrays and free-form maps. */
function schemaLeaves(schema: unknown, prefix = ""): string[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [prefix];
  return Object.entries(schema.properties).flatMap(([key, child]) =>
    schemaLeaves(child, prefix ? `${prefix}.${key}` : key),
  );
}

/** Every leaf field of the FinanceTracker spec, from the generated CRD. */
function specSchemaLeaves(): string[] {
  const [crd] = readManifests(crdFile);
  const versions = valueAt(crd, "spec.versions");
  const first: unknown = Array.isArray(versions) ? versions[0] : undefined;
  return schemaLeaves(valueAt(first, "schema.openAPIV3Schema.properties.spec"));
}

function valueAt(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), object);
}

describe("config/default", () => {
  const ns = useNamespace("manifests");
  const objects = renderManifests(kustomizations.default);

  beforeAll(() => {
    installCrd();
  });

  it("renders the CRD, the RBAC and the operator, every namespaced object in fintrack-system", () => {
    expect(objects.map(describeObject).sort()).toEqual(
      [
        "ClusterRole/fintrack-financetracker-editor",
        "ClusterRole/fintrack-financetracker-viewer",
        "ClusterRole/fintrack-operator",
        "ClusterRoleBinding/fintrack-operator",
        "CustomResourceDefinition/financetrackers.fintrack.dev",
        "CustomResourceDefinition/financetrackerbackups.fintrack.dev",
        "Deployment/fintrack-operator",
        "Namespace/fintrack-system",
        "PodDisruptionBudget/fintrack-operator",
        "Role/fintrack-operator-leader-election",
        "RoleBinding/fintrack-operator-leader-election",
        "Service/fintrack-operator-metrics",
        "ServiceAccount/fintrack-operator",
      ].sort(),
    );
    const namespaces = new Set(objects.flatMap((o) => o.metadata.namespace ?? []));
    expect([...namespaces]).toEqual([operatorNamespace]);
    const namespace = find(objects, "Namespace", operatorNamespace);
    expect(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("is accepted by the API server, object by object (server-side dry-run)", () => {
    const accepted = dryRunApply(intoNamespace(objects, ns.name));
    expect(accepted.map(describeObject).sort()).toEqual(objects.map(describeObject).sort());
  });

  it("runs the operator's pods under the restricted Pod Security profile", async () => {
    // PodSecurity enforces on pods, not on Deployments: admit a pod made from the template. Its
    // ServiceAccount must exist for the ServiceAccount admission plugin.
    const deployment = find(objects, "Deployment", "fintrack-operator") as V1Deployment;
    const template = deployment.spec?.template;
    if (!template?.spec) throw new Error("the operator's Deployment has no pod template");
    kubectl(["create", "serviceaccount", "fintrack-operator", "--namespace", ns.name]);
    const core = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CoreV1Api);
    const admitted = await core
      .createNamespacedPod({
        namespace: ns.name,
        body: {
          metadata: { name: "fintrack-operator-admission", labels: template.metadata?.labels },
          spec: template.spec,
        },
        dryRun: "All",
      })
      .catch((error: unknown) => {
        throw new Error(`the operator's pod was refused: ${statusMessage(error)}`);
      });
    expect(admitted.spec?.securityContext?.runAsUser).toBe(65532);
  });

  it("gives the operator its settings, ports, probes and resources", () => {
    const deployment = find(objects, "Deployment", "fintrack-operator") as V1Deployment;
    expect(deployment.spec?.replicas).toBe(2);
    const [container] = deployment.spec?.template.spec?.containers ?? [];
    expect(container?.image).toBe("fintrack/operator:latest");
    expect(container?.env?.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        "FINTRACK_APP_IMAGE",
        "FINTRACK_BACKUP_IMAGE",
        "FINTRACK_WATCH_NAMESPACES",
        "FINTRACK_CONCURRENCY",
        "FINTRACK_LEADER_ELECTION_NAMESPACE",
        "POD_NAME",
        "LOG_LEVEL",
      ]),
    );
    const fromField = (name: string) =>
      container?.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
    expect(fromField("FINTRACK_LEADER_ELECTION_NAMESPACE")).toBe("metadata.namespace");
    expect(fromField("POD_NAME")).toBe("metadata.name");
    expect(container?.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ["metrics", 8080],
      ["health", 8081],
    ]);
    expect(container?.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "health" });
    expect(container?.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "health" });
    expect(container?.resources).toEqual({
      requests: { cpu: "50m", memory: "192Mi" },
      limits: { memory: "640Mi" },
    });
  });

  it("holds each default image reference once, for make deploy to replace", () => {
    // `make deploy` swaps these three lines with sed; a second match or none would go unnoticed.
    const text = kustomize(kustomizations.default);
    expect(text.match(/^\s+image: fintrack\/operator:latest$/gm)).toHaveLength(1);
    expect(text.match(/^\s+value: fintrack\/app:latest$/gm)).toHaveLength(1);
    expect(text.match(/^\s+value: fintrack\/backup:latest$/gm)).toHaveLength(1);
  });
});

describe("the operator's ClusterRole", () => {
  const role = operatorClusterRole();
  const rules = (role.rules ?? []) as V1PolicyRule[];

  it("names no wildcard verb, resource, API group or resource name", () => {
    for (const rule of rules) {
      for (const field of [rule.verbs, rule.resources, rule.apiGroups, rule.resourceNames]) {
        expect(field ?? []).not.toContain("*");
      }
      expect(rule.nonResourceURLs).toBeUndefined();
    }
  });

  it("grants exactly the permissions the operator needs", () => {
    const children = ["create", "delete", "get", "list", "patch", "watch"];
    const granted: Record<string, string[]> = {};
    for (const rule of rules) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const names = rule.resourceNames ? `#${rule.resourceNames.join(",")}` : "";
          const key = `${group || "core"}/${resource}${names}`;
          granted[key] = [...(granted[key] ?? []), ...rule.verbs].sort();
        }
      }
    }
    expect(granted).toEqual({
      "fintrack.dev/financetrackers": ["get", "list", "patch", "update", "watch"],
      "fintrack.dev/financetrackers/status": ["get", "patch", "update"],
      "fintrack.dev/financetrackers/finalizers": ["update"],
      "fintrack.dev/financetrackerbackups": ["create", "delete", "get", "list", "patch", "watch"],
      "fintrack.dev/financetrackerbackups/status": ["get", "patch", "update"],
      "fintrack.dev/financetrackerbackups/finalizers": ["update"],
      "batch/jobs": children,
      "core/pods": ["get", "list", "watch"],
      "core/secrets": children,
      "core/services": children,
      "core/serviceaccounts": children,
      "core/persistentvolumeclaims": ["delete", "get", "list", "patch", "watch"],
      "core/events": ["create", "patch"],
      "events.k8s.io/events": ["create", "patch"],
      "apps/deployments": children,
      "apps/statefulsets": children,
      "policy/poddisruptionbudgets": children,
      "autoscaling/horizontalpodautoscalers": children,
      "networking.k8s.io/ingresses": children,
      "networking.k8s.io/networkpolicies": children,
      "monitoring.coreos.com/servicemonitors": children,
      "apiextensions.k8s.io/customresourcedefinitions#servicemonitors.monitoring.coreos.com": [
        "get",
      ],
    });
  });

  describe("bound to a ServiceAccount", () => {
    const ns = useNamespace("rbac");
    const copy = `fintrack-operator-test-${ns.name}`;
    const authz = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(AuthorizationV1Api);

    beforeAll(() => {
      kubectl(["apply", "-f", "-"], JSON.stringify(operatorClusterRole(copy)));
      kubectl(["create", "serviceaccount", "operator", "--namespace", ns.name]);
      kubectl([
        "create",
        "clusterrolebinding",
        copy,
        `--clusterrole=${copy}`,
        `--serviceaccount=${ns.name}:operator`,
      ]);
    });
    afterAll(() => {
      kubectl(["delete", "clusterrolebinding,clusterrole", copy, "--ignore-not-found"]);
    });

    async function allowed(attributes: V1ResourceAttributes): Promise<boolean> {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${ns.name}:operator`,
            groups: ["system:serviceaccounts", `system:serviceaccounts:${ns.name}`],
            resourceAttributes: attributes,
          },
        },
      });
      return review.status?.allowed ?? false;
    }

    const ft = { group: "fintrack.dev", resource: "financetrackers" };
    const ftb = { group: "fintrack.dev", resource: "financetrackerbackups" };
    const crds = { group: "apiextensions.k8s.io", resource: "customresourcedefinitions" };
    it.each<{ what: string; attributes: V1ResourceAttributes; expected: boolean }>([
      { what: "patch FinanceTrackers", attributes: { ...ft, verb: "patch" }, expected: true },
      { what: "create FinanceTrackers", attributes: { ...ft, verb: "create" }, expected: false },
      {
        what: "update FinanceTracker finalizers",
        attributes: { ...ft, subresource: "finalizers", verb: "update" },
        expected: true,
      },
      // What OwnerReferencesPermissionEnforcement (OpenShift) asks before it admits a backup or
      // delete Job whose owner reference to its FinanceTrackerBackup blocks the owner's deletion.
      {
        what: "update FinanceTrackerBackup finalizers in a tenant's namespace",
        attributes: { ...ftb, subresource: "finalizers", verb: "update", namespace: "tenant-x" },
        expected: true,
      },
      {
        what: "update FinanceTrackerBackups themselves (server-side apply patches them)",
        attributes: { ...ftb, verb: "update", namespace: "tenant-x" },
        expected: false,
      },
      {
        what: "delete FinanceTrackerBackups (scheduled ones past their history limit)",
        attributes: { ...ftb, verb: "delete", namespace: "tenant-x" },
        expected: true,
      },
      {
        what: "read Secrets in a tenant's namespace",
        attributes: { resource: "secrets", verb: "get", namespace: "tenant-x" },
        expected: true,
      },
      {
        what: "create PersistentVolumeClaims",
        attributes: { resource: "persistentvolumeclaims", verb: "create" },
        expected: false,
      },
      // Read only: pods tell why a component is not ready and how a backup Job ended.
      { what: "list Pods", attributes: { resource: "pods", verb: "list" }, expected: true },
      { what: "watch Pods", attributes: { resource: "pods", verb: "watch" }, expected: true },
      { what: "delete Pods", attributes: { resource: "pods", verb: "delete" }, expected: false },
      { what: "patch Pods", attributes: { resource: "pods", verb: "patch" }, expected: false },
      {
        what: "read the ServiceMonitor CRD",
        attributes: { ...crds, name: "servicemonitors.monitoring.coreos.com", verb: "get" },
        expected: true,
      },
      {
        what: "read another CRD",
        attributes: { ...crds, name: "financetrackers.fintrack.dev", verb: "get" },
        expected: false,
      },
      {
        what: "update Leases (the namespaced leader-election Role's job)",
        attributes: {
          group: "coordination.k8s.io",
          resource: "leases",
          verb: "update",
          namespace: operatorNamespace,
        },
        expected: false,
      },
    ])("$what: $expected", async ({ attributes, expected }) => {
      expect(await allowed(attributes)).toBe(expected);
    });
  });
});

describe("config/prometheus and config/alerts", () => {
  const ns = useNamespace("monitoring");
  const monitors = renderManifests(kustomizations.prometheus);
  const rules = renderManifests(kustomizations.alerts);
  const services = renderManifests(kustomizations.default).filter((o) => o.kind === "Service");

  it("selects the operator's metrics Service by its labels and port name", () => {
    expect(monitors.map(describeObject)).toEqual(["ServiceMonitor/fintrack-operator"]);
    const [monitor] = monitors;
    const spec = monitor?.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    const service = find(services, "Service", "fintrack-operator-metrics") as V1Service;
    expect(monitor?.metadata.namespace).toBe(service.metadata?.namespace);
    expect(service.metadata?.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.endpoints).toEqual([
      expect.objectContaining({ port: "metrics", path: "/metrics" }),
    ]);
    expect(service.spec?.ports?.map((p) => p.name)).toContain("metrics");
  });

  // The Prometheus Operator's own CRDs (hack/install-crds.sh, installed by the global setup).
  it("are accepted by the Prometheus Operator's CRDs (server-side dry-run)", () => {
    const accepted = dryRunApply(intoNamespace([...monitors, ...rules], ns.name));
    expect(accepted.map(describeObject)).toEqual([
      "ServiceMonitor/fintrack-operator",
      "PrometheusRule/fintrack",
    ]);
    // A structural schema silently drops fields it does not know: a misspelt one would vanish.
    expect(accepted.map((o) => o.spec)).toEqual([...monitors, ...rules].map((o) => o.spec));
  });

  it("are checked against the real schema, which refuses what a stand-in would accept", () => {
    const [monitor] = monitors;
    if (!monitor) throw new Error("config/prometheus renders no ServiceMonitor");
    const endpoint = { port: "metrics", path: "/metrics", interval: "every thirty seconds" };
    const broken = { ...monitor, spec: { ...(monitor.spec as object), endpoints: [endpoint] } };
    expect(() => dryRunApply(intoNamespace([broken], ns.name))).toThrow(/interval/);
  });
});

describe("samples", () => {
  const ns = useNamespace("samples");

  beforeAll(() => {
    installCrd();
  });

  it("leave the namespace to the user", () => {
    for (const file of Object.values(sampleFiles)) {
      for (const object of readManifests(file)) {
        expect(object.metadata.namespace, file).toBeUndefined();
      }
    }
  });

  it("admits samples/minimal.yaml and defaults everything else", () => {
    const [tracker] = dryRunApply(readManifests(sampleFiles.minimal), ns.name);
    expect(tracker?.metadata.name).toBe("acme");
    expect(tracker?.spec).toMatchObject({
      app: { adminEmail: "owner@acme.example", replicas: 2, signup: "closed" },
      postgres: { version: 18, storage: { size: "10Gi" } },
      deletionPolicy: "Retain",
    });
  });

  it("admits samples/full.yaml, which sets every field of the spec", () => {
    const written = readManifests(sampleFiles.full);
    const [tracker] = dryRunApply(written, ns.name);
    expect(tracker?.metadata.name).toBe("acme-full");
    const fields = specSchemaLeaves();
    expect(fields.length).toBeGreaterThan(20);
    // Left out on purpose, as the sample's comments say.
    // restore belongs to samples/restore-from-backup.yaml: a new tenant, not this one.
    const leftOut = new Set(["app.image", "ingress.tls.secretName"]);
    const unused = fields
      .filter((path) => !leftOut.has(path) && !path.startsWith("restore."))
      .filter((path) => valueAt(written[0]?.spec, path) === undefined);
    expect(unused).toEqual([]);
  });
});

/** What the end-to-end scenario (make e2e, make kind-test) applies beside config/default and the samples. */
const e2eFiles = {
  s3: "hack/e2e/s3.yaml",
  /** A merge patch of acme's spec, not an object: read as plain YAML. */
  backupPatch: "hack/kind/acme-backup.yaml",
  backupOnDemand: "samples/backup-on-demand.yaml",
  restore: "samples/restore-from-backup.yaml",
  scenario: "operator/test/real/scenario.e2e.test.ts",
} as const;

describe("hack/e2e: the S3 server and the backup the end-to-end scenario runs", () => {
  const ns = useNamespace("e2e");
  const s3Text = readFileSync(join(repoRoot, e2eFiles.s3), "utf8");
  const s3Server = parseManifests(
    s3Text.replaceAll("@S3_IMAGE@", "motoserver/moto:5.2.5"),
    e2eFiles.s3,
  );
  const patch = parse(readFileSync(join(repoRoot, e2eFiles.backupPatch), "utf8")) as {
    spec: object;
  };
  const scenario = readFileSync(join(repoRoot, e2eFiles.scenario), "utf8");
  const storageNamespace = /^const storageNamespace = "([a-z0-9-]+)";$/m.exec(scenario)?.[1];

  beforeAll(() => {
    installCrd();
  });

  it("leaves the namespace and the image to the scenario", () => {
    expect(s3Server.map(describeObject)).toEqual(["Deployment/minio", "Service/minio"]);
    for (const object of s3Server) expect(object.metadata.namespace).toBeUndefined();
    expect(s3Text).toContain('image: "@S3_IMAGE@"');
  });

  it("is accepted by the API server (server-side dry-run)", () => {
    expect(dryRunApply(s3Server, ns.name).map(describeObject)).toEqual(
      s3Server.map(describeObject),
    );
  });

  it("runs the S3 server under the restricted Pod Security profile", async () => {
    const core = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CoreV1Api);
    const template = (find(s3Server, "Deployment", "minio") as V1Deployment).spec?.template;
    if (!template?.spec) throw new Error("the S3 Deployment has no pod template");
    const admitted = await core
      .createNamespacedPod({
        namespace: ns.name,
        body: { metadata: { name: "s3-admission" }, spec: template.spec },
        dryRun: "All",
      })
      .catch((error: unknown) => {
        throw new Error(`the S3 server's pod was refused: ${statusMessage(error)}`);
      });
    const [container] = admitted.spec?.containers ?? [];
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(admitted.spec?.volumes?.every((v) => v.emptyDir !== undefined)).toBe(true);
  });

  it("backs acme up to the bucket the scenario creates and the restore sample reads, at the S3 Service", () => {
    const [minimal] = readManifests(sampleFiles.minimal);
    if (!minimal) throw new Error(`${sampleFiles.minimal} holds no tenant`);
    const patched = { ...minimal, spec: { ...(minimal.spec as object), ...patch.spec } };
    const [tracker] = dryRunApply([patched], ns.name);
    const s3 = valueAt(tracker, "spec.backup.destination.s3") as Record<string, unknown>;

    const [restored] = dryRunApply(readManifests(e2eFiles.restore), ns.name);
    expect(valueAt(restored, "spec.restore.from.s3")).toEqual(s3);

    const service = find(s3Server, "Service", "minio") as V1Service;
    const port = service.spec?.ports?.[0]?.port;
    expect(storageNamespace).toBeDefined();
    expect(s3.endpoint).toBe(`http://minio.${storageNamespace ?? "?"}.svc:${String(port)}`);
    // The tenant's backup NetworkPolicy allows egress by the endpoint's port, checked against
    // the pod's port after the Service's translation: the two must be the same number.
    const deployment = find(s3Server, "Deployment", "minio") as V1Deployment;
    expect(deployment.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort).toBe(port);
    expect(scenario).toContain(`${String(s3.endpoint)}/${String(s3.bucket)}`);
  });

  it("admits the on-demand backup and the restore the scenario applies", () => {
    const [backup] = dryRunApply(readManifests(e2eFiles.backupOnDemand), ns.name);
    expect(backup?.metadata.name).toMatch(/^[a-z0-9-]+$/);
    expect(scenario).toContain(`"${backup?.metadata.name ?? "?"}"`);
    expect(valueAt(backup, "spec.trackerRef.name")).toBe("acme");
  });
});
