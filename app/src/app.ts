import express, { type ErrorRequestHandler, type Express } from "express";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import type { Registry } from "prom-client";
import type { Config } from "./config.ts";
import { errorMiddleware, errors } from "./errors.ts";
import type { Readiness } from "./health.ts";
import type { IdempotencyStore } from "./http/idempotency.ts";
import type { InFlight } from "./in-flight.ts";
import { closeIfBodyUnread } from "./http/body.ts";
import { httpMetrics } from "./http/metrics.ts";
import { requestId } from "./http/request-id.ts";
import type { Authenticate } from "./auth/principal.ts";
import { mountRoutes, type Route } from "./http/route.ts";
import { noStore, securityHeaders } from "./http/security.ts";
import { apiDocsRouter } from "./routes/docs/router.ts";
import { webRouter } from "./static-files/static.ts";

/** What the app is built from; it never reads the environment or listens by itself. */
export interface AppDeps {
  config: Pick<Config, "baseUrl" | "trustProxy" | "validateResponses">;
  log: Logger;
  registry: Registry;
  readiness: Readiness;
  /** Every API route, mounted under /api/v1 in this order. */
  routes: readonly Route[];
  authenticate: Authenticate;
  /** Where Idempotency-Keys of unsafe requests are kept; absent, the header is ignored. */
  idempotency?: IdempotencyStore;
  /** Counts API requests while their handlers run, so a shutdown can wait for them. */
  inFlight?: InFlight;
}

/** The HTTP app: probes, the API under /api/v1, one error middleware. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.trustProxy ? 1 : false);
  app.use(requestId());
  app.use(
    pinoHttp({
      logger: deps.log,
      genReqId: (_req, res) => String(res.getHeader("x-request-id")),
      // Never log cookies, authorization or bodies: they carry sessions, tokens and money.
      serializers: {
        req: (req: { method: string; url: string }) => ({
          method: req.method,
          url: req.url.split("?")[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/readyz" },
    }),
  );
  app.use(httpMetrics(deps.registry));
  app.use(securityHeaders(deps.config.baseUrl.protocol === "https:"));

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.get("/readyz", async (_req, res) => {
    const report = await deps.readiness.report();
    res.status(report.ready ? 200 : 503).json(report);
  });

  const api = express.Router();
  api.use(noStore);
  mountRoutes(api, deps.routes, {
    authenticate: deps.authenticate,
    idempotency: deps.idempotency,
    inFlight: deps.inFlight,
    validateResponses: deps.config.validateResponses,
  });
  api.use((_req, _res, next) => {
    next(errors.notFound("this API route"));
  });
  app.use("/api/v1", api);
  app.use("/api/docs", apiDocsRouter());
  app.use(webRouter());

  app.use((_req, _res, next) => {
    next(errors.notFound("this page"));
  });
  // An error answered before the body was read (a 401, a 413) must not wait for that body.
  app.use(((error, req, res, next) => {
    closeIfBodyUnread(req, res);
    next(error);
  }) satisfies ErrorRequestHandler);
  app.use(errorMiddleware(deps.log));
  return app;
}
