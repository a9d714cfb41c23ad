import type { Request, Response, Router } from "express";
import type { z } from "zod";
import { type Access, type Authenticate, authorize, type Principal } from "../auth/principal.ts";
import { errors, fromZod } from "../errors.ts";
import type { InFlight } from "../in-flight.ts";
import { bodyReader, closeIfBodyUnread } from "./body.ts";
import { idempotently, type IdempotencyStore } from "./idempotency.ts";
import { etagOf, type IfMatch, parseIfMatch } from "./preconditions.ts";
import { recordRoute } from "./metrics.ts";
import { concreteFirst, refuseOtherMethods } from "./methods.ts";
import { findNul, NUL_REFUSED, showStep } from "./nul.ts";
import { responseDrift, ResponseDriftError } from "./response-drift.ts";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** One documented answer of a route, for the OpenAPI document. */
export interface ResponseSpec {
  description: string;
  /** The JSON body's schema; absent for empty answers and binary downloads. */
  schema?: z.ZodType;
  /**
   * Defaults to application/json when `schema` is given; a list when the answer's type depends
   * on the data (a download is sent with the type its bytes have).
   */
  contentType?: string | readonly string[];
  /** Headers of a successful answer worth documenting (`Set-Cookie`), by name: description. */
  headers?: Readonly<Record<string, string>>;
}

/** What a handler receives: the validated inputs and who is asking. */
export interface RouteInput<
  A extends Access,
  B extends z.ZodType,
  Q extends z.ZodType,
  P extends z.ZodType,
> {
  body: z.output<B>;
  query: z.output<Q>;
  params: z.output<P>;
  /** Always present unless the route is public: authorize() has run. */
  principal: A extends "public" ? Principal | undefined : Principal;
  /** The request's If-Match on a `versioned` route, for the service to check under its lock. */
  ifMatch: IfMatch | undefined;
  req: Request;
  res: Response;
}

/**
 * A route of the API, declared once: the HTTP binding, who may call it, the zod schemas of its
 * inputs and answers, and the handler. The same declaration mounts the route on express and
 * describes it in the OpenAPI document, so the two cannot drift apart.
 */
export interface RouteSpec<
  A extends Access = Access,
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express syntax under /api/v1: `/accounts/:id`. */
  path: string;
  /** Stable and unique: `listAccounts`. */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: A;
  body?: B;
  query?: Q;
  params?: P;
  /**
   * A body that is not JSON (an attachment upload): the accepted media types and size limit.
   * The handler then gets the raw bytes as `body` (a Buffer) and `body` must not be set.
   */
  rawBody?: { contentTypes: readonly string[]; limit: string };
  /**
   * The answer carries the resource's `version`: it is sent as the ETag, and If-Match on the
   * route reaches the handler (a stale one answers 412).
   */
  versioned?: boolean;
  /** The status of a successful answer: 200 unless said (201 creates, 204 empty). */
  status?: number;
  responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Returns the JSON body of the successful answer, or `undefined` when it answered `res` itself
   * (binary downloads, cookies plus redirects).
   */
  handler: (input: RouteInput<A, B, Q, P>) => Promise<unknown>;
}

/** A route with its type parameters erased, as lists of routes hold them. */
export type Route = RouteSpec;

/** Declares a route, keeping its input types precise for the handler. */
export function route<
  A extends Access,
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<A, B, Q, P>): Route {
  return spec;
}

/** What mountRoutes puts around every route. */
export interface MountOptions {
  authenticate: Authenticate;
  /** Where Idempotency-Keys are kept; absent, the header is ignored. */
  idempotency?: IdempotencyStore | undefined;
  /** Where requests are counted while their handlers run; absent, nothing counts them. */
  inFlight?: InFlight | undefined;
  /**
   * Checks every JSON answer against the schema its route declares for the status, and answers
   * 500 naming the route, the status and each mismatch when they differ. On in tests, so the
   * OpenAPI document cannot drift from what the handlers return; off in production, where the
   * check would cost time on every answer and a drift is better served than refused.
   */
  validateResponses?: boolean | undefined;
}

