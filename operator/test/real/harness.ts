import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";

/**
 * What the end-to-end scenario runs against, from the environment hack/e2e.sh (real node) or
 * hack/kind-test.sh (kind) sets: the cluster, its kubectl, and the images they built and loaded.
 */
export const e2e = {
  substrate: process.env.E2E_SUBSTRATE ?? "real-node",
  kubeconfig: process.env.E2E_KUBECONFIG ?? join(repoRoot, ".cluster/kubeconfig"),
  kubectl:
    process.env.E2E_KUBECTL ??
    (existsSync(join(repoRoot, ".cluster/bin/kubectl"))
      ? join(repoRoot, ".cluster/bin/kubectl")
      : "kubectl"),
  images: {
    operator: process.env.IMG ?? "fintrack/operator:e2e",
    app: process.env.APP_IMG ?? "fintrack/app:e2e",
    /** The app image under a second tag (hack/e2e.sh tags it): changing to it rolls every pod. */
    appRollout: process.env.APP_ROLLOUT_IMG ?? "fintrack/app:e2e-rollout",
    backup: process.env.BACKUP_IMG ?? "fintrack/backup:e2e",
    s3: process.env.S3_IMG ?? "motoserver/moto:5.2.5",
  },
};

const execFileAsync = promisify(execFile);

let helmPath: string | undefined;

