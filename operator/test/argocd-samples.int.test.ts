import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./harness/cluster.ts";
import {
  dryRunApply,
  installCrd,
  intoNamespace,
  readManifests,
  type Manifest,
} from "./harness/manifests.ts";
import { useNamespace } from "./harness/namespace.ts";

const samplesDir = "samples/argocd";
const tenantsDir = `${samplesDir}/tenants`;
const chartPath = "config/helm/fintrack-operator";

/** Every YAML file below `dir`, relative to the repository root. */
function yamlFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => relative(repoRoot, join(repoRoot, dir, file)))
    .sort();
}

function find(objects: Manifest[], kind: string): Manifest {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`${samplesDir} holds no ${kind}`);
  return found;
}

function describeObject(o: Manifest): string {
  return `${o.kind}/${o.metadata.name}`;
}

function finalizersOf(o: Manifest | undefined): string[] | undefined {
  return (o?.metadata as { finalizers?: string[] } | undefined)?.finalizers;
}

/** The comma-separated options of Argo CD's sync-options annotation. */
function syncOptionsAnnotation(o: Manifest): string[] {
  const value = o.metadata.annotations?.["argocd.argoproj.io/sync-options"] ?? "";
  return value.split(",").map((option) => option.trim());
}

interface ApplicationSpec {
  project: string;
  source: { repoURL: string; path: string; helm?: { releaseName?: string } };
  destination: { server: string; namespace: string };
  syncPolicy: {
    automated?: { prune?: boolean; selfHeal?: boolean };
    syncOptions?: string[];
    managedNamespaceMetadata?: { labels?: Record<string, string> };
  };
}

interface ApplicationSetSpec {
  generators: { git?: { repoURL: string; directories: { path: string }[] } }[];
  syncPolicy: { preserveResourcesOnDeletion?: boolean; applicationsSync?: string };
  template: { metadata: Manifest["metadata"] & { finalizers?: string[] }; spec: ApplicationSpec };
}

/**
 * The Application the ApplicationSet's Git directory generator makes for one folder: its
 * template with the folder's path parameters filled in. Only the parameters the sample uses
 * are known; any other placeholder left behind fails, as `missingkey=error` does in Argo CD.
 */
function generatedApplication(applicationSet: Manifest, folder: string): Manifest {
  const { template } = applicationSet.spec as ApplicationSetSpec;
  const basename = folder.split("/").at(-1) ?? folder;
  const text = JSON.stringify(template)
    .replaceAll("{{.path.path}}", folder)
    .replaceAll("{{.path.basename}}", basename);
  if (text.includes("{{")) throw new Error(`unknown template parameter in ${text}`);
  const filled = JSON.parse(text) as ApplicationSetSpec["template"];
  return {
    apiVersion: applicationSet.apiVersion,
    kind: "Application",
    ...filled,
    metadata: { ...filled.metadata, namespace: applicationSet.metadata.namespace ?? "argocd" },
  };
}

