import type { FinanceTracker } from "../../../src/api/v1alpha1.ts";
import { rotateCredentialsAnnotation } from "../../../src/credentials-rotation.ts";
import { parseDuration, stringFlag, type Command } from "../cli.ts";
import { follow } from "../wait.ts";
import { readTenant, trackers } from "../tenants.ts";

/** A request value for now: any new value asks for a rotation, a timestamp says when. */
export function rotationRequest(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The merge patch that asks the operator for a rotation. */
export function rotationPatch(request: string): object {
  return { metadata: { annotations: { [rotateCredentialsAnnotation]: request } } };
}

/** Where the rotation of `request` stands: done, failed, or still going (with its phase). */
export function rotationState(
  tracker: FinanceTracker,
  request: string,
): { done: boolean; failed: boolean; text: string } {
  const credentials = tracker.status?.credentials;
  if (credentials?.lastRotation?.request === request)
    return { done: true, failed: false, text: `rotated at ${credentials.lastRotation.time}` };
  const rotation = credentials?.rotation;
  if (rotation?.request === request)
    return {
      done: rotation.phase === "Failed",
      failed: rotation.phase === "Failed",
      text: `${rotation.phase}: ${rotation.message}`,
    };
  return { done: false, failed: false, text: "requested, waiting for the operator" };
}

export const rotateCredentialsCommand: Command = {
  name: "rotate-credentials",
  args: ["<tenant>"],
  summary: "Rotate the tenant's PostgreSQL and Redis passwords, without downtime.",
  description: `Sets the ${rotateCredentialsAnnotation} annotation to a new request value; the operator\nthen rotates the passwords step by step (status.credentials.rotation) while the app keeps\nserving. With --wait, follows the rotation until it is done or failed.`,
  flags: {
    request: {
      type: "string",
      value: "<value>",
      description: "The request value, e.g. a ticket number (default: the current time).",
    },
    wait: { type: "boolean", description: "Wait until the rotation is done." },
    timeout: {
      type: "string",
      value: "<duration>",
      description: "How long --wait waits, e.g. 90s, 10m (default 15m).",
    },
  },
  examples: [
    "kubectl fintrack rotate-credentials acme -n tenant-acme --wait",
    "kubectl fintrack rotate-credentials acme --request INC-4711",
  ],
  run: async (invocation) => {
    const { io } = invocation;
    const tenant = invocation.args[0] ?? "";
    const timeoutMs = parseDuration(stringFlag(invocation, "timeout") ?? "15m");
    const cluster = invocation.cluster();
    const before = await readTenant(cluster, tenant);
    const request = stringFlag(invocation, "request") ?? rotationRequest(new Date());
    if (before.metadata.annotations?.[rotateCredentialsAnnotation] === request)
      throw new Error(
        `request "${request}" was already made: a rotation needs a new --request value`,
      );
    await cluster.mergePatch(trackers, tenant, rotationPatch(request));
    io.err(`financetracker/${tenant} annotated ${rotateCredentialsAnnotation}=${request}`);
    if (invocation.flags.wait !== true) {
      io.out(request);
      return 0;
    }
    const done = await follow(
      async () => rotationState(await readTenant(cluster, tenant), request),
      {
        finished: (s) => s.done,
        describe: (s) => s.text,
        report: io.err,
        timeoutMs,
        intervalMs: 2000,
        what: `the rotation ${request} of ${tenant}`,
      },
    );
    io.out(`${tenant}: credentials ${done.text}`);
    return done.failed ? 1 : 0;
  },
};
