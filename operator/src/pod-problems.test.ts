import type { V1ContainerStatus, V1Pod, V1PodStatus } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { maxQuotedLength, PodProblemChanges, podProblem, slimPod } from "./pod-problems.ts";

function aPod(name: string, status: V1PodStatus = {}, extra: Partial<V1Pod> = {}): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "tenant-acme", resourceVersion: "7", ...extra.metadata },
    ...extra,
    status: { phase: "Pending", ...status },
  };
}

function container(name: string, state: Partial<V1ContainerStatus>): V1ContainerStatus {
  return { name, image: "app:1", imageID: "", ready: false, restartCount: 0, ...state };
}

const unschedulable: V1PodStatus = {
  conditions: [
    {
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message:
        "0/3 nodes are available: 3 Insufficient cpu. no new claims to deallocate, preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    },
  ],
};
const migrateCrashLooping: V1PodStatus = {
  initContainerStatuses: [
    container("migrate", {
      state: {
        waiting: {
          reason: "CrashLoopBackOff",
          message: "back-off 40s restarting failed container=migrate pod=acme-app-7d9f-x2k",
        },
      },
      lastState: {
        terminated: { exitCode: 1, reason: "Error", message: "connect ECONNREFUSED\n" },
      },
    }),
  ],
  containerStatuses: [container("app", { state: { waiting: { reason: "PodInitializing" } } })],
};

describe("podProblem", () => {
  it.each<{ what: string; status: V1PodStatus; extra?: Partial<V1Pod>; expected?: string }>([
    {
      what: "a pod the scheduler cannot place, by the first sentence of its verdict",
      status: unschedulable,
      expected: "pod p: unschedulable: 0/3 nodes are available: 3 Insufficient cpu.",
    },
    {
      what: "a crash-looping init container, by its last exit rather than its back-off delay",
      status: migrateCrashLooping,
      expected: 'pod p: container migrate is CrashLoopBackOff (exit 1: "connect ECONNREFUSED")',
    },
    {
      what: "a crash loop whose last exit was an OOM kill",
      status: {
        containerStatuses: [
          container("app", {
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } },
          }),
        ],
      },
      expected: "pod p: container app is CrashLoopBackOff (exit 137, OOMKilled)",
    },
    {
      what: "a crash loop with no last state recorded",
      status: {
        containerStatuses: [
          container("app", { state: { waiting: { reason: "CrashLoopBackOff" } } }),
        ],
      },
      expected: "pod p: container app is CrashLoopBackOff",
    },
    {
      what: "an init container that failed, with the last line of its log tail",
      status: {
        initContainerStatuses: [
          container("migrate", {
            state: {
              terminated: {
                exitCode: 1,
                reason: "Error",
                message:
                  "migrating fintrack@acme-postgres:5432/fintrack\nmigration failed: password authentication failed\n\n",
              },
            },
          }),
        ],
      },
      expected:
        'pod p: container migrate failed (exit 1: "migration failed: password authentication failed")',
    },
    {
      what: "a container the runtime could not start",
      status: {
        containerStatuses: [
          container("app", {
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: {
              terminated: {
                exitCode: 128,
                reason: "StartError",
                message: 'exec: "npm": executable file not found in $PATH',
              },
            },
          }),
        ],
      },
      expected:
        'pod p: container app is CrashLoopBackOff (exit 128, StartError: "exec: \\"npm\\": executable file not found in $PATH")',
    },
    ...["ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "RunContainerError"].map(
      (reason) => ({
        what: `a container waiting in ${reason}, with its message`,
        status: {
          containerStatuses: [
            container("app", { state: { waiting: { reason, message: "the details" } } }),
          ],
        },
        expected: `pod p: container app is ${reason}: the details`,
      }),
    ),
    {
      what: "an evicted pod",
      status: {
        phase: "Failed",
        reason: "Evicted",
        message: "The node was low on resource: memory.",
      },
      expected: "pod p: Evicted: The node was low on resource: memory.",
    },
    {
      what: "nothing for a pod that is starting normally",
      status: {
        conditions: [{ type: "PodScheduled", status: "True" }],
        initContainerStatuses: [
          container("migrate", {
            state: { terminated: { exitCode: 0, reason: "Completed" } },
          }),
        ],
        containerStatuses: [
          container("app", { state: { waiting: { reason: "ContainerCreating" } } }),
        ],
      },
    },
    {
      what: "nothing for a running container, even one that restarted",
      status: {
        phase: "Running",
        containerStatuses: [
          container("app", {
            restartCount: 3,
            state: { running: {} },
            lastState: { terminated: { exitCode: 1 } },
          }),
        ],
      },
    },
    {
      what: "a started container whose readiness probe keeps failing",
      status: {
        phase: "Running",
        containerStatuses: [container("app", { started: true, state: { running: {} } })],
      },
      expected: "pod p: container app is running but not ready: its readiness probe fails",
    },
    {
      what: "nothing for a container still within its startup probe",
      status: {
        phase: "Running",
        containerStatuses: [container("app", { started: false, state: { running: {} } })],
      },
    },
    {
      what: "nothing for a ready container",
      status: {
        phase: "Running",
        containerStatuses: [
          container("app", { started: true, ready: true, state: { running: {} } }),
        ],
      },
    },
    {
      what: "nothing for a terminating pod",
      status: unschedulable,
      extra: { metadata: { name: "p", deletionTimestamp: new Date(0) } },
    },
  ])("reports $what", ({ status, extra, expected }) => {
    expect(podProblem([aPod("p", status, extra)])).toBe(expected);
  });

  it("reports nothing without pods", () => {
    expect(podProblem([])).toBeUndefined();
  });

  it("prefers a failing container over an unschedulable pod, and pods by name", () => {
    const pods = [
      aPod("acme-app-a", unschedulable),
      aPod("acme-app-c", migrateCrashLooping),
      aPod("acme-app-b", migrateCrashLooping),
    ];
    expect(podProblem(pods)).toMatch(/^pod acme-app-b: container migrate is CrashLoopBackOff/);
    expect(podProblem(pods.slice(0, 1))).toMatch(/^pod acme-app-a: unschedulable/);
  });

  it("reports init containers before the containers that wait for them", () => {
    const pod = aPod("p", {
      ...migrateCrashLooping,
      containerStatuses: [
        container("app", { state: { waiting: { reason: "CreateContainerConfigError" } } }),
      ],
    });
    expect(podProblem([pod])).toMatch(/container migrate/);
  });

  it("cuts a long message to one short line", () => {
    const long = `${"x".repeat(300)}\n`;
    const problem = podProblem([
      aPod("p", {
        containerStatuses: [
          container("app", { state: { terminated: { exitCode: 2, message: long } } }),
        ],
      }),
    ]);
    expect(problem).toBe(
      `pod p: container app failed (exit 2: "${"x".repeat(maxQuotedLength - 1)}…")`,
    );
  });

  it("keeps the cause at the end of a container runtime's chain of errors", () => {
    const chain =
      "failed to create containerd task: failed to create shim task: OCI runtime create failed: " +
      "runc create failed: unable to start container process: error during container init: " +
      'exec: "npm": executable file not found in $PATH: unknown';
    const problem = podProblem([
      aPod("p", {
        initContainerStatuses: [
          container("migrate", {
            state: { waiting: { reason: "RunContainerError", message: chain } },
          }),
        ],
      }),
    ]);
    expect(problem).toContain('exec: "npm": executable file not found in $PATH');
    expect(problem).not.toContain(": unknown");
  });
});

