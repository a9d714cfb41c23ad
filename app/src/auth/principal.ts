import type { Request, Response } from "express";
import { errors } from "../errors.ts";

/**
 * Finds who is asking (session cookie or bearer token) and, for cookie-authenticated unsafe
 * requests, checks the CSRF token. Throws the problem to answer; undefined means anonymous.
 */
export type Authenticate = (req: Request, res: Response) => Promise<Principal | undefined>;

/** The household roles: the owner administers, a member reads and writes, a viewer only reads. */
export type Role = "owner" | "member" | "viewer";

/**
 * Who is making a request, as authentication found it: a signed-in browser session or a
 * personal access token. `scope` narrows a token; a session carries the user's full rights.
 */
export interface Principal {
  userId: string;
  role: Role;
  via: "session" | "token";
  scope: "read" | "write";
  /** The session id when `via` is "session", so logout and session listings can find it. */
  sessionId?: string;
  /** The token id when `via` is "token". */
  tokenId?: string;
  /** When the session's user last proved who they are (signed in or re-authenticated), epoch ms. */
  authenticatedAt?: number;
}

/**
 * What a route demands: `public` anyone, `read` any signed-in user, `write` a member or owner
 * with write rights, `owner` the household's owner (with write rights).
 */
export type Access = "public" | "read" | "write" | "owner";

/**
 * Decides whether `principal` may use a route demanding `access`; throws the 401 or 403 the
 * API answers with. Pure, so every role and scope combination is tested without HTTP.
 */
export function authorize(principal: Principal | undefined, access: Access): void {
  if (access === "public") return;
  if (principal === undefined) throw errors.unauthenticated();
  if (access === "read") return;
  if (principal.role === "viewer") throw errors.forbidden("a viewer can only read");
  if (principal.scope !== "write") throw errors.forbidden("this token is scoped to read");
  if (access === "owner" && principal.role !== "owner")
    throw errors.forbidden("only the household's owner may do this");
}

/**
 * The session id of a browser session, or a 403 for a token. Account security (password,
 * two-factor, sessions, tokens) is changed from a signed-in browser only, so a leaked token
 * cannot lock its owner out or mint itself successors that outlive its revocation.
 */
export function requireSession(principal: Principal): string {
  if (principal.via !== "session" || principal.sessionId === undefined)
    throw errors.forbidden("sign in with a browser session to change account security");
  return principal.sessionId;
}

/**
 * The session id of a browser session whose user proved who they are within `withinMs` of
 * `now`, else a 403: `forbidden` for a token, `reauthentication_required` for an older session.
 * Changes that hand out access (invitations, roles, passwords, second factors, tokens) need it,
 * so neither a leaked token nor a browser left signed in can make them.
 */
export function requireRecentSession(principal: Principal, now: number, withinMs: number): string {
  const id = requireSession(principal);
  if (principal.authenticatedAt === undefined || now - principal.authenticatedAt > withinMs)
    throw errors.reauthenticationRequired();
  return id;
}

/** The OpenAPI description of requireRecentSession's 403, for the routes that call it. */
export const recentSessionProblem = {
  description:
    "Needs a browser session (not a token) that signed in or re-authenticated recently: " +
    "`reauthentication_required` asks for POST /me/reauthenticate, then a retry",
};
