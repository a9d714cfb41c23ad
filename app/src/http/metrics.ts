import type { RequestHandler } from "express";
import { collectDefaultMetrics, Histogram, type Registry } from "prom-client";

/**
 * prom-client's default gauges named `*_total` (prometheus/client_js#283): `_total` promises a
 * counter, so `promtool check metrics` flags them, and each is only the sum of its by-type twin
 * (`sum(nodejs_active_handles)`), which stays.
 */
export const droppedDefaultMetrics: readonly string[] = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Registers the process and Node.js runtime metrics, without the misnamed totals above. */
export function defaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of droppedDefaultMetrics) registry.removeSingleMetric(name);
}

type Req = Parameters<RequestHandler>[0];

/** Where recordRoute leaves the matched template for the `finish` listener. */
const routeLocal = "metricsRoute";

/** The route template of a request (`/api/v1/accounts/:id`), never the raw path. */
function templateOf(req: Req): string | undefined {
  const route: unknown = req.route;
  const path =
    route && typeof route === "object" && "path" in route ? String(route.path) : undefined;
  return path === undefined ? undefined : `${req.baseUrl}${path}`;
}

/**
 * Remembers the matched route's template while `req.baseUrl` still holds the mount path: an
 * error leaving a router resets it, so without this every 4xx and 5xx an API handler throws
 * would be labelled `/auth/login` instead of `/api/v1/auth/login`. Runs first on each route.
 */
export const recordRoute: RequestHandler = (req, res, next) => {
  res.locals[routeLocal] = templateOf(req);
  next();
};

function routeOf(req: Req, locals: Record<string, unknown>): string {
  const recorded = locals[routeLocal];
  // Unmatched requests share one label: raw paths would let a scanner explode cardinality.
  return typeof recorded === "string" ? recorded : (templateOf(req) ?? "unmatched");
}

/** Records `http_request_duration_seconds{method,route,status}` for every request. */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by route template, method and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe(
        { method: req.method, route: routeOf(req, res.locals), status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}
