import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface ProbeServers {
  metricsPort: number;
  healthPort: number;
  close: () => Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The operator's two small HTTP servers, as controller-runtime has them: Prometheus metrics on
 * one port (/metrics) and probes on another (/healthz: the process serves; /readyz: `ready()`).
 */
export async function startProbeServers(options: {
  metricsPort: number;
  healthPort: number;
  registry: Registry;
  ready: () => boolean;
}): Promise<ProbeServers> {
  const metrics = createServer((req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    options.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  const health = createServer((req, res) => {
    const path = req.url?.split("?")[0];
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    } else if (path === "/readyz") {
      const ready = options.ready();
      res
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ok" : "caches not synced");
    } else {
      res.writeHead(404).end();
    }
  });
  const [metricsPort, healthPort] = await Promise.all([
    listen(metrics, options.metricsPort),
    listen(health, options.healthPort),
  ]);
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => {
        resolve();
      });
      s.closeAllConnections();
    });
  return {
    metricsPort,
    healthPort,
    close: async () => {
      await Promise.all([close(metrics), close(health)]);
    },
  };
}
