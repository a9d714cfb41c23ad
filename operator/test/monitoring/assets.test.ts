import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { registerPostgresMetrics } from "../../../app/src/db/metrics.ts";
import { createMetrics, defaultMetrics } from "../../src/metrics.ts";
import { repoRoot } from "../harness/cluster.ts";
import { checkMetrics, runPromtool } from "../harness/promtool.ts";

const work = mkdtempSync(join(tmpdir(), "fintrack-promtool-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function run(args: string[], input?: string): string {
  const { status, output } = runPromtool(args, input, work);
  if (status !== 0) throw new Error(`promtool ${args.join(" ")}:\n${output}`);
  return output;
}

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string }[];
}

const rule = parse(readFileSync(join(repoRoot, "config/alerts/prometheus-rule.yaml"), "utf8")) as {
  kind: string;
  spec: { groups: RuleGroup[] };
};
const rulesFile = join(work, "rules.yaml");
writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));
// promtool test rules compares annotations too; `check rules` already validates their templates,
// so the timing tests run on the rules without them.
const bareRulesFile = join(work, "rules-bare.yaml");
writeFileSync(
  bareRulesFile,
  stringify({
    groups: rule.spec.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => ({ ...r, annotations: undefined })),
    })),
  }),
);

describe("the PrometheusRule", () => {
  it("passes promtool check rules with every lint enabled and fatal", () => {
    expect(rule.kind).toBe("PrometheusRule");
    const output = run(["check", "rules", "--lint=all", "--lint-fatal", rulesFile]);
    // Nothing but the file name and the verdict: a warning would be a line of its own.
    expect(output.trim().split("\n")).toEqual([
      `Checking ${rulesFile}`,
      expect.stringMatching(/^\s*SUCCESS: \d+ rules found$/),
    ]);
  });

  it("has the alerts the operator promises", () => {
    const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts.sort()).toEqual([
      "FintrackAppHighErrorRate",
      "FintrackBackupFailed",
      "FintrackBackupStale",
      "FintrackBackupVerificationFailed",
      "FintrackOperatorNotLeading",
      "FintrackOperatorReconcileErrors",
      "FintrackPostgresConnectionsNearMax",
      "FintrackPostgresDown",
      "FintrackPostgresLongTransaction",
      "FintrackTenantNotReady",
    ]);
  });

  it("fires each alert when, and only when, its condition holds long enough (promtool test rules)", () => {
    const tenant = 'namespace="t1",name="acme"';
    const tests = {
      rule_files: [bareRulesFile],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: `fintrack_tenant_ready{${tenant}}`, values: "0x15" },
            { series: `fintrack_backup_healthy{${tenant},reason="BackupStale"}`, values: "0x20" },
            {
              series: 'fintrack_backup_healthy{namespace="t2",name="b",reason="BackupFailed"}',
              values: "0x3",
            },
            {
              series:
                'http_request_duration_seconds_count{namespace="t1",job="acme-app",status="500"}',
              values: "0+10x20",
            },
            {
              series:
                'http_request_duration_seconds_count{namespace="t1",job="acme-app",status="200"}',
              values: "0+90x20",
            },
          ],
          alert_rule_test: [
            { eval_time: "9m", alertname: "FintrackTenantNotReady", exp_alerts: [] },
            {
              eval_time: "11m",
              alertname: "FintrackTenantNotReady",
              exp_alerts: [{ exp_labels: { severity: "warning", namespace: "t1", name: "acme" } }],
            },
            { eval_time: "10m", alertname: "FintrackBackupStale", exp_alerts: [] },
            {
              eval_time: "16m",
              alertname: "FintrackBackupStale",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "warning",
                    namespace: "t1",
                    name: "acme",
                    reason: "BackupStale",
                  },
                },
              ],
            },
            {
              eval_time: "1m",
              alertname: "FintrackBackupFailed",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "critical",
                    namespace: "t2",
                    name: "b",
                    reason: "BackupFailed",
                  },
                },
              ],
            },
            { eval_time: "1m", alertname: "FintrackBackupVerificationFailed", exp_alerts: [] },
            {
              eval_time: "18m",
              alertname: "FintrackAppHighErrorRate",
              exp_alerts: [
                { exp_labels: { severity: "warning", namespace: "t1", job: "acme-app" } },
              ],
            },
            {
              eval_time: "6m",
              alertname: "FintrackOperatorNotLeading",
              exp_alerts: [{ exp_labels: { severity: "critical" } }],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            {
              series: 'leader_election_master_status{name="fintrack-operator",pod="a"}',
              values: "1x10",
            },
            {
              series: 'leader_election_master_status{name="fintrack-operator",pod="b"}',
              values: "0x10",
            },
          ],
          alert_rule_test: [
            { eval_time: "8m", alertname: "FintrackOperatorNotLeading", exp_alerts: [] },
          ],
        },
        postgresRuleTests(),
      ],
    };
    const testFile = join(work, "rules.test.yaml");
    writeFileSync(testFile, stringify(tests));
    expect(run(["test", "rules", testFile])).toContain("SUCCESS");
  });
});

