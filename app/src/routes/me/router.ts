import { z } from "zod";
import type { AuthContext } from "../../auth/context.ts";
import {
  type Principal,
  recentSessionProblem,
  requireRecentSession,
  requireSession,
} from "../../auth/principal.ts";
import { publicIdOf } from "../../auth/sessions.ts";
import { clearSessionCookie, startSession } from "../../auth/signin.ts";
import { findUserById, MeJson, presentMe, type UserRow } from "../../auth/users.ts";
import { errors } from "../../errors.ts";
import { type Route, route } from "../../http/route.ts";
import {
  ChangePasswordBody,
  PatchMeBody,
  ReauthenticateBody,
  RecoveryCodesJson,
  SessionJson,
  SessionParams,
  TotpDisableBody,
  TotpEnableBody,
  TotpSetupJson,
} from "./schema.ts";
import {
  beginTotp,
  changePassword,
  disableTotp,
  enableTotp,
  listSessions,
  reauthenticate,
  rename,
} from "./service.ts";

const problem = (description: string) => ({ description });
const sessionOnly = problem("Needs a browser session (a token cannot change account security)");

async function me(ctx: AuthContext, principal: Principal): Promise<UserRow> {
  const user = await findUserById(ctx.db, principal.userId);
  if (!user) throw errors.unauthenticated();
  return user;
}