/** Helm: $HELM when the caller has one, else the pinned one (hack/install-helm.sh builds it once). */
function helmBinary(): string {
  helmPath ??=
    process.env.HELM ??
    execFileSync(join(repoRoot, "hack/install-helm.sh"), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
  return helmPath;
}

/** Runs Helm against the scenario's cluster and returns its standard output; throws with its stderr. */
export async function helm(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(
      helmBinary(),
      [...args, "--kubeconfig", e2e.kubeconfig],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`helm ${args.join(" ")} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** Runs kubectl against the scenario's cluster and returns its standard output; throws with its stderr. */
export function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync(e2e.kubectl, ["--kubeconfig", e2e.kubeconfig, ...args], {
      input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`kubectl ${args.join(" ")} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** kubectl without blocking the event loop, for calls made while traffic is measured. */
export async function kubectlAsync(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(e2e.kubectl, ["--kubeconfig", e2e.kubeconfig, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** `kubectl get -o json` parsed; the caller names the shape it expects. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed parse
export function getJson<T>(args: string[]): T {
  return JSON.parse(kubectl(["get", ...args, "-o", "json"])) as T;
}

/** Merge-patches FinanceTracker `namespace/name` with `patch`. */
export function patchTracker(namespace: string, name: string, patch: unknown): void {
  kubectl([
    "patch",
    "financetracker",
    name,
    "-n",
    namespace,
    "--type=merge",
    "-p",
    JSON.stringify(patch),
  ]);
}

/** JSON-patches FinanceTracker `namespace/name` (to remove a field, which a merge patch cannot name). */
export function patchTrackerJson(namespace: string, name: string, operations: unknown[]): void {
  kubectl([
    "patch",
    "financetracker",
    name,
    "-n",
    namespace,
    "--type=json",
    "-p",
    JSON.stringify(operations),
  ]);
}

/** Creates namespace `name` enforcing the restricted Pod Security profile, as tenants' should. */
export function restrictedNamespace(name: string, labels: Record<string, string> = {}): void {
  kubectl(["create", "namespace", name]);
  const all = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "fintrack.dev/e2e": "true",
    ...labels,
  };
  kubectl([
    "label",
    "namespace",
    name,
    "--overwrite",
    ...Object.entries(all).map(([k, v]) => `${k}=${v}`),
  ]);
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The parts of a FinanceTracker the scenario reads. */
export interface TrackerState {
  metadata: { generation: number };
  status?: {
    phase?: string;
    observedGeneration?: number;
    conditions?: Condition[];
    url?: string;
    components?: Record<string, { ready: boolean; message: string }>;
  };
}

/** The FinanceTracker's current state. */
export function tracker(namespace: string, name: string): TrackerState {
  return getJson<TrackerState>(["financetracker", name, "-n", namespace]);
}

/** What a not-ready tenant says about itself, for failure messages. */
export function describeTracker(namespace: string, name: string): string {
  try {
    const t = tracker(namespace, name);
    const components = Object.entries(t.status?.components ?? {})
      .map(([part, c]) => `${part}: ${c.message}`)
      .join("; ");
    const ready = t.status?.conditions?.find((c) => c.type === "Ready");
    return `phase ${t.status?.phase ?? "-"}, Ready ${ready?.status ?? "-"} (${ready?.message ?? ""}); ${components}`;
  } catch (error) {
    return String(error);
  }
}

/** Waits until the FinanceTracker has reconciled its latest generation and is Ready. */
export async function waitReady(
  namespace: string,
  name: string,
  timeoutMs = 600_000,
): Promise<TrackerState> {
  return eventually(
    `FinanceTracker ${namespace}/${name} to be Ready`,
    () => {
      const t = tracker(namespace, name);
      const ready = t.status?.conditions?.find((c) => c.type === "Ready");
      if (t.status?.observedGeneration !== t.metadata.generation || ready?.status !== "True") {
        throw new Error(describeTracker(namespace, name));
      }
      return t;
    },
    { timeoutMs, intervalMs: 2_000 },
  );
}

/** Waits until a Deployment's rollout is complete. */
export function rolloutStatus(namespace: string, deployment: string, timeout = "5m"): void {
  kubectl([
    "rollout",
    "status",
    `deployment/${deployment}`,
    "-n",
    namespace,
    `--timeout=${timeout}`,
  ]);
}

/** A Secret's value, decoded. */
export function secretValue(namespace: string, name: string, key: string): string {
  const secret = getJson<{ data?: Record<string, string> }>(["secret", name, "-n", namespace]);
  const value = secret.data?.[key];
  if (value === undefined) throw new Error(`secret ${namespace}/${name} has no key ${key}`);
  return Buffer.from(value, "base64").toString("utf8");
}

/** A local port forwarded to a Service or Pod; close() stops kubectl. */
export interface PortForward {
  url: string;
  port: number;
  close: () => void;
}

/** Forwards a free local port to `target` (svc/name or pod/name) port `remotePort`. */
export async function portForward(
  namespace: string,
  target: string,
  remotePort: number,
): Promise<PortForward> {
  const child = spawn(
    e2e.kubectl,
    [
      "--kubeconfig",
      e2e.kubeconfig,
      "-n",
      namespace,
      "port-forward",
      "--address",
      "127.0.0.1",
      target,
      `:${remotePort}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`kubectl port-forward ${target} did not start: ${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward ${target} exited ${code}: ${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, port, close: () => child.kill() };
}

/** How a one-shot pod ended. */
export interface PodOutcome {
  exitCode: number;
  logs: string;
}

/** The security context every pod of the scenario's own runs with: the restricted profile's. */
export const restrictedSecurity = {
  pod: {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    seccompProfile: { type: "RuntimeDefault" },
  },
  container: {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  },
};

/**
 * Runs `node -e script` in a pod of the app image (which every substrate has) in `namespace`,
 * with `labels`, waits until it ends and returns its exit code and output.
 */
export async function runNodePod(
  namespace: string,
  name: string,
  script: string,
  {
    labels = {},
    env = {},
    timeoutMs = 180_000,
  }: { labels?: Record<string, string>; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<PodOutcome> {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { "fintrack.dev/e2e": "probe", ...labels } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: restrictedSecurity.pod,
      containers: [
        {
          name: "probe",
          image: e2e.images.app,
          imagePullPolicy: "IfNotPresent",
          command: ["node", "-e", script],
          env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
          securityContext: restrictedSecurity.container,
          resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        },
      ],
    },
  };
  kubectl(["delete", "pod", name, "-n", namespace, "--ignore-not-found", "--wait=true"]);
  kubectl(["apply", "-f", "-"], JSON.stringify(pod));
  const phase = await eventually(
    `pod ${namespace}/${name} to finish`,
    () => {
      const p = getJson<{ status?: { phase?: string } }>(["pod", name, "-n", namespace]);
      const current = p.status?.phase ?? "";
      if (current !== "Succeeded" && current !== "Failed")
        throw new Error(`phase ${current || "unknown"}`);
      return current;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
  const logs = kubectl(["logs", name, "-n", namespace]);
  kubectl(["delete", "pod", name, "-n", namespace, "--wait=false"]);
  return { exitCode: phase === "Succeeded" ? 0 : 1, logs };
}

/**
 * A script for runNodePod: tries TCP connections to each host:port, all at once, and prints one
 * line per target in their order: `open`, or `closed: why` after `attempts` refusals or
 * timeouts, exiting 0 either way (the caller asserts). It waits a
 * few seconds first: a NetworkPolicy enforcer admits a new pod's address only once it has seen
 * the pod (kube-router adds it to its ipsets on the pod's event), so the very first packets of a
 * pod that just started may be refused although the policy admits it.
 */
export function tcpProbeScript(
  targets: readonly (readonly [host: string, port: number])[],
  timeoutMs = 3_000,
  attempts = 3,
): string {
  return `
    const net = require("node:net");
    const once = (host, port) => new Promise((resolve) => {
      const socket = net.connect({ host, port });
      const done = (what) => { socket.destroy(); resolve(what); };
      socket.setTimeout(${timeoutMs}, () => done("closed: timed out"));
      socket.once("connect", () => done("open"));
      socket.once("error", (e) => done("closed: " + e.code));
    });
    const probe = async ([host, port]) => {
      let result = "";
      for (let i = 0; i < ${attempts}; i++) {
        result = await once(host, port);
        if (result === "open") break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return result;
    };
    (async () => {
      await new Promise((r) => setTimeout(r, 3000));
      // Every target at once: a closed one costs its attempts' timeouts, not the others'.
      const results = await Promise.all(${JSON.stringify(targets)}.map(probe));
      console.log(results.join("\\n"));
    })();
  `;
}
