import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";

const acceptable = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Gives every request an id: the caller's `X-Request-Id` when it looks like one (a proxy's, so
 * logs join up across hops), else a fresh UUID. Echoed in the response and on every log line.
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const offered = req.get("x-request-id");
    const id = offered && acceptable.test(offered) ? offered : randomUUID();
    res.locals.requestId = id;
    res.setHeader("x-request-id", id);
    next();
  };
}
