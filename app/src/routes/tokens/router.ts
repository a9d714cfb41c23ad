import { z } from "zod";
import type { AuthContext } from "../../auth/context.ts";
import {
  recentSessionProblem,
  requireRecentSession,
  requireSession,
} from "../../auth/principal.ts";
import { type Route, route } from "../../http/route.ts";
import { CreatedTokenJson, CreateTokenBody, TokenJson, TokenParams } from "./schema.ts";
import { createToken, listTokens, revokeToken } from "./service.ts";

const problem = (description: string) => ({ description });
const sessionOnly = problem("Needs a browser session: a token cannot manage tokens");

/**
 * Personal access tokens. Managed from a browser session only, so a leaked token cannot mint
 * successors that outlive its revocation; created only soon after signing in, so a browser left
 * signed in cannot mint one for whoever sits down at it. A viewer may hold a write-scoped token; authorize()
 * still refuses it every write, because the role is checked as well as the scope.
 */
export function tokenRoutes(ctx: AuthContext): Route[] {
  return [
    route({
      method: "post",
      path: "/tokens",
      operationId: "createToken",
      summary: "Create a personal access token (shown once)",
      tag: "tokens",
      access: "read",
      body: CreateTokenBody,
      status: 201,
      responses: {
        201: { description: "The token; `token` is shown only now", schema: CreatedTokenJson },
        403: recentSessionProblem,
        409: problem("Too many tokens"),
        422: problem("Invalid input"),
      },
      handler: ({ principal, body }) => {
        requireRecentSession(principal, ctx.now(), ctx.sessionPolicy.recentAuthMs);
        return createToken(ctx, principal.userId, body);
      },
    }),
    route({
      method: "get",
      path: "/tokens",
      operationId: "listTokens",
      summary: "The signed-in user's tokens, without their secrets",
      tag: "tokens",
      access: "read",
      responses: { 200: { description: "Tokens", schema: z.array(TokenJson) }, 403: sessionOnly },
      handler: ({ principal }) => {
        requireSession(principal);
        return listTokens(ctx.db, principal.userId);
      },
    }),
    route({
      method: "delete",
      path: "/tokens/:id",
      operationId: "revokeToken",
      summary: "Revoke one of the user's tokens",
      tag: "tokens",
      access: "read",
      params: TokenParams,
      status: 204,
      responses: {
        204: { description: "Revoked" },
        403: sessionOnly,
        404: problem("No such token"),
      },
      handler: async ({ principal, params }) => {
        requireSession(principal);
        await revokeToken(ctx.db, principal.userId, params.id);
        return undefined;
      },
    }),
  ];
}
