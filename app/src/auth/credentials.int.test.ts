import { beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  ApiClient,
  aPassword,
  registerOwner,
  type TestUser,
} from "../../test/harness/client.ts";
import { type AuthApp, useAuthApp } from "../../test/harness/auth-app.ts";

async function aToken(client: ApiClient): Promise<string> {
  const res = await client.post<{ token: string }>("/tokens", { name: "script", scope: "write" });
  expect(res.status).toBe(201);
  return res.body.token;
}

/** The household every test here works in: an owner, and a member with a token of their own. */
function useHousehold(app: AuthApp) {
  const h = {} as { owner: ApiClient; member: ApiClient; memberUser: TestUser };
  beforeAll(async () => {
    h.owner = new ApiClient(app.base);
    await registerOwner(h.owner);
    const added = await addMember(h.owner, "member");
    h.member = added.client;
    h.memberUser = added.user;
  });
  return h;
}

describe("a password change or reset ends the user's tokens (the default)", () => {
  const app = useAuthApp();
  const h = useHousehold(app);

  it("revokes the user's tokens when they change their own password, keeping this browser signed in", async () => {
    const token = await aToken(h.member);
    const other = new ApiClient(app.base);
    await other.post("/auth/login", { email: h.memberUser.email, password: h.memberUser.password });
    expect((await h.member.withToken(token).get("/me")).status).toBe(200);
    const newPassword = aPassword();
    const changed = await h.member.post("/me/password", {
      currentPassword: h.memberUser.password,
      newPassword,
    });
    expect(changed.status).toBe(204);
    h.memberUser.password = newPassword;
    expect((await h.member.withToken(token).get("/me")).status).toBe(401);
    expect((await other.get("/me")).status).toBe(401);
    expect((await h.member.get("/me")).status).toBe(200);
    expect((await h.member.get<unknown[]>("/tokens")).body).toEqual([]);
  });

  it("revokes the user's tokens when an owner resets their password", async () => {
    const token = await aToken(h.member);
    const reset = await h.owner.post(`/users/${h.memberUser.id}/password-reset`);
    expect(reset.status).toBe(200);
    expect((await h.member.withToken(token).get("/me")).status).toBe(401);
    const { rows } = await app.pool.query("select 1 from api_tokens where user_id = $1", [
      h.memberUser.id,
    ]);
    expect(rows).toEqual([]);
  });
});

describe("a deployment that keeps tokens across password changes", () => {
  const app = useAuthApp({ passwordChangeRevokesTokens: false });
  const h = useHousehold(app);

  it("keeps the user's tokens through an owner's reset, while their sessions end", async () => {
    const token = await aToken(h.member);
    const reset = await h.owner.post(`/users/${h.memberUser.id}/password-reset`);
    expect(reset.status).toBe(200);
    expect((await h.member.get("/me")).status).toBe(401);
    expect((await h.member.withToken(token).get("/me")).status).toBe(200);
  });
});
