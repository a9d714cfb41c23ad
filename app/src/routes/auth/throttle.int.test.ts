import { beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  ApiClient,
  aPassword,
  registerOwner,
  type ApiResponse,
  type TestUser,
} from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import type { ProblemDetails } from "../../errors.ts";

const minute = 60_000;

// Issue 16: failures timed to the backoff must slow the attacker, never lock the owner out
// (OWASP device cookies; NIST SP 800-63B section 5.2.2). Clients are told apart by address
// (X-Forwarded-For behind one trusted proxy) and by the trusted-device cookie.
describe("sign-in throttling slows attackers, not the account's owner", () => {
  const app = useAuthApp({
    trustProxy: true,
    // A low ceiling, so a handful of addresses stands for a botnet.
    policy: {
      login: {
        account: { limit: 8, windowMs: 60 * minute, baseDelayMs: 1000, maxDelayMs: 15 * minute },
      },
    },
  });
  let owner: ApiClient;

  beforeAll(async () => {
    owner = new ApiClient(app.base);
    await registerOwner(owner);
  });

  const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
  const signIn = (
    user: TestUser,
    ip: string,
    client = new ApiClient(app.base),
    password?: string,
  ) =>
    client.post<ProblemDetails>(
      "/auth/login",
      { email: user.email, password: password ?? user.password },
      from(ip),
    );
  const guess = (user: TestUser, ip: string, client?: ApiClient) =>
    signIn(user, ip, client, "wrong password guess");

  function expectThrottled(res: ApiResponse<ProblemDetails>, retryAfter: string) {
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe("too_many_requests");
    expect(res.headers.get("retry-after")).toBe(retryAfter);
  }

  /** The user's browser, signed in once from `ip` and so a trusted device of the account. */
  async function knownBrowser(user: TestUser, ip: string): Promise<ApiClient> {
    const browser = new ApiClient(app.base);
    const res = await signIn(user, ip, browser);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join("\n")).toMatch(
      /^fintrack_device=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;.*HttpOnly.*SameSite=Strict/im,
    );
    return browser;
  }

  it("lets the owner sign in from their known browser while an attacker at the same address is throttled", async () => {
    const { user } = await addMember(owner, "member");
    const browser = await knownBrowser(user, "198.51.100.10");
    for (let i = 0; i < 5; i++) expect((await guess(user, "198.51.100.10")).status).toBe(401);
    expectThrottled(await guess(user, "198.51.100.10"), "1");
    // The same address without the cookie is the attacker's client: it waits, right password or not.
    expectThrottled(await signIn(user, "198.51.100.10"), "1");
    expect((await signIn(user, "198.51.100.10", browser)).status).toBe(200);
    expect((await browser.get("/me")).status).toBe(200);
  });

  it("still slows the attacker on their own client: 429 with Retry-After, doubling", async () => {
    const { user } = await addMember(owner, "member");
    for (let i = 0; i < 5; i++) expect((await guess(user, "203.0.113.5")).status).toBe(401);
    expectThrottled(await guess(user, "203.0.113.5"), "1");
    app.clock.advance(1000);
    expect((await guess(user, "203.0.113.5")).status).toBe(401);
    expectThrottled(await guess(user, "203.0.113.5"), "2");
    // Another address is another client of the account, with budget left.
    expect((await signIn(user, "203.0.113.6")).status).toBe(200);
  });

  it("limits unknown clients per account once failures across many addresses reach the ceiling", async () => {
    const { user } = await addMember(owner, "member");
    const browser = await knownBrowser(user, "192.0.2.1");
    for (let i = 0; i < 7; i++) expect((await guess(user, `198.18.0.${i + 1}`)).status).toBe(401);
    // The owner's own sign-in from a new address is forgiven: it does not feed the ceiling.
    expect((await signIn(user, "198.18.1.1")).status).toBe(200);
    expect((await guess(user, "198.18.0.8")).status).toBe(401);
    expectThrottled(await guess(user, "198.18.0.9"), "1");
    expectThrottled(await signIn(user, "198.18.0.10"), "1");
    // The known browser is not an unknown client.
    expect((await signIn(user, "192.0.2.1", browser)).status).toBe(200);
    // Slowed, never locked out: once the wait is over a new address gets in.
    app.clock.advance(1000);
    expect((await signIn(user, "198.18.0.11")).status).toBe(200);
  });

  it("throttles a known browser that keeps failing on its own counter", async () => {
    const { user } = await addMember(owner, "member");
    const browser = await knownBrowser(user, "192.0.2.20");
    for (let i = 0; i < 5; i++) expect((await guess(user, "192.0.2.20", browser)).status).toBe(401);
    expectThrottled(await guess(user, "192.0.2.20", browser), "1");
    // A cookie is no way around the password: it exempts only from other clients' failures.
    expect((await signIn(user, "192.0.2.21")).status).toBe(200);
  });

  it("lets a signed-in user re-authenticate and change the password while others fail to sign in", async () => {
    const { client, user } = await addMember(owner, "member");
    for (let i = 0; i < 12; i++) await guess(user, `198.19.0.${i + 1}`);
    expectThrottled(await signIn(user, "198.19.1.1"), "1");
    expect((await client.post("/me/reauthenticate", { password: user.password })).status).toBe(204);
    const newPassword = aPassword();
    const changed = await client.post("/me/password", {
      currentPassword: user.password,
      newPassword,
    });
    expect(changed.status).toBe(204);
  });

  it("throttles wrong passwords in a session on that session's own budget", async () => {
    const { client, user } = await addMember(owner, "member");
    const confirm = (password: string) =>
      client.post<ProblemDetails>("/me/reauthenticate", { password });
    for (let i = 0; i < 5; i++) expect((await confirm("wrong password guess")).status).toBe(422);
    expectThrottled(await confirm(user.password), "1");
    // The session's failures do not hold up sign-in from the user's other clients.
    expect((await signIn(user, "192.0.2.30")).status).toBe(200);
    app.clock.advance(1000);
    expect((await confirm(user.password)).status).toBe(204);
  });
});
