import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import {
  type Access,
  authorize,
  type Principal,
  requireRecentSession,
  requireSession,
  type Role,
} from "./principal.ts";

function outcome(principal: Principal | undefined, access: Access): number {
  try {
    authorize(principal, access);
    return 200;
  } catch (error) {
    if (error instanceof AppError) return error.status;
    throw error;
  }
}

const who = (role: Role, scope: "read" | "write", via: "session" | "token"): Principal => ({
  userId: "1",
  role,
  scope,
  via,
});

describe("authorize", () => {
  // Expected status per access level: public, read, write, owner.
  const table: [Role, "read" | "write", "session" | "token", number[]][] = [
    ["owner", "write", "session", [200, 200, 200, 200]],
    ["owner", "write", "token", [200, 200, 200, 200]],
    ["owner", "read", "token", [200, 200, 403, 403]],
    ["member", "write", "session", [200, 200, 200, 403]],
    ["member", "write", "token", [200, 200, 200, 403]],
    ["member", "read", "token", [200, 200, 403, 403]],
    ["viewer", "write", "session", [200, 200, 403, 403]],
    ["viewer", "write", "token", [200, 200, 403, 403]],
    ["viewer", "read", "token", [200, 200, 403, 403]],
  ];
  const levels: Access[] = ["public", "read", "write", "owner"];

  it.each(table)(
    "%s with %s scope via %s gets %j on public/read/write/owner",
    (role, scope, via, expected) => {
      expect(levels.map((access) => outcome(who(role, scope, via), access))).toEqual(expected);
    },
  );

  it("lets anonymous callers use public routes only, answering 401 elsewhere", () => {
    expect(levels.map((access) => outcome(undefined, access))).toEqual([200, 401, 401, 401]);
  });
});

describe("requireSession", () => {
  it("answers the session id of a browser session", () => {
    expect(requireSession({ ...who("viewer", "write", "session"), sessionId: "abc" })).toBe("abc");
  });

  it("refuses a token with 403, even an owner's write token", () => {
    expect(() => requireSession({ ...who("owner", "write", "token"), tokenId: "1" })).toThrow(
      expect.objectContaining({ status: 403 }) as Error,
    );
  });
});

describe("requireRecentSession", () => {
  const session: Principal = {
    ...who("owner", "write", "session"),
    sessionId: "s",
    authenticatedAt: 1_000,
  };
  const code = (principal: Principal, now: number) => {
    try {
      requireRecentSession(principal, now, 100);
      return "ok";
    } catch (error) {
      if (error instanceof AppError) return error.code;
      throw error;
    }
  };

  it("lets a session through within the window after its sign-in, and no later", () => {
    expect(code(session, 1_100)).toBe("ok");
    expect(code(session, 1_101)).toBe("reauthentication_required");
  });

  it("refuses a token, even the owner's, as forbidden rather than asking to re-authenticate", () => {
    expect(code({ ...who("owner", "write", "token"), tokenId: "t" }, 1_000)).toBe("forbidden");
  });
});
