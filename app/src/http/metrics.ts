import type { RequestHandler } from "express";
import { Histogram, type Registry } from "prom-client";

/** The route template of a finished request (`/api/v1/accounts/:id`), never the raw path. */
function routeOf(req: Parameters<RequestHandler>[0]): string {
  const route: unknown = req.route;
  const path =
    route && typeof route === "object" && "path" in route ? String(route.path) : undefined;
  // Unmatched requests share one label: raw paths would let a scanner explode cardinality.
  return path === undefined ? "unmatched" : `${req.baseUrl}${path}`;
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
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}
