import type { Request, Response } from "express";
import type { AuthContext } from "./context.ts";
import { clearingOptions, readCookie } from "./cookies.ts";
import { newDeviceToken } from "./device-cookie.ts";
import { accountId } from "./login-throttle.ts";
import { sessionTtl } from "./sessions.ts";

/** Who is at the other end of a request, as sessions and logs record it. */
export interface ClientMeta {
  ip: string;
  userAgent: string;
}

/** The caller's IP (behind a trusted proxy, the one it reports) and user agent, bounded. */
export function clientMeta(req: Request): ClientMeta {
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? "unknown",
    userAgent: (req.get("user-agent") ?? "").slice(0, 256),
  };
}

/**
 * Starts a session for `userId` under a fresh id and sets its cookie. Any session the request
 * arrived with is deleted first: a signed-in browser switching users keeps nothing of the old
 * one, and an id planted before login never becomes a signed-in one (no session fixation).
 */
export async function startSession(
  ctx: AuthContext,
  req: Request,
  res: Response,
  userId: string,
): Promise<string> {
  const previous = readCookie(req.headers.cookie, ctx.cookie.name);
  if (previous !== undefined) await ctx.sessions.delete(previous);
  const now = ctx.now();
  const meta = clientMeta(req);
  const id = await ctx.sessions.create(
    {
      userId,
      tenant: await ctx.tenant(),
      createdAt: now,
      lastSeenAt: now,
      userAgent: meta.userAgent,
      ip: meta.ip,
    },
    sessionTtl({ createdAt: now }, now, ctx.sessionPolicy),
    ctx.sessionPolicy.absoluteMs,
  );
  res.cookie(ctx.cookie.name, id, ctx.cookie.options);
  return id;
}

/** Tells the browser to drop its session cookie. */
export function clearSessionCookie(ctx: AuthContext, res: Response): void {
  res.clearCookie(ctx.cookie.name, clearingOptions(ctx.cookie));
}

/** The trusted-device token the request carries (see device-cookie.ts), if any. */
export function deviceTokenOf(ctx: AuthContext, req: Request): string | undefined {
  return readCookie(req.headers.cookie, ctx.device.cookie.name);
}

/**
 * Marks this browser as a trusted device of the account signed in as `email`, with a fresh
 * token each time, so a copied cookie stops counting once the owner signs in again there.
 */
export function trustDevice(ctx: AuthContext, res: Response, email: string): void {
  const token = newDeviceToken(ctx.device.key, accountId(email));
  res.cookie(ctx.device.cookie.name, token, ctx.device.cookie.options);
}
