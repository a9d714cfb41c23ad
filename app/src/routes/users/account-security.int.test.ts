import { beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  ApiClient,
  registerOwner,
  type TestUser,
} from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import type { ProblemDetails } from "../../errors.ts";

interface AuditRow {
  actor_id: string | null;
  action: string;
  entity: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe("account security needs a recent browser session and leaves an audit trail", () => {
  const app = useAuthApp();
  let owner: ApiClient;
  let ownerUser: TestUser;
  let ownerToken: string;
  let member: TestUser;

  beforeAll(async () => {
    owner = new ApiClient(app.base);
    ownerUser = await registerOwner(owner);
    member = (await addMember(owner, "member")).user;
    const created = await owner.post<{ token: string }>("/tokens", {
      name: "owner script",
      scope: "write",
    });
    ownerToken = created.body.token;
  });

  it("refuses an owner's write token every invitation, role change, removal, reset and new token", async () => {
    const script = owner.withToken(ownerToken);
    const attempts = [
      await script.post<ProblemDetails>("/invitations", { role: "member" }),
      await script.patch<ProblemDetails>(`/users/${member.id}`, { role: "owner" }),
      await script.post<ProblemDetails>(`/users/${member.id}/password-reset`),
      await script.delete<ProblemDetails>(`/users/${member.id}`),
      await script.post<ProblemDetails>("/tokens", { name: "child", scope: "write" }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe("forbidden");
    }
    expect((await owner.get<{ role: string }[]>("/users")).body.map((u) => u.role)).toEqual([
      "owner",
      "member",
    ]);
  });

  it("asks a session signed in more than 15 minutes ago for the password, then lets it act", async () => {
    app.clock.advance(16 * 60_000);
    const stale = [
      await owner.post<ProblemDetails>("/invitations", { role: "member" }),
      await owner.patch<ProblemDetails>(`/users/${member.id}`, { role: "viewer" }),
      await owner.post<ProblemDetails>(`/users/${member.id}/password-reset`),
      await owner.post<ProblemDetails>("/tokens", { name: "late", scope: "read" }),
      await owner.post<ProblemDetails>("/me/totp"),
    ];
    for (const res of stale) {
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe("reauthentication_required");
    }
    // Reading and ordinary writes go on as before.
    expect((await owner.get("/users")).status).toBe(200);
    expect((await owner.patch("/me", { name: "Olivia" })).status).toBe(200);

    const wrong = await owner.post<ProblemDetails>("/me/reauthenticate", { password: "nope" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors?.[0]?.path).toBe("body.password");
    const before = owner.sessionCookie;
    const ok = await owner.post("/me/reauthenticate", { password: ownerUser.password });
    expect(ok.status).toBe(204);
    expect(owner.sessionCookie).not.toBe(before);
    expect((await owner.post("/invitations", { role: "member" })).status).toBe(201);
    expect((await owner.patch(`/users/${member.id}`, { role: "viewer" })).status).toBe(200);
  });

  it("does not let a token re-authenticate", async () => {
    const res = await owner
      .withToken(ownerToken)
      .post<ProblemDetails>("/me/reauthenticate", { password: ownerUser.password });
    expect(res.status).toBe(403);
  });

  it("records role changes and password resets in the audit log, by whom, without secrets", async () => {
    expect((await owner.patch(`/users/${member.id}`, { role: "member" })).status).toBe(200);
    const reset = await owner.post<{ temporaryPassword: string }>(
      `/users/${member.id}/password-reset`,
    );
    expect(reset.status).toBe(200);
    // The audit routes are not served here; the log itself is what they read.
    const { rows } = await app.pool.query<AuditRow>(
      `select actor_id::text, action, entity, before, after from audit_log
        where entity = 'user' and entity_id = $1 order by id desc`,
      [member.id],
    );
    expect(rows.map((e) => [e.action, e.before, e.after])).toEqual([
      ["password_reset", null, null],
      ["role_change", { role: "viewer" }, { role: "member" }],
      ["role_change", { role: "member" }, { role: "viewer" }],
    ]);
    for (const entry of rows) expect(entry.actor_id).toBe(ownerUser.id);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(reset.body.temporaryPassword);
    expect(text).not.toMatch(/password_hash|totp_secret/);
  });
});