/** `/me` and its security settings: profile, password, sessions, two-factor sign-in. */
export function meRoutes(ctx: AuthContext): Route[] {
  const recently = (principal: Principal) =>
    requireRecentSession(principal, ctx.now(), ctx.sessionPolicy.recentAuthMs);
  return [
    route({
      method: "get",
      path: "/me",
      operationId: "getMe",
      summary: "The signed-in user",
      tag: "me",
      access: "read",
      responses: { 200: { description: "The user", schema: MeJson } },
      handler: async ({ principal }) => presentMe(await me(ctx, principal)),
    }),
    route({
      method: "patch",
      path: "/me",
      operationId: "updateMe",
      summary: "Change the signed-in user's display name",
      tag: "me",
      access: "read",
      body: PatchMeBody,
      responses: { 200: { description: "The user", schema: MeJson }, 403: sessionOnly },
      handler: async ({ principal, body }) => {
        requireSession(principal);
        if (body.name !== undefined) await rename(ctx, principal.userId, body.name);
        return presentMe(await me(ctx, principal));
      },
    }),
    route({
      method: "post",
      path: "/me/reauthenticate",
      operationId: "reauthenticate",
      summary: "Confirm the password (and a second factor when on) to change account security",
      description:
        "Answer to `reauthentication_required`: invitations, role changes, password resets, " +
        "two-factor enrolment and new tokens need a sign-in within the last 15 minutes. This " +
        "browser gets a new session cookie (and so a new CSRF token). `totp` is a 6-digit code " +
        "or an unused recovery code, required when two-factor sign-in is on.",
      tag: "me",
      access: "read",
      body: ReauthenticateBody,
      status: 204,
      responses: {
        204: { description: "Confirmed; a new session cookie is set" },
        403: sessionOnly,
        422: problem("The password or the code is wrong, or the code is missing"),
        429: problem("Too many wrong passwords or codes in this session; Retry-After says when"),
      },
      handler: async ({ principal, body, req, res }) => {
        const session = requireSession(principal);
        const user = await me(ctx, principal);
        await reauthenticate(ctx, user, session, body.password, body.totp);
        await startSession(ctx, req, res, user.id);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/me/password",
      operationId: "changePassword",
      summary: "Change the password; every other session and every token is signed out",
      description:
        "This browser gets a new session cookie (and so a new CSRF token). The user's personal " +
        "access tokens are revoked too, unless the instance runs with " +
        "FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS=false. The current password in the body is " +
        "the re-authentication: no recent sign-in is needed.",
      tag: "me",
      access: "read",
      body: ChangePasswordBody,
      status: 204,
      responses: {
        204: { description: "Changed" },
        403: sessionOnly,
        422: problem("The current password is wrong or the new one is refused"),
        429: problem("Too many wrong passwords in this session; Retry-After says when"),
      },
      handler: async ({ principal, body, req, res }) => {
        const session = requireSession(principal);
        const user = await me(ctx, principal);
        await changePassword(ctx, user, session, body.currentPassword, body.newPassword);
        await startSession(ctx, req, res, user.id);
        return undefined;
      },
    }),
    route({
      method: "get",
      path: "/me/sessions",
      operationId: "listMySessions",
      summary: "The signed-in user's sessions, most recently used first",
      tag: "me",
      access: "read",
      responses: {
        200: { description: "Sessions", schema: z.array(SessionJson) },
        403: sessionOnly,
      },
      handler: ({ principal }) => listSessions(ctx, principal.userId, requireSession(principal)),
    }),
    route({
      method: "delete",
      path: "/me/sessions/:id",
      operationId: "deleteMySession",
      summary: "Sign out one of the user's sessions",
      tag: "me",
      access: "read",
      params: SessionParams,
      status: 204,
      responses: { 204: { description: "Signed out" }, 404: problem("No such session") },
      handler: async ({ principal, params, res }) => {
        const current = requireSession(principal);
        if (!(await ctx.sessions.deleteByPublicId(principal.userId, params.id)))
          throw errors.notFound("this session");
        if (params.id === publicIdOf(current)) clearSessionCookie(ctx, res);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/me/sessions/sign-out-others",
      operationId: "signOutOtherSessions",
      summary: "Sign out every session of the user but this one",
      tag: "me",
      access: "read",
      status: 204,
      responses: { 204: { description: "Signed out" }, 403: sessionOnly },
      handler: async ({ principal }) => {
        const current = requireSession(principal);
        await ctx.sessions.deleteForUser(principal.userId, publicIdOf(current));
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/me/totp",
      operationId: "beginTotp",
      summary: "Start two-factor enrolment: a secret to scan (SHA1, 6 digits, 30 s)",
      tag: "me",
      access: "read",
      responses: {
        200: { description: "The pending secret", schema: TotpSetupJson },
        403: recentSessionProblem,
        409: problem("Two-factor sign-in is already on"),
      },
      handler: async ({ principal }) => {
        recently(principal);
        return beginTotp(ctx, await me(ctx, principal));
      },
    }),
    route({
      method: "post",
      path: "/me/totp/enable",
      operationId: "enableTotp",
      summary: "Confirm a code from the app to turn two-factor sign-in on; answers recovery codes",
      tag: "me",
      access: "read",
      body: TotpEnableBody,
      responses: {
        200: {
          description: "Ten single-use recovery codes, shown once",
          schema: RecoveryCodesJson,
        },
        403: recentSessionProblem,
        409: problem("No enrolment started, or already on"),
        422: problem("The code is wrong"),
      },
      handler: async ({ principal, body }) => {
        recently(principal);
        return enableTotp(ctx, await me(ctx, principal), body.code);
      },
    }),
    route({
      method: "delete",
      path: "/me/totp",
      operationId: "disableTotp",
      summary: "Turn two-factor sign-in off (password and a current code required)",
      description:
        "`code` is a 6-digit code from the authenticator app or an unused recovery code (which " +
        "is then used up); the password alone cannot remove the second factor. Password and " +
        "code are the re-authentication: no recent sign-in is needed.",
      tag: "me",
      access: "read",
      body: TotpDisableBody,
      status: 204,
      responses: {
        204: { description: "Off" },
        403: sessionOnly,
        409: problem("Two-factor sign-in is off"),
        422: problem("The password or the code is wrong"),
        429: problem("Too many wrong passwords or codes in this session; Retry-After says when"),
      },
      handler: async ({ principal, body }) => {
        const session = requireSession(principal);
        await disableTotp(ctx, await me(ctx, principal), session, body.password, body.code);
        return undefined;
      },
    }),
  ];
}
