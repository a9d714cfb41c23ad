import { z } from "zod";
import type { AuthContext } from "../../auth/context.ts";
import {
  type Principal,
  recentSessionProblem,
  requireRecentSession,
} from "../../auth/principal.ts";
import { type Route, route } from "../../http/route.ts";
import {
  InvitationBody,
  InvitationCreatedJson,
  InvitationJson,
  InvitationParams,
  MemberJson,
  PasswordResetJson,
  PatchUserBody,
  UserParams,
} from "./schema.ts";
import {
  createInvitation,
  deleteInvitation,
  listInvitations,
  listMembers,
  removeUser,
  resetPassword,
  setRole,
} from "./service.ts";

const problem = (description: string) => ({ description });
const ownerOnly = problem("Only the household's owner may do this");
// Changes that hand out or take away access: the owner, from a recent browser session.
const ownerRecently = problem(`${ownerOnly.description}. ${recentSessionProblem.description}`);

/** The household: members, roles, removal, password resets and invitations. */
export function userRoutes(ctx: AuthContext): Route[] {
  const recently = (principal: Principal) =>
    requireRecentSession(principal, ctx.now(), ctx.sessionPolicy.recentAuthMs);
  return [
    route({
      method: "get",
      path: "/users",
      operationId: "listUsers",
      summary: "The household's members",
      tag: "household",
      access: "read",
      responses: { 200: { description: "Members", schema: z.array(MemberJson) } },
      handler: () => listMembers(ctx.db),
    }),
    route({
      method: "patch",
      path: "/users/:id",
      operationId: "updateUserRole",
      summary: "Change a member's role (the last owner cannot be demoted)",
      description: "Recorded in the audit log as `role_change` of the entity `user`.",
      tag: "household",
      access: "owner",
      params: UserParams,
      body: PatchUserBody,
      responses: {
        200: { description: "The member", schema: MemberJson },
        403: ownerRecently,
        404: problem("No such user"),
        409: problem("That would leave the household without an owner"),
      },
      handler: ({ principal, params, body }) => {
        recently(principal);
        return setRole(ctx, principal.userId, params.id, body.role);
      },
    }),
    route({
      method: "delete",
      path: "/users/:id",
      operationId: "deleteUser",
      summary: "Remove a member: their sessions and tokens end",
      description: "Recorded in the audit log as `user_remove` of the entity `user`.",
      tag: "household",
      access: "owner",
      params: UserParams,
      status: 204,
      responses: {
        204: { description: "Removed" },
        403: ownerRecently,
        404: problem("No such user"),
        409: problem("The last owner cannot be removed"),
      },
      handler: async ({ principal, params }) => {
        recently(principal);
        await removeUser(ctx, principal.userId, params.id);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/users/:id/password-reset",
      operationId: "resetUserPassword",
      summary: "Give a member a temporary password (shown once) and end their sessions",
      description:
        "Their personal access tokens are revoked too, unless the instance runs with " +
        "FINTRACK_PASSWORD_CHANGE_REVOKES_TOKENS=false. Recorded in the audit log as " +
        "`password_reset` of the entity `user`.",
      tag: "household",
      access: "owner",
      params: UserParams,
      responses: {
        200: { description: "The temporary password", schema: PasswordResetJson },
        403: ownerRecently,
        404: problem("No such user"),
        409: problem("Owners change their own password under /me/password"),
      },
      handler: ({ principal, params }) => {
        recently(principal);
        return resetPassword(ctx, principal.userId, params.id);
      },
    }),
    route({
      method: "post",
      path: "/invitations",
      operationId: "createInvitation",
      summary: "Invite someone by a one-time link",
      tag: "household",
      access: "owner",
      body: InvitationBody,
      status: 201,
      responses: {
        201: {
          description: "The invitation with its token, shown once",
          schema: InvitationCreatedJson,
        },
        403: ownerRecently,
        409: problem("This email already has an account"),
      },
      handler: ({ principal, body }) => {
        recently(principal);
        return createInvitation(ctx, principal.userId, body);
      },
    }),
    route({
      method: "get",
      path: "/invitations",
      operationId: "listInvitations",
      summary: "Invitations, pending and accepted",
      tag: "household",
      access: "owner",
      responses: {
        200: { description: "Invitations", schema: z.array(InvitationJson) },
        403: ownerOnly,
      },
      handler: () => listInvitations(ctx.db),
    }),
    route({
      method: "delete",
      path: "/invitations/:id",
      operationId: "deleteInvitation",
      summary: "Withdraw an invitation",
      tag: "household",
      access: "owner",
      params: InvitationParams,
      status: 204,
      responses: {
        204: { description: "Withdrawn" },
        403: ownerOnly,
        404: problem("No such invitation"),
      },
      handler: async ({ params }) => {
        await deleteInvitation(ctx.db, params.id);
        return undefined;
      },
    }),
  ];
}
