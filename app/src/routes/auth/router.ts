import type { AuthContext } from "../../auth/context.ts";
import { csrfToken } from "../../auth/csrf.ts";
import {
  clearSessionCookie,
  clientMeta,
  deviceTokenOf,
  startSession,
  trustDevice,
} from "../../auth/signin.ts";
import { MeJson, presentMe } from "../../auth/users.ts";
import { errors } from "../../errors.ts";
import { type Route, route } from "../../http/route.ts";
import { CsrfJson, LoginBody, RegisterBody } from "./schema.ts";
import { login, register } from "./service.ts";

const problem = (description: string) => ({ description });

/** `/auth/*`: register, login, logout and the CSRF token. */
export function authRoutes(ctx: AuthContext): Route[] {
  return [
    route({
      method: "post",
      path: "/auth/register",
      operationId: "register",
      summary: "Create an account and sign in",
      description:
        "The first account becomes the household's owner, and the household starts with the " +
        "starter category tree in `locale` (en when omitted; a language the tree is not written " +
        "in answers 422). After that an invitation token is " +
        "needed (its role applies), unless the instance runs with open sign-up (members).",
      tag: "auth",
      access: "public",
      body: RegisterBody,
      status: 201,
      responses: {
        201: { description: "Signed in; the session cookie is set", schema: MeJson },
        403: problem("Sign-up is by invitation, or the invitation is unknown, used or expired"),
        409: problem("An account with this email exists"),
        422: problem("Invalid input or a refused password"),
        429: problem("Too many attempts from this address"),
      },
      handler: async ({ body, req, res }) => {
        const user = await register(ctx, body, clientMeta(req));
        await startSession(ctx, req, res, user.id);
        return presentMe(user);
      },
    }),
    route({
      method: "post",
      path: "/auth/login",
      operationId: "login",
      summary: "Sign in with email and password (and a second factor when enabled)",
      description:
        "Answers 401 `totp_required` when the account has two-factor sign-in and `totp` is " +
        "missing; `totp` takes a 6-digit code or a single-use recovery code. Login needs no CSRF " +
        "token: no session exists yet, and the SameSite=Lax cookie is not sent on cross-site POSTs. " +
        "A success also sets the trusted-device cookie `fintrack_device` (`__Host-fintrack_device` " +
        "over HTTPS; httpOnly, SameSite=Strict, 180 days): sign-ins to the same account from that " +
        "browser are throttled on their own, so failures from other clients never hold them up. " +
        "Other clients are throttled per address, per account and address, and per account.",
      tag: "auth",
      access: "public",
      body: LoginBody,
      responses: {
        200: {
          description: "Signed in; a new session cookie and a new trusted-device cookie are set",
          schema: MeJson,
          headers: {
            "Set-Cookie":
              "The session cookie `fintrack_session` and the trusted-device cookie " +
              "`fintrack_device` (both `__Host-` prefixed over HTTPS)",
          },
        },
        401: problem("Wrong email or password (`invalid_credentials`), or `totp_required`"),
        422: problem("Invalid input"),
        429: problem(
          "Too many attempts from this browser, this address, or unknown clients for this " +
            "account; Retry-After says when to try again",
        ),
      },
      handler: async ({ body, req, res }) => {
        const user = await login(ctx, body, clientMeta(req), deviceTokenOf(ctx, req));
        await startSession(ctx, req, res, user.id);
        trustDevice(ctx, res, user.email);
        return presentMe(user);
      },
    }),
    route({
      method: "post",
      path: "/auth/logout",
      operationId: "logout",
      summary: "Sign out: the session ends on the server and the cookie is cleared",
      tag: "auth",
      access: "public",
      status: 204,
      responses: { 204: { description: "Signed out" }, 403: problem("Missing CSRF token") },
      handler: async ({ principal, res }) => {
        if (principal?.sessionId !== undefined) await ctx.sessions.delete(principal.sessionId);
        clearSessionCookie(ctx, res);
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/auth/csrf",
      operationId: "getCsrfToken",
      summary: "The CSRF token to send as X-CSRF-Token on unsafe requests of this session",
      tag: "auth",
      access: "read",
      responses: {
        200: { description: "The token", schema: CsrfJson },
        401: problem("Not signed in"),
        403: problem("Bearer tokens need no CSRF token"),
      },
      handler: ({ principal }) => {
        if (principal.sessionId === undefined)
          throw errors.forbidden(
            "CSRF tokens belong to browser sessions; bearer requests need none",
          );
        return Promise.resolve({ token: csrfToken(ctx.config.sessionSecret, principal.sessionId) });
      },
    }),
  ];
}
