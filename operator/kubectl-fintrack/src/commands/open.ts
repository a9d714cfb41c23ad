import { createServer } from "node:net";
import type { V1Service } from "@kubernetes/client-node";
import { ports } from "../../../src/context.ts";
import { childNames } from "../../../src/names.ts";
import { stringFlag, type Command } from "../cli.ts";
import { kubectlConnectionArgs, resources, type ConnectionOptions } from "../cluster.ts";
import { runKubectl } from "../kubectl.ts";
import { readTenant } from "../tenants.ts";

/** `kubectl port-forward` from a local port to the app Service's HTTP port. */
export function portForwardArgs(
  connection: ConnectionOptions,
  namespace: string,
  service: string,
  forward: { localPort: number; address: string },
): string[] {
  return [
    "port-forward",
    ...kubectlConnectionArgs(connection, namespace),
    `service/${service}`,
    `${String(forward.localPort)}:${String(ports.appHttp)}`,
    "--address",
    forward.address,
  ];
}

/** The URL the forwarded app answers on. */
export function forwardedUrl(address: string, localPort: number): string {
  const host = address === "127.0.0.1" || address === "0.0.0.0" ? "localhost" : address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${String(localPort)}/`;
}

/** A local port number from --port: 1-65535, or 0 for any free one. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--port ${text} is no port number`);
  return port;
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, address, () => {
      const bound = server.address();
      server.close(() => {
        if (bound && typeof bound === "object") resolve(bound.port);
        else reject(new Error("no free port"));
      });
    });
  });
}

export const openCommand: Command = {
  name: "open",
  args: ["<tenant>"],
  summary: "Port-forward to the tenant's app and print the URL to open.",
  description:
    "Runs kubectl port-forward to the tenant's app Service and prints a local URL once the\nforward listens. It runs until Ctrl-C. Set KUBECTL to use another kubectl than the one\non the PATH.",
  flags: {
    port: {
      type: "string",
      value: "<port>",
      description: "The local port (default: any free port).",
    },
    address: {
      type: "string",
      value: "<address>",
      description: "The local address to listen on (default 127.0.0.1).",
    },
  },
  examples: ["kubectl fintrack open acme -n tenant-acme", "kubectl fintrack open acme --port 8080"],
  run: async (invocation) => {
    const { io, connection } = invocation;
    const tenant = invocation.args[0] ?? "";
    const address = stringFlag(invocation, "address") ?? "127.0.0.1";
    const requested = parsePort(stringFlag(invocation, "port") ?? "0");
    const cluster = invocation.cluster();
    await readTenant(cluster, tenant);
    const service = childNames(tenant).app;
    if (!(await cluster.get<V1Service>(resources.services, service)))
      throw new Error(
        `the app Service ${service} does not exist yet: see kubectl fintrack status ${tenant}`,
      );
    const localPort = requested === 0 ? await freePort(address) : requested;
    let announced = false;
    return runKubectl(
      portForwardArgs(connection, cluster.namespace, service, { localPort, address }),
      {
        stdio: ["inherit", "pipe", "inherit"],
        // kubectl's own lines (Forwarding from, Handling connection) go on as progress.
        onStdout: (text) => {
          io.err(text.trimEnd());
          if (announced || !text.includes("Forwarding from")) return;
          announced = true;
          io.out(
            `${tenant} is at ${forwardedUrl(address, localPort)} (Ctrl-C stops the port-forward)`,
          );
        },
      },
    );
  },
};