/**
 * The PostgreSQL alerts over two replicas of one tenant's app (t1) and of another's (t2): the
 * server's figures come from every replica, so one replica's view alone never fires them.
 */
function postgresRuleTests() {
  const replica = (namespace: string, pod: string) =>
    `namespace="${namespace}",job="${namespace}-app",pod="${pod}"`;
  const [a, b, c, d] = [
    replica("t1", "a"),
    replica("t1", "b"),
    replica("t2", "c"),
    replica("t2", "d"),
  ];
  const firing = (namespace: string, severity: string) => [
    { exp_labels: { severity, namespace, job: `${namespace}-app` } },
  ];
  return {
    interval: "1m",
    input_series: [
      // t1's PostgreSQL goes away at minute 2 for both replicas (firing at 7); t2's is out of one replica's
      // reach only.
      { series: `fintrack_postgres_up{${a}}`, values: "1 1 0x20" },
      { series: `fintrack_postgres_up{${b}}`, values: "1 1 0x20" },
      { series: `fintrack_postgres_up{${c}}`, values: "0x20" },
      { series: `fintrack_postgres_up{${d}}`, values: "1x20" },
      // t1: 85 of 100 connections; t2: 10 of 100.
      { series: `fintrack_postgres_connections{${a},state="active"}`, values: "50x20" },
      { series: `fintrack_postgres_connections{${a},state="idle"}`, values: "35x20" },
      { series: `fintrack_postgres_max_connections{${a}}`, values: "100x20" },
      { series: `fintrack_postgres_connections{${c},state="active"}`, values: "10x20" },
      { series: `fintrack_postgres_max_connections{${c}}`, values: "100x20" },
      // t2: a transaction open since minute 0, its age seen by one replica; t1: none.
      { series: `fintrack_postgres_oldest_transaction_age_seconds{${d}}`, values: "0+60x40" },
      { series: `fintrack_postgres_oldest_transaction_age_seconds{${b}}`, values: "0x40" },
    ],
    alert_rule_test: [
      { eval_time: "6m", alertname: "FintrackPostgresDown", exp_alerts: [] },
      { eval_time: "7m", alertname: "FintrackPostgresDown", exp_alerts: firing("t1", "critical") },
      { eval_time: "9m", alertname: "FintrackPostgresConnectionsNearMax", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "FintrackPostgresConnectionsNearMax",
        exp_alerts: firing("t1", "warning"),
      },
      // Over 1800 s from minute 31, firing once held for 5 minutes.
      { eval_time: "35m", alertname: "FintrackPostgresLongTransaction", exp_alerts: [] },
      {
        eval_time: "36m",
        alertname: "FintrackPostgresLongTransaction",
        exp_alerts: firing("t2", "warning"),
      },
    ],
  };
}

describe("the operator's /metrics", () => {
  it("passes promtool check metrics", async () => {
    const registry = new Registry();
    defaultMetrics(registry);
    const metrics = createMetrics(registry);
    metrics.reconcileTotal.inc({ controller: "financetracker", result: "success" });
    metrics.backupHealthy.set({ namespace: "t1", name: "acme", reason: "BackupSucceeded" }, 1);
    metrics.backupLastSuccess.set({ namespace: "t1", name: "acme" }, 1_700_000_000);
    metrics.tenantReady.set({ namespace: "t1", name: "acme" }, 1);
    expect(checkMetrics(await registry.metrics())).toEqual({ status: 0, problems: [] });
  });
});

