import type { V1Pod } from "@kubernetes/client-node";
import { database } from "../../../src/context.ts";
import { childNames, selectorLabels } from "../../../src/names.ts";
import type { Command } from "../cli.ts";
import { kubectlConnectionArgs, resources, type ConnectionOptions } from "../cluster.ts";
import { runKubectl } from "../kubectl.ts";
import { readTenant } from "../tenants.ts";

/** The container of the PostgreSQL pod that runs the server (operator/src/resources/postgres). */
export const postgresContainer = "postgres";

/** The PostgreSQL pod to exec into: a running one, a ready one first; undefined when none runs. */
export function choosePostgresPod(pods: readonly V1Pod[]): string | undefined {
  const running = pods.filter(
    (p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp,
  );
  const ready = running.find((p) =>
    p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  );
  return (ready ?? running[0])?.metadata?.name;
}

/** `kubectl exec` into the pod running psql as the app's role on the app's database. */
export function psqlArgs(
  connection: ConnectionOptions,
  namespace: string,
  pod: string,
  options: { tty: boolean; psqlArgs: readonly string[] },
): string[] {
  return [
    "exec",
    options.tty ? "-it" : "-i",
    ...kubectlConnectionArgs(connection, namespace),
    pod,
    "-c",
    postgresContainer,
    "--",
    "psql",
    "-U",
    database.user,
    "-d",
    database.name,
    ...options.psqlArgs,
  ];
}

/** `app.kubernetes.io/...=...` pairs as a label selector. */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export const psqlCommand: Command = {
  name: "psql",
  args: ["<tenant>"],
  summary: "Open psql on the tenant's database, inside its PostgreSQL pod.",
  description: `Runs kubectl exec into the tenant's PostgreSQL pod (container ${postgresContainer}) and starts psql as\nthe app's role (${database.user}) on the app's database (${database.name}), over the pod's local socket: no\npassword and no port leave the pod. Arguments after -- go to psql. Set KUBECTL to use\nanother kubectl than the one on the PATH.`,
  flags: {},
  examples: [
    "kubectl fintrack psql acme -n tenant-acme",
    "kubectl fintrack psql acme -n tenant-acme -- -c 'select count(*) from transactions'",
  ],
  run: async ({ args: [tenant = ""], cluster: connect, connection, passthrough }) => {
    const cluster = connect();
    await readTenant(cluster, tenant);
    const pods = await cluster.list<V1Pod>(resources.pods, {
      labelSelector: labelSelector(selectorLabels(tenant, "postgres")),
    });
    const pod = choosePostgresPod(pods);
    if (!pod)
      throw new Error(
        `no running PostgreSQL pod for tenant "${tenant}" (StatefulSet ${childNames(tenant).postgres}): see kubectl fintrack status ${tenant}`,
      );
    return runKubectl(
      psqlArgs(connection, cluster.namespace, pod, {
        tty: process.stdin.isTTY && process.stdout.isTTY,
        psqlArgs: passthrough,
      }),
    );
  },
};
