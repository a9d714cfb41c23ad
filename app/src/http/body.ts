import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Request, type Response } from "express";
import { errors } from "../errors.ts";
import type { Route } from "./route.ts";

/**
 * The most a route open to anonymous clients (sign-in, registration) reads: its JSON is an
 * email, a password of at most 1024 characters and a few short fields, 5 KB at worst in UTF-8.
 * Anyone can send to these routes, so what they read stays small.
 */
export const ANONYMOUS_BODY_LIMIT = "16kb";

/** The most JSON a signed-in request may send (bulk edits, rule previews). */
export const JSON_BODY_LIMIT = "1mb";

const units: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** The bytes of a limit written as body-parser takes it (`16kb`, `10mb`), 1024-based as there. */
export function bytesOf(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  const unit = units[match?.[2]?.toLowerCase() ?? ""];
  if (match === null || unit === undefined) throw new Error(`not a size limit: ${limit}`);
  return Number(match[1]) * unit;
}

/** Which body a route reads, and how much of it at most; undefined when it reads none itself. */
export function bodyPolicy(
  spec: Pick<Route, "access" | "body" | "rawBody">,
): { parse: "json" | "raw"; limit: string; types: readonly string[] } | undefined {
  if (spec.rawBody)
    return { parse: "raw", limit: spec.rawBody.limit, types: spec.rawBody.contentTypes };
  if (!spec.body) return undefined;
  const limit = spec.access === "public" ? ANONYMOUS_BODY_LIMIT : JSON_BODY_LIMIT;
  return { parse: "json", limit, types: ["application/json"] };
}

type Parser = (req: Request, res: Response, next: (error?: unknown) => void) => void;

function run(parser: Parser, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    parser(req, res, (error?: unknown) => {
      if (error === undefined || error === null) resolve();
      else reject(error instanceof Error ? error : new Error("the body could not be read"));
    });
  });
}

/**
 * How a route reads its body, to be called once the request is authenticated and authorized:
 * nobody makes the server read or parse bytes before it knows who is asking. A body declared
 * larger than the limit is refused before a byte of it is read (body-parser would read it all
 * first, to throw it away). Routes that stream multipart uploads read them in their handler.
 */
export function bodyReader(
  spec: Pick<Route, "access" | "body" | "rawBody">,
): (req: Request, res: Response) => Promise<void> {
  const policy = bodyPolicy(spec);
  if (policy === undefined) return () => Promise.resolve();
  const limitBytes = bytesOf(policy.limit);
  const options = { type: [...policy.types], limit: limitBytes };
  const parser: Parser = policy.parse === "raw" ? express.raw(options) : express.json(options);
  return async (req, res) => {
    const declared = Number(req.get("content-length") ?? "0");
    if (declared > limitBytes) throw errors.payloadTooLarge(policy.limit);
    await run(parser, req, res);
  };
}

/** Whether the request has a body that has not fully arrived yet. */
function bodyUnread(req: IncomingMessage): boolean {
  const declared =
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] ?? "0") !== "0";
  return declared && !req.complete;
}

/**
 * Ends the connection after this answer when the request's body is still arriving (a 401 before
 * the body was read, a 413 for a body declared too large). Kept alive, Node would read the rest
 * of the body to throw it away, as much as the client declared and as slowly as it sends.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent && bodyUnread(req)) res.setHeader("Connection", "close");
}
