import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartDir } from "../../src/chart/files.ts";
import { kubeconfigPath, repoRoot } from "./cluster.ts";
import { parseManifests, type Manifest } from "./manifests.ts";

let helmPath: string | undefined;

/** The pinned Helm (hack/versions.env), built into the cache on first use. */
function helmBinary(): string {
  helmPath ??= execFileSync(join(repoRoot, "hack/install-helm.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return helmPath;
}

/** The outcome of a Helm command that may fail: its exit status and everything it printed. */
export interface HelmResult {
  status: number;
  output: string;
}

/** Runs Helm against the local cluster and returns its standard output; throws when it fails. */
export function helm(args: string[]): string {
  return execFileSync(helmBinary(), [...args, "--kubeconfig", kubeconfigPath], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs Helm, returning its status and output instead of throwing. */
export function tryHelm(args: string[]): HelmResult {
  try {
    return { status: 0, output: helm(args) };
  } catch (error) {
    const { status, stdout, stderr } = error as {
      status?: number;
      stdout?: string;
      stderr?: string;
    };
    return { status: status ?? 1, output: `${stdout ?? ""}${stderr ?? ""}` };
  }
}

/**
 * The objects `helm template` renders for a release, the chart's CRDs included, with `values`
 * given as a values file (so lists and maps go in as they are).
 */
export function renderChart(release: string, namespace: string, values: object = {}): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), "fintrack-helm-"));
  try {
    const valuesFile = join(dir, "values.json");
    writeFileSync(valuesFile, JSON.stringify(values));
    const args = ["template", release, join(repoRoot, chartDir), "--namespace", namespace];
    const text = helm([...args, "--include-crds", "--values", valuesFile]);
    return parseManifests(text, `helm template ${release}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
