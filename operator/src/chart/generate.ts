// Writes what the Helm chart (config/helm/fintrack-operator) takes from elsewhere in the repo:
// config/rbac's rules, config/prometheus's and config/alerts's specs, config/grafana's dashboards
// (files/), and README.md's values table from values.yaml. The CRDs in its crds/ folder come
// from operator/src/api/generate.ts. Run by `npm run manifests`; lint runs it with --check and
// fails when a committed file is stale.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { settingsSchema } from "../config.ts";
import { syncGeneratedFiles } from "../generated-files.ts";
import {
  chartDir,
  chartReadme,
  dashboardSources,
  dashboardTarget,
  fieldOf,
  settingText,
  valueRows,
} from "./files.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

function field(source: string, name: string): string {
  return fieldOf(read(source), name, source);
}

function operatorDefaults(): Record<string, string> {
  const defaults = settingsSchema.parse({});
  return Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, settingText(value)]),
  );
}

const dashboards = dashboardSources(read("config/grafana/kustomization.yaml"));
const outputs = new Map<string, string>([
  ["files/rbac/operator-rules.yaml", field("config/rbac/role.yaml", "rules")],
  ["files/rbac/editor-rules.yaml", field("config/rbac/financetracker_editor_role.yaml", "rules")],
  ["files/rbac/viewer-rules.yaml", field("config/rbac/financetracker_viewer_role.yaml", "rules")],
  ["files/monitoring/servicemonitor-spec.yaml", field("config/prometheus/monitor.yaml", "spec")],
  [
    "files/monitoring/prometheusrule-spec.yaml",
    field("config/alerts/prometheus-rule.yaml", "spec"),
  ],
  ...dashboards.map((d) => [dashboardTarget(d), read(join("config/grafana", d.file))] as const),
  ["README.md", chartReadme(valueRows(read(join(chartDir, "values.yaml"))), operatorDefaults())],
]);

/** Dashboards left in the chart after config/grafana dropped them. */
function staleDashboards(): string[] {
  const root = join(repoRoot, chartDir, "files/dashboards");
  let found: string[] = [];
  try {
    found = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) =>
        join(entry.parentPath, entry.name).slice(join(repoRoot, chartDir).length + 1),
      );
  } catch {
    // no dashboards written yet
  }
  return found.filter((path) => !outputs.has(path));
}

const check = process.argv.includes("--check");
const stale = syncGeneratedFiles(join(repoRoot, chartDir), outputs, check);
for (const target of staleDashboards()) {
  if (check) stale.push(target);
  else rmSync(join(repoRoot, chartDir, target));
}
if (stale.length > 0) {
  console.error(`stale chart files in ${chartDir} (run npm run manifests): ${stale.join(", ")}`);
  process.exit(1);
}
