import { beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  ApiClient,
  aPassword,
  registerOwner,
  type TestUser,
} from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import type { ProblemDetails } from "../../errors.ts";

interface Session {
  id: string;
  current: boolean;
  userAgent: string;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
}

describe("the signed-in user and the household over HTTP", () => {
  const app = useAuthApp();
  const secrets: string[] = [];
  let owner: ApiClient;
  let ownerUser: TestUser;

  async function signIn(user: Pick<TestUser, "email" | "password">, agent = "test-agent") {
    const client = new ApiClient(app.base);
    const res = await client.post("/auth/login", user, { headers: { "user-agent": agent } });
    expect(res.status).toBe(200);
    secrets.push(client.sessionCookie ?? "");
    return client;
  }

  beforeAll(async () => {
    owner = new ApiClient(app.base);
    ownerUser = await registerOwner(owner);
    secrets.push(ownerUser.password, owner.sessionCookie ?? "");
  });

  it("shows the signed-in user without any secret, and lets them rename themselves", async () => {
    const me = await owner.get<Record<string, unknown>>("/me");
    expect(Object.keys(me.body).sort()).toEqual(
      ["createdAt", "email", "id", "name", "role", "totpEnabled"].sort(),
    );
    expect(me.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const renamed = await owner.patch<{ name: string }>("/me", { name: "  Olivia O.  " });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Olivia O.");
  });

  it("lists the user's sessions with a public id, marking the current one", async () => {
    const phone = await signIn(ownerUser, "Phone/1.0");
    const list = await phone.get<Session[]>("/me/sessions");
    expect(list.status).toBe(200);
    expect(list.body.length).toBeGreaterThanOrEqual(2);
    const current = list.body.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]?.userAgent).toBe("Phone/1.0");
    expect(current[0]?.ip).toMatch(/127\.0\.0\.1/);
    for (const s of list.body) {
      expect(s.id).not.toBe(phone.sessionCookie);
      expect(s.id).not.toBe(owner.sessionCookie);
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("signs out one session by its id, and answers 404 for an id that is not the user's", async () => {
    const laptop = await signIn(ownerUser, "Laptop/2.0");
    const list = await owner.get<Session[]>("/me/sessions");
    const target = list.body.find((s) => s.userAgent === "Laptop/2.0");
    expect(target).toBeDefined();
    expect((await owner.delete(`/me/sessions/${target?.id ?? ""}`)).status).toBe(204);
    expect((await laptop.get("/me")).status).toBe(401);
    expect((await owner.get("/me")).status).toBe(200);
    expect((await owner.delete(`/me/sessions/${"A".repeat(43)}`)).status).toBe(404);
  });

  it("signs out every other session but keeps this one", async () => {
    const a = await signIn(ownerUser);
    const b = await signIn(ownerUser);
    expect((await owner.post("/me/sessions/sign-out-others")).status).toBe(204);
    expect((await a.get("/me")).status).toBe(401);
    expect((await b.get("/me")).status).toBe(401);
    expect((await owner.get("/me")).status).toBe(200);
    const list = await owner.get<Session[]>("/me/sessions");
    expect(list.body.map((s) => s.current)).toEqual([true]);
  });

  it("changes the password only with the current one, and signs out other sessions", async () => {
    const other = await signIn(ownerUser);
    const wrong = await owner.post<ProblemDetails>("/me/password", {
      currentPassword: "not my password!",
      newPassword: aPassword(),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors?.[0]?.path).toBe("body.currentPassword");
    const weak = await owner.post<ProblemDetails>("/me/password", {
      currentPassword: ownerUser.password,
      newPassword: "qwertyuiopas",
    });
    expect(weak.status).toBe(422);
    expect(weak.body.errors?.[0]?.path).toBe("body.newPassword");

    const newPassword = aPassword();
    secrets.push(newPassword);
    const before = owner.sessionCookie;
    const ok = await owner.post("/me/password", {
      currentPassword: ownerUser.password,
      newPassword,
    });
    expect(ok.status).toBe(204);
    expect(owner.sessionCookie).not.toBe(before);
    expect((await owner.get("/me")).status).toBe(200);
    expect((await other.get("/me")).status).toBe(401);
    const old = await new ApiClient(app.base).post("/auth/login", {
      email: ownerUser.email,
      password: ownerUser.password,
    });
    expect(old.status).toBe(401);
    ownerUser = { ...ownerUser, password: newPassword };
    await signIn(ownerUser);
  });

  it("lets every member list the household, without secrets", async () => {
    const { client: viewer } = await addMember(owner, "viewer");
    const res = await viewer.get<Record<string, unknown>[]>("/users");
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(2);
    for (const u of res.body)
      expect(Object.keys(u).sort()).toEqual(["email", "id", "name", "role"]);
  });

  it("refuses owner-only routes to a member (403) and writes to a viewer (403)", async () => {
    const { client: member, user } = await addMember(owner, "member");
    const { client: viewer } = await addMember(owner, "viewer");
    expect((await member.post("/invitations", { role: "member" })).status).toBe(403);
    expect((await member.get("/invitations")).status).toBe(403);
    expect((await member.patch(`/users/${user.id}`, { role: "owner" })).status).toBe(403);
    expect((await member.delete(`/users/${ownerUser.id}`)).status).toBe(403);
    expect((await member.post(`/users/${ownerUser.id}/password-reset`)).status).toBe(403);
    expect((await member.post("/probe/write")).status).toBe(200);
    expect((await viewer.post("/probe/write")).status).toBe(403);
    expect((await viewer.post("/probe/read")).status).toBe(200);
    // Self-service stays open to a viewer: their own name is not household data.
    expect((await viewer.patch("/me", { name: "Vee" })).status).toBe(200);
  });

  it("applies a role change at once to the member's existing session", async () => {
    const { client: member, user } = await addMember(owner, "member");
    expect((await member.post("/probe/write")).status).toBe(200);
    const res = await owner.patch<{ role: string }>(`/users/${user.id}`, { role: "viewer" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, role: "viewer" });
    expect((await member.post("/probe/write")).status).toBe(403);
  });

  it("never demotes or removes the last owner (409), but does once there is another", async () => {
    const demote = await owner.patch<ProblemDetails>(`/users/${ownerUser.id}`, { role: "member" });
    expect(demote.status).toBe(409);
    expect((await owner.delete(`/users/${ownerUser.id}`)).status).toBe(409);
    const { client: second, user } = await addMember(owner, "member");
    expect((await owner.patch(`/users/${user.id}`, { role: "owner" })).status).toBe(200);
    expect((await second.post("/probe/owner")).status).toBe(200);
    expect((await second.patch(`/users/${ownerUser.id}`, { role: "member" })).status).toBe(200);
    expect((await owner.post("/probe/owner")).status).toBe(403);
    expect((await second.patch(`/users/${ownerUser.id}`, { role: "owner" })).status).toBe(200);
    expect((await owner.patch(`/users/${user.id}`, { role: "member" })).status).toBe(200);
  });

  it("removes a member: their sessions and tokens stop working; unknown ids are 404", async () => {
    const { client: member, user } = await addMember(owner, "member");
    const token = await member.post<{ token: string }>("/tokens", { name: "cli", scope: "read" });
    secrets.push(token.body.token);
    expect((await member.withToken(token.body.token).get("/me")).status).toBe(200);
    expect((await owner.delete(`/users/${user.id}`)).status).toBe(204);
    expect((await member.get("/me")).status).toBe(401);
    expect((await member.withToken(token.body.token).get("/me")).status).toBe(401);
    expect((await owner.delete(`/users/${user.id}`)).status).toBe(404);
    expect((await owner.patch("/users/999999", { role: "member" })).status).toBe(404);
    expect((await owner.delete("/users/not-a-number")).status).toBe(422);
  });

  it("resets a member's password: a one-time temporary password, their sessions ended", async () => {
    const { client: member, user } = await addMember(owner, "member");
    const res = await owner.post<{ temporaryPassword: string }>(`/users/${user.id}/password-reset`);
    expect(res.status).toBe(200);
    const temporary = res.body.temporaryPassword;
    secrets.push(temporary);
    expect([...temporary].length).toBeGreaterThanOrEqual(12);
    expect((await member.get("/me")).status).toBe(401);
    const old = await new ApiClient(app.base).post("/auth/login", {
      email: user.email,
      password: user.password,
    });
    expect(old.status).toBe(401);
    await signIn({ email: user.email, password: temporary });
    expect((await owner.post(`/users/${ownerUser.id}/password-reset`)).status).toBe(409);
  });

  it("lists and withdraws invitations; a withdrawn invitation cannot be used", async () => {
    const created = await owner.post<{ id: string; token: string; expiresAt: string }>(
      "/invitations",
      { role: "viewer", email: "later@example.test", expiresInDays: 3 },
    );
    expect(created.status).toBe(201);
    const list =
      await owner.get<{ id: string; email: string; acceptedAt: string | null }[]>("/invitations");
    const listed = list.body.find((i) => i.id === created.body.id);
    expect(listed).toMatchObject({ email: "later@example.test", role: "viewer", acceptedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await owner.delete(`/invitations/${created.body.id}`)).status).toBe(204);
    expect((await owner.delete(`/invitations/${created.body.id}`)).status).toBe(404);
    const register = await new ApiClient(app.base).post("/auth/register", {
      email: "later@example.test",
      password: aPassword(),
      name: "Later",
      invitation: created.body.token,
    });
    expect(register.status).toBe(403);
  });

  it("refuses an invitation for an email that already has an account (409)", async () => {
    const res = await owner.post("/invitations", { role: "member", email: ownerUser.email });
    expect(res.status).toBe(409);
  });

  it("never writes a password, cookie or token to the log", () => {
    const logs = app.logs();
    expect(logs).toContain("password reset by an owner");
    for (const secret of secrets.filter((s) => s.length > 0)) expect(logs).not.toContain(secret);
  });
});