describe("slimPod", () => {
  it("keeps what podProblem reads and drops the spec and managedFields", () => {
    const pod = aPod("p", migrateCrashLooping, {
      metadata: {
        name: "p",
        namespace: "tenant-acme",
        resourceVersion: "7",
        labels: { "app.kubernetes.io/instance": "acme" },
        managedFields: [{ manager: "kubelet" }],
        annotations: { big: "x".repeat(1000) },
      },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    });
    const slim = slimPod(pod);
    expect(slim.spec).toBeUndefined();
    expect(slim.metadata).toEqual({
      name: "p",
      namespace: "tenant-acme",
      resourceVersion: "7",
      labels: { "app.kubernetes.io/instance": "acme" },
    });
    expect(podProblem([slim])).toBe(podProblem([pod]));
  });
});

describe("PodProblemChanges", () => {
  it("says when a pod's problem appears, changes or goes, and not when it stays", () => {
    const changes = new PodProblemChanges();
    expect(changes.record("ns/p", undefined)).toBe(false);
    expect(changes.record("ns/p", "unschedulable")).toBe(true);
    expect(changes.record("ns/p", "unschedulable")).toBe(false);
    expect(changes.record("ns/p", "CrashLoopBackOff")).toBe(true);
    expect(changes.record("ns/p", undefined)).toBe(true);
    expect(changes.record("ns/p", undefined)).toBe(false);
  });
});
