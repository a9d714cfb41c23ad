import { beforeAll, describe, expect, it } from "vitest";
import { addMember, ApiClient, bearer, registerOwner } from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import type { ProblemDetails } from "../../errors.ts";

interface CreatedToken {
  id: string;
  name: string;
  scope: "read" | "write";
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  token: string;
}

describe("personal access tokens over HTTP", () => {
  const app = useAuthApp();
  const secrets: string[] = [];
  let owner: ApiClient;
  let member: ApiClient;
  let memberPassword: string;

  async function create(client: ApiClient, body: object): Promise<CreatedToken> {
    const res = await client.post<CreatedToken>("/tokens", body);
    expect(res.status).toBe(201);
    secrets.push(res.body.token);
    return res.body;
  }

  beforeAll(async () => {
    owner = new ApiClient(app.base);
    await registerOwner(owner);
    const added = await addMember(owner, "member");
    member = added.client;
    memberPassword = added.user.password;
  });

  it("answers the token once, as ft_ and 43 base64url characters, storing only its sha256", async () => {
    const created = await create(member, { name: "laptop script", scope: "read" });
    expect(created).toMatchObject({
      name: "laptop script",
      scope: "read",
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(created.token).toMatch(/^ft_[A-Za-z0-9_-]{43}$/);
    const list = await member.get<Record<string, unknown>[]>("/tokens");
    expect(list.body.find((t) => t.id === created.id)).toEqual({
      id: created.id,
      name: "laptop script",
      scope: "read",
      createdAt: created.createdAt,
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    const { rows } = await app.pool.query<{ token_hash: string }>(
      "select token_hash from api_tokens where id = $1",
      [created.id],
    );
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.token_hash).not.toContain(created.token.slice(3));
  });

  it("authenticates a read token for reads and refuses it every write", async () => {
    const { token } = await create(member, { name: "reader", scope: "read" });
    const client = member.withToken(token);
    const me = await client.get<{ role: string }>("/me");
    expect(me.status).toBe(200);
    expect(me.body.role).toBe("member");
    expect((await client.post("/probe/read")).status).toBe(200);
    const write = await client.post<ProblemDetails>("/probe/write");
    expect(write.status).toBe(403);
    expect(write.body.code).toBe("forbidden");
  });

  it("lets a write token write without any CSRF token, and wins over a cookie", async () => {
    const { token } = await create(member, { name: "writer", scope: "write" });
    const res = await new ApiClient(app.base).post<{ via: string }>(
      "/probe/write",
      undefined,
      bearer(token),
    );
    expect(res.status).toBe(200);
    expect(res.body.via).toBe("token");
    // A cookie client sending the token: the bearer is used, so no CSRF token is needed.
    const both = await member.post<{ via: string }>("/probe/write", undefined, {
      ...bearer(token),
      csrf: false,
    });
    expect(both.status).toBe(200);
    expect(both.body.via).toBe("token");
  });

  it("never lets a viewer's token write, whatever its scope", async () => {
    const { client: viewer } = await addMember(owner, "viewer");
    const { token } = await create(viewer, { name: "viewer writer", scope: "write" });
    expect((await viewer.withToken(token).post("/probe/write")).status).toBe(403);
    expect((await viewer.withToken(token).post("/probe/read")).status).toBe(200);
  });

  it("refuses a revoked token with 401, and only its owner may revoke it", async () => {
    const { id, token } = await create(member, { name: "short-lived", scope: "read" });
    expect((await owner.delete(`/tokens/${id}`)).status).toBe(404);
    expect((await member.withToken(token).get("/me")).status).toBe(200);
    expect((await member.delete(`/tokens/${id}`)).status).toBe(204);
    const res = await member.withToken(token).get<ProblemDetails>("/me");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthenticated");
    expect((await member.delete(`/tokens/${id}`)).status).toBe(404);
  });

  it("refuses a token after its expiry and refuses an expiry in the past", async () => {
    const expiresAt = new Date(app.clock.now() + 60 * 60_000).toISOString();
    const { token } = await create(member, { name: "expiring", scope: "read", expiresAt });
    expect((await member.withToken(token).get("/me")).status).toBe(200);
    app.clock.advance(61 * 60_000);
    expect((await member.withToken(token).get("/me")).status).toBe(401);
    // An hour after signing in, a new token needs the password again.
    const stale = await member.post<ProblemDetails>("/tokens", { name: "stale", scope: "read" });
    expect(stale.status).toBe(403);
    expect(stale.body.code).toBe("reauthentication_required");
    const again = await member.post("/me/reauthenticate", { password: memberPassword });
    expect(again.status).toBe(204);
    const past = await member.post<ProblemDetails>("/tokens", {
      name: "past",
      scope: "read",
      expiresAt: new Date(app.clock.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(422);
    expect(past.body.errors?.[0]?.path).toBe("body.expiresAt");
  });

  it("records the last use at most once a minute", async () => {
    const { id, token } = await create(member, { name: "used", scope: "read" });
    const lastUsed = async () =>
      (await member.get<CreatedToken[]>("/tokens")).body.find((t) => t.id === id)?.lastUsedAt;
    await member.withToken(token).get("/me");
    const first = await lastUsed();
    expect(first).toBe(new Date(app.clock.now()).toISOString());
    app.clock.advance(30_000);
    await member.withToken(token).get("/me");
    expect(await lastUsed()).toBe(first);
    app.clock.advance(31_000);
    await member.withToken(token).get("/me");
    expect(await lastUsed()).toBe(new Date(app.clock.now()).toISOString());
  });

  it("refuses malformed and unknown bearer tokens with 401 rather than treating them as anonymous", async () => {
    for (const header of ["Bearer nonsense", "Bearer ft_" + "A".repeat(43), "Basic dXNlcjpwYXNz"]) {
      const res = await new ApiClient(app.base).get("/me", { headers: { authorization: header } });
      expect(res.status).toBe(401);
    }
  });

  it("does not let a token manage tokens or account security", async () => {
    const { token } = await create(member, { name: "writer 2", scope: "write" });
    const client = member.withToken(token);
    expect((await client.post("/tokens", { name: "child", scope: "write" })).status).toBe(403);
    expect((await client.get("/tokens")).status).toBe(403);
    expect((await client.post("/me/totp")).status).toBe(403);
    expect(
      (await client.post("/me/password", { currentPassword: "x", newPassword: "y" })).status,
    ).toBe(403);
  });

  it("never writes a token to the log", () => {
    const logs = app.logs();
    expect(logs).toContain("personal access token created");
    for (const s of secrets) expect(logs).not.toContain(s);
  });
});
