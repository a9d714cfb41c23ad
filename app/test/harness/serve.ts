import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Registry } from "prom-client";
import { createApp } from "../../src/app.ts";
import type { Principal, Role } from "../../src/auth/principal.ts";
import type { IdempotencyStore } from "../../src/http/idempotency.ts";
import type { Authenticate } from "../../src/auth/principal.ts";
import type { Route } from "../../src/http/route.ts";
import { readiness } from "../../src/health.ts";

/** An app served on a free loopback port for one test file. */
export interface ServedApp {
  base: string;
  registry: Registry;
  close: () => Promise<void>;
}

/** Serves `routes` with `authenticate` on 127.0.0.1, as the real server would mount them. */
export async function serveApp(options: {
  routes: readonly Route[];
  authenticate: Authenticate;
  baseUrl?: string;
  idempotency?: IdempotencyStore;
}): Promise<ServedApp> {
  const registry = new Registry();
  const app = createApp({
    config: {
      baseUrl: new URL(options.baseUrl ?? "http://127.0.0.1"),
      trustProxy: false,
      // Every answer checked against its declared schema: see MountOptions.validateResponses.
      validateResponses: true,
    },
    log: pino({ level: "silent" }),
    registry,
    readiness: readiness([]),
    routes: options.routes,
    authenticate: options.authenticate,
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
  });
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    registry,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * A stand-in authentication for route tests that are about something else than signing in:
 * the `X-Test-Principal: <userId>:<role>:<scope>` header names who asks. Never used by the app.
 */
export const headerAuthenticate: Authenticate = (req) => {
  const header = req.get("x-test-principal");
  if (header === undefined) return Promise.resolve(undefined);
  const [userId = "", role = "", scope = "write"] = header.split(":");
  const principal: Principal = {
    userId,
    role: role as Role,
    via: "token",
    scope: scope === "read" ? "read" : "write",
  };
  return Promise.resolve(principal);
};
