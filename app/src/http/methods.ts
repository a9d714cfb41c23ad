import type { NextFunction, Request, RequestHandler, Response } from "express";
import { errors } from "../errors.ts";

/** What routing needs of a declared route: its method and its path in express syntax. */
interface Declared {
  method: string;
  path: string;
}

function segments(path: string): string[] {
  return path.replace(/\/+$/, "").split("/").slice(1);
}

/**
 * Which of two declared paths wins a request both match: the one whose first differing segment
 * is literal. OpenAPI matches concrete paths before templated ones (`/transactions/summary`
 * before `/transactions/{id}`), and so must the server, or the document's `Allow` and its
 * answers disagree with what the server does.
 */
function moreConcrete(a: string, b: string): number {
  const as = segments(a);
  const bs = segments(b);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const aParam = as[i]?.startsWith(":") ?? false;
    const bParam = bs[i]?.startsWith(":") ?? false;
    if (aParam !== bParam) return aParam ? 1 : -1;
  }
  return 0;
}

/** `routes` in the order to mount them: concrete paths first, otherwise as declared. */
export function concreteFirst<R extends Declared>(routes: readonly R[]): R[] {
  return [...routes].sort((a, b) => moreConcrete(a.path, b.path));
}

function matches(declared: readonly string[], requested: readonly string[]): boolean {
  if (declared.length !== requested.length) return false;
  return declared.every((segment, i) => {
    const asked = requested[i] ?? "";
    return segment.startsWith(":") ? asked !== "" : segment.toLowerCase() === asked.toLowerCase();
  });
}

/**
 * Before the routes: a request is answered by the most concrete declared path it matches, and
 * a method that path does not declare gets 405 with that path's `Allow` (RFC 9110 section
 * 15.5.6), never a templated neighbour's handler or methods. Paths no route declares go on to
 * the 404.
 */
export function refuseOtherMethods(routes: readonly Declared[]): RequestHandler {
  const byPath = new Map<string, Set<string>>();
  for (const spec of routes) {
    const methods = byPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    // Express answers HEAD with the GET handler.
    if (spec.method === "get") methods.add("HEAD");
    byPath.set(spec.path, methods);
  }
  const paths = concreteFirst([...byPath.keys()].map((path) => ({ method: "", path }))).map(
    ({ path }) => ({ path, segments: segments(path), methods: byPath.get(path) ?? new Set() }),
  );
  return (req: Request, _res: Response, next: NextFunction) => {
    const requested = segments(req.path);
    const best = paths.find((p) => matches(p.segments, requested));
    if (best === undefined || best.methods.has(req.method)) {
      next();
      return;
    }
    next(errors.methodNotAllowed([...best.methods]));
  };
}