function parse(schema: z.ZodType | undefined, value: unknown, source: "body" | "query" | "params") {
  if (schema === undefined) return undefined;
  // Before the schema: every declared input is checked, whatever type the schema gives a field.
  const nul = findNul(value);
  if (nul !== undefined) {
    throw errors.validation([
      { path: [source, ...nul.map(showStep)].join("."), message: NUL_REFUSED },
    ]);
  }
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, source);
  return result.data;
}

/** Sends the `version` of a versioned route's answer as its ETag. */
function setETag(res: Response, result: unknown): void {
  if (typeof result !== "object" || result === null || !("version" in result)) return;
  if (typeof result.version === "string") res.set("ETag", etagOf(result.version));
}

/**
 * Throws when the answer `result` makes (before it is sent) is not what the route documents for
 * `status`. Checked here rather than in the test clients because every harness, whatever client
 * its tests use, serves through mountRoutes, and here the route is known without matching paths.
 */
async function checkResponse(spec: Route, status: number, result: unknown): Promise<void> {
  // As the client will read it: dates become strings, undefined fields disappear.
  const sent: unknown = result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  const problems = await responseDrift(spec.responses[status]?.schema, sent);
  if (problems.length === 0) return;
  const drift = new ResponseDriftError(
    `${spec.method.toUpperCase()} ${spec.path} (${spec.operationId})`,
    status,
    problems,
  );
  // Loud as well as answered: a test that only checks the status still shows why on stderr.
  process.emitWarning(drift.message, "ResponseSchemaDrift");
  throw drift;
}

/**
 * Mounts every route on `router`: authenticate -> authorize -> read the body -> Idempotency-Key
 * -> validate -> handle -> answer. The body is read only here, after authentication, so an
 * anonymous client cannot make the server read or parse it (app.ts mounts no body parser).
 * Without `idempotency` (route tests without a database) the header is ignored. Each request is
 * counted in `inFlight` until its handler settles, so a shutdown waits for it. With
 * `validateResponses` every answer is checked against its declared schema first.
 */
export function mountRoutes(
  router: Router,
  routes: readonly Route[],
  { authenticate, idempotency, inFlight, validateResponses }: MountOptions,
) {
  router.use(refuseOtherMethods(routes));
  const seen = new Set<string>();
  for (const spec of concreteFirst(routes)) {
    if (seen.has(spec.operationId)) throw new Error(`duplicate operationId ${spec.operationId}`);
    seen.add(spec.operationId);
    const readBody = bodyReader(spec);
    const answer = async (req: Request, res: Response) => {
      const principal = await authenticate(req, res);
      authorize(principal, spec.access);
      await readBody(req, res);
      const status = spec.status ?? 200;
      const result = await idempotently(idempotency, { req, res, principal, status }, async () => {
        const body: unknown = spec.rawBody
          ? Buffer.isBuffer(req.body)
            ? req.body
            : Buffer.alloc(0)
          : parse(spec.body, req.body ?? {}, "body");
        const result = await spec.handler({
          body,
          query: parse(spec.query, req.query, "query"),
          params: parse(spec.params, req.params, "params"),
          principal,
          ifMatch: spec.versioned ? parseIfMatch(req.get("if-match")) : undefined,
          req,
          res,
        });
        if (spec.versioned) setETag(res, result);
        return result;
      });
      if (res.headersSent) return;
      if (validateResponses && status !== 204) await checkResponse(spec, status, result);
      closeIfBodyUnread(req, res);
      if (result === undefined || status === 204) res.status(status).end();
      else res.status(status).json(result);
    };
    router[spec.method](spec.path, recordRoute, (req: Request, res: Response) =>
      inFlight ? inFlight.track(answer(req, res)) : answer(req, res),
    );
  }
}
