import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readBackup, createS3CredentialsSecret } from "../harness/backups.ts";
import { kubeconfigPath, kubectl, kubectlPath, repoRoot } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import { applyTracker, readTracker, waitReady } from "../harness/trackers.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end and keeps what it wrote, whatever its exit code. */
function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, timeout: 110_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const pluginMain = join(repoRoot, "operator/kubectl-fintrack/src/main.ts");
const pluginVersion = (
  JSON.parse(readFileSync(join(repoRoot, "operator/kubectl-fintrack/package.json"), "utf8")) as {
    version: string;
  }
).version;

/** The part of the krew manifest a test reads. */
interface KrewManifest {
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    platforms: {
      selector: { matchLabels: Record<string, string> };
      uri: string;
      sha256: string;
      bin: string;
    }[];
  };
}
const adminEmail = "owner@acme.example";
const s3 = {
  bucket: "fintrack-backups",
  prefix: "tenants/acme",
  endpoint: "http://minio.storage.svc:9000",
  forcePathStyle: true,
  credentialsSecretRef: { name: "acme-s3" },
};

/**
 * The plugin as a user runs it, a child process, against a tenant a real operator process
 * reconciles on the shared control plane (kwok plays the pods and completes the Jobs).
 */
describe.skipIf(!clusterRunsControllers())("kubectl-fintrack against a reconciled tenant", () => {
  const ns = useNamespace("plugin");
  let operator: OperatorProcess;
  /** The plugin from source, pointed at the namespace with -n and at the cluster by --kubeconfig. */
  const plugin = (...args: string[]) =>
    run(process.execPath, [pluginMain, ...args, "-n", ns.name, "--kubeconfig", kubeconfigPath]);

  beforeAll(async () => {
    installCrd();
    createS3CredentialsSecret(ns.name, "acme-s3");
    operator = await startOperatorProcess({ watchNamespaces: [ns.name] });
    applyTracker(ns.name, "acme", {
      app: { adminEmail, replicas: 2 },
      ingress: { host: "money.acme.example" },
      // A yearly run long past: only the plugin's backups happen during the test.
      backup: { schedule: "0 3 1 1 *", destination: { s3 } },
    });
    await waitReady(ns.name, "acme");
  });
  afterAll(async () => {
    // Undefined when the setup failed before starting it.
    const started = operator as OperatorProcess | undefined;
    const code = await started?.stop();
    if (started && code !== 0) console.error(started.logs());
  });

  it("status shows the tenant, each part with its replicas, the conditions and no backup yet", async () => {
    const { code, stdout, stderr } = await plugin("status", "acme");

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain(`Tenant:       acme (namespace ${ns.name})`);
    expect(stdout).toMatch(/^Phase: +Ready$/m);
    expect(stdout).toMatch(/^PostgreSQL: +18$/m);
    expect(stdout).toMatch(/^URL: +http:\/\/money\.acme\.example/m);
    expect(stdout).toMatch(/^ {2}PostgreSQL +acme-postgres +1\/1 +StatefulSet, 10Gi$/m);
    expect(stdout).toMatch(/^ {2}Redis +acme-redis +1\/1 +Deployment$/m);
    expect(stdout).toMatch(/^ {2}App +acme-app +2\/2 +Deployment$/m);
    expect(stdout).toMatch(/^ {2}Ingress +acme-app +- +money\.acme\.example/m);
    expect(stdout).toMatch(/^ {2}NetworkPolicies +- +\d+ +.*acme-postgres/m);
    expect(stdout).toMatch(/^ {2}ServiceMonitor +acme-app +- +/m);
    expect(stdout).toMatch(/^ {2}none yet \(schedule 0 3 1 1 \* UTC\)$/m);
    expect(stdout).toMatch(/^ {2}Ready +True +AllComponentsReady +\S+ +/m);
    expect(stdout).toMatch(/^ {2}BackupHealthy +Unknown +NoBackupYet/m);
  });

  it("admin-password prints the owner's password from the credentials Secret, and only that", async () => {
    const stored = Buffer.from(
      kubectl([
        "get",
        "secret",
        "acme-credentials",
        "-n",
        ns.name,
        "-o",
        "jsonpath={.data.admin-password}",
      ]),
      "base64",
    ).toString();

    const { code, stdout, stderr } = await plugin("admin-password", "acme");

    expect(code).toBe(0);
    expect(stored).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(stdout).toBe(`${stored}\n`);
    expect(stderr).toContain(adminEmail);
  });

  it("backup --wait creates a FinanceTrackerBackup, follows it and prints the verified result", async () => {
    const { code, stdout, stderr } = await plugin(
      "backup",
      "acme",
      "--name",
      "acme-by-plugin",
      "--wait",
      "--timeout",
      "90s",
    );

    expect(stderr).toContain("financetrackerbackup/acme-by-plugin created");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Phase: +Completed$/m);
    // kwok plays the backup program (hack/kwok/job-pod-complete.yaml): its result has the key.
    expect(stdout).toMatch(/^Stored as: +tenants\/acme\/acme-by-plugin\.dump$/m);
    expect(stdout).toMatch(/^Verified: +yes/m);
    const backup = await readBackup(ns.name, "acme-by-plugin");
    expect(backup?.spec.trackerRef.name).toBe("acme");

    await eventually("status shows the plugin's backup as the last one", async () => {
      const status = await plugin("status", "acme");
      expect(status.stdout).toMatch(/^ {2}Name: +acme-by-plugin$/m);
      expect(status.stdout).toMatch(/^ {2}Verified: +yes/m);
    });
  });

  it("restore creates a new tenant from the source's spec with spec.restore naming the backup", async () => {
    const { code, stdout, stderr } = await plugin(
      "restore",
      "acme-by-plugin",
      "--into",
      "acme-restored",
    );

    expect(stderr).toContain("kubectl fintrack status acme-restored");
    expect(code).toBe(0);
    expect(stdout).toContain("financetracker/acme-restored created");
    const restored = await readTracker(ns.name, "acme-restored");
    expect(restored.spec.restore?.from).toMatchObject({
      backup: "acme-by-plugin",
      s3: { bucket: s3.bucket, prefix: s3.prefix, endpoint: s3.endpoint },
    });
    expect(restored.spec.app.replicas).toBe(2);
    expect(restored.spec.ingress).toBeUndefined();
    expect(restored.spec.backup).toBeUndefined();

    const again = await plugin("restore", "acme-by-plugin", "--into", "acme-restored");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('FinanceTracker "acme-restored" already exists');
  });

  it("rotate-credentials sets the annotation and --wait follows the rotation to its end", async () => {
    const { code, stdout, stderr } = await plugin(
      "rotate-credentials",
      "acme",
      "--request",
      "plugin-1",
      "--wait",
      "--timeout",
      "100s",
    );

    expect(stderr).toContain("annotated fintrack.dev/rotate-credentials=plugin-1");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^acme: credentials rotated at \S+$/m);
    const tracker = await readTracker(ns.name, "acme");
    expect(tracker.metadata.annotations?.["fintrack.dev/rotate-credentials"]).toBe("plugin-1");
    expect(tracker.status?.credentials?.lastRotation?.request).toBe("plugin-1");

    const repeated = await plugin("rotate-credentials", "acme", "--request", "plugin-1");
    expect(repeated.code).toBe(1);
    expect(repeated.stderr).toContain('request "plugin-1" was already made');
  });

  it("psql and open hand kubectl the tenant's running PostgreSQL pod and app Service", async () => {
    // kwok runs no containers, so no exec or port-forward could reach one: a stand-in kubectl
    // records the arguments (and says what port-forward says) instead.
    const dir = mkdtempSync(join(tmpdir(), "fintrack-kubectl-"));
    try {
      const standIn = join(dir, "kubectl");
      writeFileSync(
        standIn,
        `#!/bin/sh\nprintf '%s\\n' "$@"\n[ "$1" = port-forward ] && echo "Forwarding from 127.0.0.1:1 -> 8080"\nexit 0\n`,
        { mode: 0o755 },
      );
      const connection = ["--kubeconfig", kubeconfigPath, "--namespace", ns.name];

      const psql = await run(
        process.execPath,
        [
          pluginMain,
          "psql",
          "acme",
          "-n",
          ns.name,
          "--kubeconfig",
          kubeconfigPath,
          "--",
          "-c",
          "select 1",
        ],
        { KUBECTL: standIn },
      );

      expect(psql.stderr).toBe("");
      expect(psql.code).toBe(0);
      expect(psql.stdout.trim().split("\n")).toEqual([
        "exec",
        "-i",
        ...connection,
        "acme-postgres-0",
        "-c",
        "postgres",
        "--",
        "psql",
        "-U",
        "fintrack",
        "-d",
        "fintrack",
        "-c",
        "select 1",
      ]);

      const open = await run(
        process.execPath,
        [
          pluginMain,
          "open",
          "acme",
          "-n",
          ns.name,
          "--kubeconfig",
          kubeconfigPath,
          "--port",
          "18080",
        ],
        { KUBECTL: standIn },
      );

      expect(open.code).toBe(0);
      expect(open.stderr).toContain(
        ["port-forward", ...connection, "service/acme-app", "18080:8080"].join("\n"),
      );
      expect(open.stdout).toBe(
        "acme is at http://localhost:18080/ (Ctrl-C stops the port-forward)\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every command fails clearly, exit code 1, for a tenant that does not exist", async () => {
    const missing = `error: FinanceTracker "ghost" not found in namespace "${ns.name}"`;
    for (const command of [
      "status",
      "psql",
      "open",
      "admin-password",
      "rotate-credentials",
      "backup",
    ]) {
      const { code, stdout, stderr } = await plugin(command, "ghost");
      expect({ command, code, stdout }).toEqual({ command, code: 1, stdout: "" });
      expect(stderr).toContain(missing);
    }
    const restore = await plugin("restore", "ghost-backup", "--into", "x");
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`FinanceTrackerBackup "ghost-backup" not found`);
  });

  it("ships as released: the krew archive's program, linked as krew links it, runs status", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fintrack-release-"));
    try {
      const out = join(dir, "out");
      const packed = await run(join(repoRoot, "hack/kubectl-fintrack-release.sh"), [
        out,
        "https://downloads.example/v9",
      ]);
      expect(packed.stderr).toContain("fintrack.yaml");
      expect(packed.code).toBe(0);
      const archive = join(out, `kubectl-fintrack-v${pluginVersion}.tar.gz`);
      const manifest = parse(readFileSync(join(out, "fintrack.yaml"), "utf8")) as KrewManifest;
      expect(manifest.kind).toBe("Plugin");
      expect(manifest.metadata.name).toBe("fintrack");
      expect(manifest.spec.version).toBe(`v${pluginVersion}`);
      const sha256 = createHash("sha256").update(readFileSync(archive)).digest("hex");
      const linux = manifest.spec.platforms.find(
        (p) => p.selector.matchLabels.os === "linux" && p.selector.matchLabels.arch === "amd64",
      );
      expect(linux).toMatchObject({
        uri: `https://downloads.example/v9/kubectl-fintrack-v${pluginVersion}.tar.gz`,
        sha256,
      });

      const installed = join(dir, "store");
      expect((await run("mkdir", ["-p", installed])).code).toBe(0);
      expect((await run("tar", ["-xzf", archive, "-C", installed])).code).toBe(0);
      const link = join(dir, "kubectl-fintrack");
      symlinkSync(join(installed, linux?.bin ?? "missing"), link);

      const help = await run(link, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("kubectl fintrack <command> [flags]");
      const status = await run(link, ["status", "acme", "-n", ns.name], {
        KUBECONFIG: kubeconfigPath,
      });
      expect(status.stderr).toBe("");
      expect(status.stdout).toMatch(/^ {2}App +acme-app +2\/2 +Deployment$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("status works for someone who may only read the tenant's namespace", async () => {
    const viewer = ["-n", ns.name];
    kubectl(["create", "serviceaccount", "viewer", ...viewer]);
    kubectl([
      "create",
      "role",
      "viewer",
      ...viewer,
      "--verb=get,list",
      "--resource=financetrackers.fintrack.dev,financetrackerbackups.fintrack.dev,statefulsets,deployments,ingresses,networkpolicies,servicemonitors.monitoring.coreos.com,events",
    ]);
    kubectl([
      "create",
      "rolebinding",
      "viewer",
      ...viewer,
      "--role=viewer",
      `--serviceaccount=${ns.name}:viewer`,
    ]);
    const token = kubectl(["create", "token", "viewer", ...viewer]).trim();
    const view = (path: string) =>
      kubectl(["config", "view", "--minify", "--raw", "-o", `jsonpath={${path}}`]).trim();
    const dir = mkdtempSync(join(tmpdir(), "fintrack-viewer-"));
    try {
      const config = join(dir, "kubeconfig");
      writeFileSync(
        config,
        JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [
            {
              name: "local",
              cluster: {
                server: view(".clusters[0].cluster.server"),
                "certificate-authority": view(".clusters[0].cluster.certificate-authority"),
              },
            },
          ],
          users: [{ name: "viewer", user: { token } }],
          contexts: [{ name: "viewer", context: { cluster: "local", user: "viewer" } }],
          "current-context": "viewer",
        }),
      );

      const { code, stdout, stderr } = await run(process.execPath, [
        pluginMain,
        "status",
        "acme",
        "-n",
        ns.name,
        "--kubeconfig",
        config,
      ]);

      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ {2}App +acme-app +2\/2 +Deployment$/m);
      expect(stdout).toMatch(/^ {2}ServiceMonitor +acme-app +- +present$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the namespace from --context's context, as kubectl does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fintrack-plugin-"));
    try {
      const config = join(dir, "kubeconfig");
      writeFileSync(config, kubectl(["config", "view", "--raw", "--flatten"]));
      const cluster = kubectl(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].name}"]);
      const user = kubectl(["config", "view", "--minify", "-o", "jsonpath={.users[0].name}"]);
      await run(kubectlPath, [
        `--kubeconfig=${config}`,
        "config",
        "set-context",
        "tenant",
        `--cluster=${cluster}`,
        `--user=${user}`,
        `--namespace=${ns.name}`,
      ]);

      const { code, stdout } = await run(process.execPath, [
        pluginMain,
        "status",
        "acme",
        "--kubeconfig",
        config,
        "--context",
        "tenant",
      ]);

      expect(code).toBe(0);
      expect(stdout).toContain(`Tenant:       acme (namespace ${ns.name})`);
      const unknown = await run(process.execPath, [
        pluginMain,
        "status",
        "acme",
        "--kubeconfig",
        config,
        "--context",
        "nope",
      ]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('context "nope" is not in the kubeconfig');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