/** Metric names a PromQL expression uses (identifiers followed by `{`, `[` or a space/paren). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const words = withoutStrings.match(/[a-z_][a-z0-9_]*(?=\s*[{[)]|\s*$|\s*[=!<>]=?\s*\d)/g) ?? [];
  const functions = new Set([
    "rate",
    "increase",
    "sum",
    "max",
    "count",
    "time",
    "vector",
    "histogram_quantile",
    "by",
    "le",
    "or",
  ]);
  return [...new Set(words.filter((w) => !functions.has(w) && w.includes("_")))];
}

/** Whether `name` is an exported metric, or a `_bucket`, `_count` or `_sum` series of one. */
const exported = (known: Set<string>, name: string) =>
  known.has(name) || known.has(name.replace(/_(bucket|count|sum)$/, ""));

/** The names of the app's PostgreSQL metrics, as its code registers them. */
function postgresMetricNames(): string[] {
  const registry = new Registry();
  // Registering reads nothing: neither the statistics nor the (never connected) pool.
  registerPostgresMetrics(registry, {
    read: () => Promise.reject(new Error("not read")),
    pool: new pg.Pool(),
    timeoutMs: 1,
    unavailable: () => undefined,
  });
  return registry.getMetricsAsArray().map((m) => m.name);
}

/** Every metric name the operator and the app export. */
async function exportedMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  createMetrics(registry);
  const operatorMetrics = (await registry.getMetricsAsJSON()).map((m) => m.name);
  const appMetrics = [
    "http_request_duration_seconds",
    "fintrack_logins_failed_total",
    "fintrack_transactions_created_total",
    ...postgresMetricNames(),
  ];
  return new Set([...operatorMetrics, ...appMetrics]);
}

describe("the alert rules", () => {
  it("query only metrics the operator and the app export", async () => {
    const known = await exportedMetrics();
    for (const r of rule.spec.groups.flatMap((g) => g.rules)) {
      const names = metricNames(r.expr);
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const name of names) expect(exported(known, name), `${r.alert}: ${name}`).toBe(true);
    }
  });
});

describe("the Grafana dashboards", () => {
  // kubectl's built-in kustomize renders the generator; the cluster setup links kubectl there.
  const kubectl = join(repoRoot, ".cluster/bin/kubectl");
  const rendered = existsSync(kubectl)
    ? execFileSync(kubectl, ["kustomize", join(repoRoot, "config/grafana")], { encoding: "utf8" })
    : "";
  const configMaps = rendered.split(/^---$/m).map(
    (d) =>
      parse(d) as {
        kind: string;
        metadata: { name: string; labels: Record<string, string> };
        data: Record<string, string>;
      },
  );

  it.skipIf(!rendered)(
    "ship as ConfigMaps the kube-prometheus-stack Grafana sidecar picks up",
    () => {
      expect(configMaps.map((c) => c.metadata.name).sort()).toEqual([
        "fintrack-dashboard-operator",
        "fintrack-dashboard-tenant",
      ]);
      for (const c of configMaps) expect(c.metadata.labels.grafana_dashboard).toBe("1");
    },
  );

  it("query only metrics the operator and the app export", async () => {
    const known = await exportedMetrics();
    for (const file of ["operator.json", "tenant.json"]) {
      const dashboard = JSON.parse(
        readFileSync(join(repoRoot, "config/grafana", file), "utf8"),
      ) as {
        panels: { title: string; type: string; targets?: { expr: string }[] }[];
      };
      for (const panel of dashboard.panels) {
        // A row only groups the panels below it.
        const targets = panel.type === "row" ? [] : (panel.targets ?? [{ expr: "" }]);
        for (const { expr } of targets) {
          const names = metricNames(expr);
          expect(names.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
          for (const name of names)
            expect(exported(known, name), `${file}: ${panel.title}: ${name}`).toBe(true);
        }
      }
    }
  });
});
