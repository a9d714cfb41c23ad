import type { V1ContainerStateTerminated, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";

/** Waiting reasons that are steps of a normal start, not problems. */
const startingReasons = new Set(["ContainerCreating", "PodInitializing"]);

/** Quoted texts (termination, waiting and scheduling messages) are cut to this many characters. */
export const maxQuotedLength = 120;

/**
 * One line of at most `maxQuotedLength` characters. A termination message may be a log tail
 * (FallbackToLogsOnError): its last line is where a program says why it stopped. Container
 * runtimes wrap their cause in a chain of contexts ("failed to create containerd task: ... runc
 * create failed: ... exec: \"npm\": executable file not found in $PATH: unknown"): for those, the
 * cause at the end is kept and the wrappers are cut.
 */
function short(text: string, { lastLine = false, keepEnd = false } = {}): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const picked = lastLine ? (lines.at(-1) ?? "") : lines.join(" ");
  const line = picked
    .replace(/\s+/g, " ")
    .replace(/: unknown$/, "")
    .trim();
  if (line.length <= maxQuotedLength) return line;
  return keepEnd
    ? `…${line.slice(line.length - maxQuotedLength + 1)}`
    : `${line.slice(0, maxQuotedLength - 1)}…`;
}

/** `exit 1: "connect ECONNREFUSED"`, `exit 137, OOMKilled`: how a container last ended. */
function describeExit(terminated: V1ContainerStateTerminated): string {
  // "Error" and "Completed" are what every exit says; other reasons (OOMKilled, StartError) tell.
  const reason =
    terminated.reason && !["Error", "Completed"].includes(terminated.reason)
      ? `, ${terminated.reason}`
      : "";
  const message = terminated.message
    ? short(terminated.message, { lastLine: true, keepEnd: terminated.reason === "StartError" })
    : "";
  return `exit ${terminated.exitCode}${reason}${message ? `: ${JSON.stringify(message)}` : ""}`;
}

/**
 * What is wrong with one container, init or main, from its status. CrashLoopBackOff is told by
 * its last exit, not by its waiting message, whose back-off delay grows with every restart and
 * would rewrite the tenant's status each time. A running container's restart count is never a
 * problem here (it changes too often to be worth a status write); failing readiness is.
 */
function containerProblem(status: V1ContainerStatus): string | undefined {
  const { waiting, terminated } = status.state ?? {};
  const container = `container ${status.name}`;
  if (waiting?.reason === "CrashLoopBackOff") {
    const last = status.lastState?.terminated;
    return `${container} is CrashLoopBackOff${last ? ` (${describeExit(last)})` : ""}`;
  }
  if (waiting?.reason && !startingReasons.has(waiting.reason)) {
    const message = waiting.message ? `: ${short(waiting.message, { keepEnd: true })}` : "";
    return `${container} is ${waiting.reason}${message}`;
  }
  if (terminated && terminated.exitCode !== 0) {
    return `${container} failed (${describeExit(terminated)})`;
  }
  // Started (past any startup probe) yet not ready: the readiness probe fails. A pod says so once
  // between starting and its first passing probe, and stays saying so while the probe keeps failing,
  // which is when it matters (a broken probe, a dependency the app cannot reach).
  if (status.state?.running && status.started === true && !status.ready) {
    return `${container} is running but not ready: its readiness probe fails`;
  }
  return undefined;
}

/**
 * The scheduler's verdict on a pod it could not place: its first sentence ("0/3 nodes are
 * available: 3 Insufficient cpu."), which counts the reasons; what follows is about preemption
 * and resource claims, and repeats the counts.
 */
function unschedulable(pod: V1Pod): string | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status !== "False") return undefined;
  const message = (scheduled.message ?? "").split(/(?<=\.)\s/)[0] ?? "";
  return message ? `unschedulable: ${short(message)}` : `unschedulable (${scheduled.reason ?? ""})`;
}

/** A pod that ended for good, e.g. evicted from a node short of memory. */
function failedPod(pod: V1Pod): string | undefined {
  const { phase, reason, message } = pod.status ?? {};
  if (phase !== "Failed") return undefined;
  return `${reason ?? "Failed"}${message ? `: ${short(message)}` : ""}`;
}

function firstContainerProblem(
  statuses: readonly V1ContainerStatus[] | undefined,
): string | undefined {
  for (const status of statuses ?? []) {
    const problem = containerProblem(status);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The checks, most telling first: a container that fails says what the workload itself needs
 * (init containers first: the others wait for them), then a pod the scheduler cannot place,
 * then a pod that ended for good (its replacement usually tells more).
 */
const checks: readonly ((pod: V1Pod) => string | undefined)[] = [
  (pod) => firstContainerProblem(pod.status?.initContainerStatuses),
  (pod) => firstContainerProblem(pod.status?.containerStatuses),
  unschedulable,
  failedPod,
];

/**
 * The most telling problem among one component's pods, as one short line naming the pod and
 * container, e.g. `pod acme-app-7d9f-x2k: container migrate is CrashLoopBackOff (exit 1:
 * "connect ECONNREFUSED")`; undefined when no pod has one. The first check that finds a problem
 * in any pod wins, pods taken by name so the answer is stable; terminating pods are skipped.
 * For one pod alone the answer is that pod's own first problem, so the answer for many changes
 * only when some pod's own answer changes (PodProblemChanges relies on it).
 */
export function podProblem(pods: readonly V1Pod[]): string | undefined {
  const live = pods
    .filter((p) => !p.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  for (const check of checks) {
    for (const pod of live) {
      const problem = check(pod);
      if (problem) return `pod ${pod.metadata?.name ?? "?"}: ${problem}`;
    }
  }
  return undefined;
}

/**
 * A pod as the operator caches it: identity, labels, status and the operator's own annotations
 * (a credentials rotation reads which credentials each pod runs), which is all `podProblem` and
 * the cache read. Specs and managedFields are most of a pod's size, and a thousand tenants' pods
 * must fit in the operator's memory.
 */
export function slimPod(pod: V1Pod): V1Pod {
  const ours = Object.entries(pod.metadata?.annotations ?? {}).filter(([key]) =>
    key.startsWith("fintrack.dev/"),
  );
  return {
    ...pick(pod, ["apiVersion", "kind"]),
    metadata: {
      ...pick(pod.metadata ?? {}, [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "labels",
        "deletionTimestamp",
      ]),
      ...(ours.length > 0 ? { annotations: Object.fromEntries(ours) } : {}),
    },
    status: pick(pod.status ?? {}, [
      "phase",
      "reason",
      "message",
      "conditions",
      "initContainerStatuses",
      "containerStatuses",
    ]),
  };
}

/** The fields of `from` named in `keys` that are set. */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    if (from[key] !== undefined) picked[key] = from[key];
  }
  return picked as Pick<T, K>;
}

/**
 * Each pod's last problem, so that a pod event triggers a reconcile only when that problem
 * changed: pods change often (probes, restarts, IPs), and a tenant's status depends on its pods
 * only through `podProblem`. Holds an entry only per pod that has a problem.
 */
export class PodProblemChanges {
  readonly #last = new Map<string, string>();

  /** Records a pod's problem (undefined: none, or gone); true when it differs from the last. */
  record(podKey: string, problem: string | undefined): boolean {
    const before = this.#last.get(podKey);
    if (problem === undefined) this.#last.delete(podKey);
    else this.#last.set(podKey, problem);
    return before !== problem;
  }
}