describe("samples/argocd", () => {
  // Argo CD's objects go to a namespace of the test's own instead of `argocd`: only the
  // argoproj.io CRDs are needed to validate them, not Argo CD itself.
  const argocd = useNamespace("argocd");
  const tenant = useNamespace("tenant");
  const files = yamlFiles(samplesDir);
  const objects = files.flatMap((file) => readManifests(file));
  const argoObjects = objects.filter((o) => o.apiVersion.startsWith("argoproj.io/"));
  const trackers = objects.filter((o) => o.kind === "FinanceTracker");
  const application = find(objects, "Application");
  const applicationSet = find(objects, "ApplicationSet");
  const tenantFolders = readdirSync(join(repoRoot, tenantsDir)).map((f) => `${tenantsDir}/${f}`);

  beforeAll(() => {
    installCrd();
  });

  it("holds the operator's Application, the tenants' AppProject and ApplicationSet, and a tenant folder", () => {
    expect(objects.map(describeObject).sort()).toEqual([
      "AppProject/fintrack-tenants",
      "Application/fintrack-operator",
      "ApplicationSet/fintrack-tenants",
      "FinanceTracker/acme",
    ]);
    for (const o of argoObjects) expect(o.metadata.namespace, describeObject(o)).toBe("argocd");
    // Tenant objects leave the namespace to the Application's destination.
    for (const o of trackers) expect(o.metadata.namespace, describeObject(o)).toBeUndefined();
  });

  it("is accepted by Argo CD's CRDs, every field kept (server-side dry-run)", () => {
    const accepted = dryRunApply(intoNamespace(argoObjects, argocd.name));
    expect(accepted.map(describeObject)).toEqual(argoObjects.map(describeObject));
    // A structural schema drops fields it does not know: a misspelt sync option field would
    // vanish here, silently leaving the data unprotected.
    expect(accepted.map((o) => o.spec)).toEqual(argoObjects.map((o) => o.spec));
    expect(accepted.map(finalizersOf)).toEqual(argoObjects.map(finalizersOf));
  });

  it("is checked against Argo CD's real schema, which refuses what a stand-in would accept", () => {
    const spec = applicationSet.spec as ApplicationSetSpec;
    const broken = {
      ...applicationSet,
      spec: { ...spec, syncPolicy: { ...spec.syncPolicy, applicationsSync: "create-everything" } },
    };
    expect(() => dryRunApply(intoNamespace([broken], argocd.name))).toThrow(/applicationsSync/);
  });

  it("admits each tenant folder's FinanceTracker, whose data outlives it (deletionPolicy Retain)", () => {
    const accepted = dryRunApply(trackers, tenant.name);
    expect(accepted.map(describeObject)).toEqual(trackers.map(describeObject));
    for (const tracker of accepted) {
      expect((tracker.spec as { deletionPolicy: string }).deletionPolicy).toBe("Retain");
    }
  });

  it("generates, for every tenant folder, an Application that Argo CD's CRD accepts", () => {
    expect(tenantFolders).toEqual([`${tenantsDir}/acme`]);
    for (const folder of tenantFolders) {
      expect(yamlFiles(folder).length, folder).toBeGreaterThan(0);
      const generated = generatedApplication(applicationSet, folder);
      const [accepted] = dryRunApply(intoNamespace([generated], argocd.name));
      const spec = accepted?.spec as ApplicationSpec;
      expect(accepted?.metadata.name).toBe("tenant-acme");
      expect(spec.source.path).toBe(folder);
      expect(spec.destination.namespace).toBe("tenant-acme");
    }
  });

  it("finds the tenant folders of this repository with its Git directory generator", () => {
    const { generators, template } = applicationSet.spec as ApplicationSetSpec;
    const directories = generators.flatMap((g) => g.git?.directories ?? []);
    expect(directories).toEqual([{ path: `${tenantsDir}/*` }]);
    expect(generators[0]?.git?.repoURL).toBe(template.spec.source.repoURL);
  });

  it("installs the operator from the Helm chart at config/helm/fintrack-operator", () => {
    const spec = application.spec as ApplicationSpec;
    expect(spec.source).toMatchObject({
      path: chartPath,
      helm: { releaseName: "fintrack-operator" },
    });
    expect(spec.destination.namespace).toBe("fintrack-system");
    expect(spec.syncPolicy.managedNamespaceMetadata?.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
    });
  });

  it("never lets Argo CD delete the operator's CRDs, which carry every tenant", () => {
    const spec = application.spec as ApplicationSpec;
    expect(finalizersOf(application)).toBeUndefined();
    expect(spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(["Prune=false", "Delete=false", "ServerSideApply=true"]),
    );
    expect(spec.syncPolicy.automated?.prune).not.toBe(true);
  });

  it("never lets a prune, a removed folder or a deleted Application delete a tenant's FinanceTracker", () => {
    const spec = applicationSet.spec as ApplicationSetSpec;
    expect(spec.syncPolicy).toEqual({
      preserveResourcesOnDeletion: true,
      applicationsSync: "create-update",
    });
    expect(finalizersOf(applicationSet)).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    expect(spec.template.metadata.finalizers).toBeUndefined();
    expect(spec.template.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(["ServerSideApply=true", "FailOnSharedResource=true"]),
    );
    expect(trackers.length).toBeGreaterThan(0);
    for (const tracker of trackers) {
      expect(syncOptionsAnnotation(tracker), describeObject(tracker)).toEqual(
        expect.arrayContaining(["Prune=false", "Delete=false"]),
      );
    }
  });
});
