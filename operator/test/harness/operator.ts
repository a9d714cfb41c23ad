import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { clusterDir, kubeconfigPath, kubectl, repoRoot } from "./cluster.ts";
import { eventually } from "./eventually.ts";
import { kustomizations, parseManifests, kustomize } from "./manifests.ts";

/** The namespace the operator's ServiceAccount and Lease live in, as `make deploy` sets it up. */
export const operatorNamespace = "fintrack-system";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

let identityKubeconfig: string | undefined;

/**
 * A kubeconfig that authenticates as the operator's own ServiceAccount, bound to exactly the RBAC
 * of config/ (rendered by kustomize, as `make deploy` applies it), so every test proves that
 * RBAC is sufficient. Set up once per test process; the token comes from the TokenRequest API.
 */
export function operatorKubeconfig(): string {
  if (identityKubeconfig) return identityKubeconfig;
  const wanted = new Set([
    "Namespace",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
  ]);
  const rbac = parseManifests(kustomize(kustomizations.default), kustomizations.default).filter(
    (m) => wanted.has(m.kind) && m.metadata.name.startsWith("fintrack"),
  );
  kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager", "fintrack-test", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: rbac }),
  );
  const serviceAccount = rbac.find((m) => m.kind === "ServiceAccount")?.metadata.name;
  if (!serviceAccount) throw new Error("config/default renders no ServiceAccount");
  const token = kubectl([
    "create",
    "token",
    serviceAccount,
    "-n",
    operatorNamespace,
    "--duration",
    "6h",
  ]).trim();
  const server = kubectl([
    "config",
    "view",
    "--minify",
    "-o",
    "jsonpath={.clusters[0].cluster.server}",
  ]).trim();
  const ca = kubectl([
    "config",
    "view",
    "--minify",
    "--raw",
    "-o",
    "jsonpath={.clusters[0].cluster.certificate-authority}",
  ]).trim();
  const dir = join(clusterDir, "operator");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kubeconfig");
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "local", cluster: { server, "certificate-authority": ca } }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: "operator", context: { cluster: "local", user: serviceAccount } }],
      "current-context": "operator",
    }),
    { mode: 0o600 },
  );
  identityKubeconfig = path;
  return path;
}

/** A running operator process (`node operator/src/main.ts`), as a Pod would run it. */
export interface OperatorProcess {
  metricsUrl: string;
  healthUrl: string;
  logs: () => string;
  /** SIGTERM: graceful stop, releasing the Lease; resolves with the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: a crash, nothing released. */
  kill: () => Promise<void>;
  exited: Promise<number | null>;
  /** The operator process's id, e.g. to read its memory use from /proc. */
  pid?: number;
}

export interface OperatorOptions {
  watchNamespaces: string[];
  /** A Lease name of its own per test file, so concurrent files never share leadership. */
  leaseName?: string;
  env?: Record<string, string>;
  /** The script to run; the sources by default, `operator/dist/main.js` for what the image ships. */
  entry?: string;
}

/** Starts the operator (from source unless told) under its own identity, waiting for /healthz. */
export async function startOperatorProcess(options: OperatorOptions): Promise<OperatorProcess> {
  const [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
  const entry = join(repoRoot, options.entry ?? "operator/src/main.ts");
  const child = spawn(process.execPath, [entry], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      KUBECONFIG: operatorKubeconfig(),
      FINTRACK_WATCH_NAMESPACES: options.watchNamespaces.join(","),
      FINTRACK_METRICS_PORT: String(metricsPort),
      FINTRACK_HEALTH_PORT: String(healthPort),
      FINTRACK_LEADER_ELECTION: options.leaseName ? "true" : "false",
      FINTRACK_LEADER_ELECTION_NAMESPACE: operatorNamespace,
      FINTRACK_LEADER_ELECTION_NAME: options.leaseName ?? "unused",
      FINTRACK_POSTGRES_IMAGE: "registry.example/postgres:{version}",
      FINTRACK_APP_IMAGE: "registry.example/fintrack/app:test",
      FINTRACK_REDIS_IMAGE: "registry.example/redis:7",
      LOG_LEVEL: "info",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  try {
    await eventually(
      "the operator's /healthz",
      async () => {
        if (child.exitCode !== null)
          throw new Error(`operator exited with ${child.exitCode}:\n${output}`);
        const res = await fetch(`${healthUrl}/healthz`);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    healthUrl,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
    exited,
    pid: child.pid,
  };
}

/**
 * A /metrics text. Tried twice: a keep-alive connection the operator's server closed just as it
 * was reused fails with "other side closed", and only a fresh connection tells a real failure.
 */
export async function scrape(metricsUrl: string): Promise<string> {
  try {
    return await (await fetch(metricsUrl)).text();
  } catch {
    return (await fetch(metricsUrl)).text();
  }
}

/** One Prometheus sample value from a /metrics text, summed over series matching `labels`. */
export async function metricValue(
  metricsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await scrape(metricsUrl);
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export { kubeconfigPath };
