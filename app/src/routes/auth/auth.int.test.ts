import { describe, expect, it } from "vitest";
import {
  addMember,
  ApiClient,
  aPassword,
  registerOwner,
  type TestUser,
} from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import { starterCategories } from "../../domain/default-categories.ts";
import type { ProblemDetails } from "../../errors.ts";

const minute = 60_000;
const hour = 60 * minute;

describe("registration, sign-in and sessions over HTTP", () => {
  const app = useAuthApp();
  /** Every secret the tests handle; none may show up in a log line. */
  const secrets: string[] = [];
  let owner: ApiClient;
  let ownerUser: TestUser;

  async function failedLogins(reason: string): Promise<number> {
    const metric = await app.registry.getSingleMetric("fintrack_logins_failed_total")?.get();
    return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  async function signIn(user: TestUser): Promise<ApiClient> {
    const client = new ApiClient(app.base);
    const res = await client.post("/auth/login", { email: user.email, password: user.password });
    expect(res.status).toBe(200);
    secrets.push(client.sessionCookie ?? "");
    return client;
  }

  it("registers the first user as owner, answering 201 with a session cookie", async () => {
    owner = new ApiClient(app.base);
    const password = aPassword();
    const res = await owner.post<{ role: string; email: string }>("/auth/register", {
      email: "Olivia@Example.test",
      password,
      name: "Olivia",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: "Olivia@Example.test",
      role: "owner",
      totpEnabled: false,
    });
    const [cookie = ""] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^fintrack_session=[A-Za-z0-9_-]{22};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    ownerUser = { id: "1", email: "olivia@example.test", password, name: "Olivia", role: "owner" };
    secrets.push(password, owner.sessionCookie ?? "");
    const me = await owner.get<{ role: string }>("/me");
    expect(me.status).toBe(200);
    expect(me.body.role).toBe("owner");
  });

  it("refuses a second registration without an invitation (403)", async () => {
    const res = await new ApiClient(app.base).post<ProblemDetails>("/auth/register", {
      email: "mallory@example.test",
      password: aPassword(),
      name: "Mallory",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });

  it("accepts an invitation once, giving its role, and refuses it the second time", async () => {
    const invitation = await owner.post<{ token: string; url: string }>("/invitations", {
      role: "viewer",
    });
    expect(invitation.status).toBe(201);
    expect(invitation.body.url).toBe(`http://127.0.0.1/invite/${invitation.body.token}`);
    secrets.push(invitation.body.token);
    const viewer = new ApiClient(app.base);
    const first = await viewer.post<{ role: string }>("/auth/register", {
      email: "vera@example.test",
      password: aPassword(),
      name: "Vera",
      invitation: invitation.body.token,
    });
    expect(first.status).toBe(201);
    expect(first.body.role).toBe("viewer");
    const again = await new ApiClient(app.base).post("/auth/register", {
      email: "victor@example.test",
      password: aPassword(),
      name: "Victor",
      invitation: invitation.body.token,
    });
    expect(again.status).toBe(403);
  });

  it("refuses an expired invitation and one addressed to another email", async () => {
    const expiring = await owner.post<{ token: string }>("/invitations", {
      role: "member",
      expiresInDays: 1,
    });
    const addressed = await owner.post<{ token: string }>("/invitations", {
      role: "member",
      email: "ann@example.test",
    });
    app.clock.advance(24 * hour + 1000);
    const late = await new ApiClient(app.base).post("/auth/register", {
      email: "late@example.test",
      password: aPassword(),
      name: "Late",
      invitation: expiring.body.token,
    });
    expect(late.status).toBe(403);
    const wrongPerson = await new ApiClient(app.base).post("/auth/register", {
      email: "bob@example.test",
      password: aPassword(),
      name: "Bob",
      invitation: addressed.body.token,
    });
    expect(wrongPerson.status).toBe(403);
    // The refusal did not use the invitation up: its addressee can still accept it.
    const ann = await new ApiClient(app.base).post("/auth/register", {
      email: "ANN@example.test",
      password: aPassword(),
      name: "Ann",
      invitation: addressed.body.token,
    });
    expect(ann.status).toBe(201);
    owner = await signIn(ownerUser);
  });

  it("refuses a common password at registration, naming body.password", async () => {
    const invitation = await owner.post<{ token: string }>("/invitations", { role: "member" });
    const res = await new ApiClient(app.base).post<ProblemDetails>("/auth/register", {
      email: "weak@example.test",
      password: "password1234",
      name: "Weak",
      invitation: invitation.body.token,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors?.map((e) => e.path)).toEqual(["body.password"]);
  });

  it("answers a wrong password and an unknown email alike: 401 problem+json, counted", async () => {
    const before = await failedLogins("password");
    const wrong = await new ApiClient(app.base).post<ProblemDetails>("/auth/login", {
      email: ownerUser.email,
      password: "not the password at all",
    });
    const unknown = await new ApiClient(app.base).post<ProblemDetails>("/auth/login", {
      email: "nobody@example.test",
      password: "not the password at all",
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe("invalid_credentials");
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(await failedLogins("password")).toBe(before + 2);
  });

  it("throttles an account after five failures with 429 and Retry-After, doubling the wait", async () => {
    const { user } = await addMember(owner, "member");
    const attempt = () =>
      new ApiClient(app.base).post<ProblemDetails>("/auth/login", {
        email: user.email,
        password: "wrong password guess",
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    const throttledBefore = await failedLogins("throttled");
    const blocked = await attempt();
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe("too_many_requests");
    expect(blocked.headers.get("retry-after")).toBe("1");
    // Even the right password waits: the throttle is decided before the password is checked.
    const right = new ApiClient(app.base);
    expect(
      (await right.post("/auth/login", { email: user.email, password: user.password })).status,
    ).toBe(429);
    expect(await failedLogins("throttled")).toBe(throttledBefore + 2);
    app.clock.advance(1000);
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).headers.get("retry-after")).toBe("2");
    app.clock.advance(2000);
    const ok = await right.post("/auth/login", { email: user.email, password: user.password });
    expect(ok.status).toBe(200);
    // Success reset the account's count: five free attempts again.
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(429);
  });

  it("caps the wait at 15 minutes and lets the right password in after it", async () => {
    const { user } = await addMember(owner, "member");
    const attempt = (password = "wrong password guess") =>
      new ApiClient(app.base).post("/auth/login", { email: user.email, password });
    let longest = 0;
    for (let i = 0; i < 60 && longest < 900; i++) {
      const res = await attempt();
      if (res.status !== 429) continue;
      const wait = Number(res.headers.get("retry-after"));
      longest = Math.max(longest, wait);
      app.clock.advance(wait * 1000);
    }
    expect(longest).toBe(900);
    expect((await attempt(user.password)).status).toBe(200);
  });

  it("gives a new session id at login and refuses the one the browser had before", async () => {
    const client = await signIn(ownerUser);
    const before = client.sessionCookie ?? "";
    const res = await client.post("/auth/login", {
      email: ownerUser.email,
      password: ownerUser.password,
    });
    expect(res.status).toBe(200);
    const after = client.sessionCookie ?? "";
    secrets.push(after);
    expect(after).not.toBe(before);
    const stale = new ApiClient(app.base);
    stale.setCookie("fintrack_session", before);
    expect((await stale.get("/me")).status).toBe(401);
    expect((await client.get("/me")).status).toBe(200);
  });

  it("keeps sessions in Redis under a hash: no key or value holds the session id", async () => {
    const client = await signIn(ownerUser);
    const id = client.sessionCookie ?? "";
    const keys = await app.redis.keys(`${app.prefix}*`);
    expect(keys.some((k) => k.includes("session:"))).toBe(true);
    for (const key of keys) {
      expect(key).not.toContain(id);
      if ((await app.redis.type(key)) === "string")
        expect(await app.redis.get(key)).not.toContain(id);
    }
  });

  it("ends the session on the server at logout: the old cookie is refused afterwards", async () => {
    const client = await signIn(ownerUser);
    const cookie = client.sessionCookie ?? "";
    const res = await client.post("/auth/logout");
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join()).toMatch(
      /fintrack_session=;.*Expires=Thu, 01 Jan 1970/,
    );
    expect(client.sessionCookie).toBeUndefined();
    const replay = new ApiClient(app.base);
    replay.setCookie("fintrack_session", cookie);
    expect((await replay.get("/me")).status).toBe(401);
  });

  it("ends a session idle for 2 hours but keeps one used within that", async () => {
    const client = await signIn(ownerUser);
    app.clock.advance(2 * hour - minute);
    expect((await client.get("/me")).status).toBe(200);
    app.clock.advance(2 * hour - minute);
    expect((await client.get("/me")).status).toBe(200);
    app.clock.advance(2 * hour);
    const expired = await client.get("/me");
    expect(expired.status).toBe(401);
    // The dead cookie is cleared so the browser stops sending it.
    expect(client.sessionCookie).toBeUndefined();
  });

  it("ends a session 7 days after sign-in however busy it is", async () => {
    const client = await signIn(ownerUser);
    const cookie = client.sessionCookie ?? "";
    for (let elapsed = 0; elapsed + 110 * minute < 7 * 24 * hour; elapsed += 110 * minute) {
      app.clock.advance(110 * minute);
      expect((await client.get("/me")).status).toBe(200);
    }
    app.clock.advance(110 * minute);
    const replay = new ApiClient(app.base);
    replay.setCookie("fintrack_session", cookie);
    expect((await replay.get("/me")).status).toBe(401);
  });

  it("refuses a cookie-authenticated POST without or with a wrong CSRF token (403 csrf_failed)", async () => {
    const client = await signIn(ownerUser);
    const missing = await client.post<ProblemDetails>("/probe/read", undefined, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.code).toBe("csrf_failed");
    const wrong = await client.post<ProblemDetails>("/probe/read", undefined, {
      csrf: false,
      headers: { "x-csrf-token": "A".repeat(43) },
    });
    expect(wrong.status).toBe(403);
    const other = await signIn(ownerUser);
    const foreign = await client.post("/probe/read", undefined, {
      csrf: false,
      headers: { "x-csrf-token": await other.csrfToken() },
    });
    expect(foreign.status).toBe(403);
    const token = await client.csrfToken();
    secrets.push(token);
    const right = await client.post<{ via: string }>("/probe/read", undefined, {
      csrf: false,
      headers: { "x-csrf-token": token },
    });
    expect(right.status).toBe(200);
    expect(right.body.via).toBe("session");
    // Safe methods need no token.
    expect((await client.get("/me")).status).toBe(200);
  });

  it("needs the CSRF token for logout too, so another site cannot sign the user out", async () => {
    const client = await signIn(ownerUser);
    expect((await client.post("/auth/logout", undefined, { csrf: false })).status).toBe(403);
    expect((await client.get("/me")).status).toBe(200);
  });

  it("answers GET /auth/csrf only to a signed-in session", async () => {
    expect((await new ApiClient(app.base).get("/auth/csrf")).status).toBe(401);
  });

  it("never writes a password, session cookie, CSRF token or invitation token to the log", () => {
    const logs = app.logs();
    expect(logs).toContain("signed in");
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets.filter((s) => s.length > 0)) expect(logs).not.toContain(secret);
  });
});

describe("open sign-up", () => {
  const app = useAuthApp({ signup: "open" });

  it("makes the first user owner and later ones members without an invitation", async () => {
    await registerOwner(new ApiClient(app.base));
    const res = await new ApiClient(app.base).post<{ role: string }>("/auth/register", {
      email: "neighbour@example.test",
      password: aPassword(),
      name: "Neighbour",
    });
    expect(res.status).toBe(201);
    expect(res.body.role).toBe("member");
  });

  it("refuses a second account with the same email in another case (409)", async () => {
    const email = "twice@example.test";
    await new ApiClient(app.base).post("/auth/register", {
      email,
      password: aPassword(),
      name: "A",
    });
    const again = await new ApiClient(app.base).post("/auth/register", {
      email: email.toUpperCase(),
      password: aPassword(),
      name: "B",
    });
    expect(again.status).toBe(409);
  });
});

describe("the new household's starter categories", () => {
  const app = useAuthApp({ signup: "open" });
  const register = (body: Record<string, unknown>) =>
    new ApiClient(app.base).post<ProblemDetails>("/auth/register", {
      password: aPassword(),
      name: "Someone",
      ...body,
    });
  const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const categoryNames = async (): Promise<string[]> =>
    (await app.pool.query<{ name: string }>("select name from categories")).rows
      .map((r) => r.name)
      .sort(byCodePoint);
  const treeNames = (locale: "de") =>
    starterCategories(locale)
      .flatMap((top) => [top.name, ...top.children.map((c) => c.name)])
      .sort(byCodePoint);

  it("refuses a language the tree is not written in: 422 problem+json naming body.locale", async () => {
    const res = await register({ email: "pt@example.test", locale: "pt-BR" });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(res.body)).toContain("body.locale");
    expect((await app.pool.query("select 1 from users")).rows).toHaveLength(0);
  });

  it("leaves neither owner nor categories behind when the sign-up fails midway", async () => {
    // A real failure inside the transaction: PostgreSQL refuses the tree's last category.
    await app.pool.query(`
      create function refuse_fees() returns trigger language plpgsql as $$
      begin
        if new.name = 'Gebühren und Steuern' then raise exception 'refused by the test'; end if;
        return new;
      end $$;
      create trigger refuse_fees before insert on categories
        for each row execute function refuse_fees();`);
    try {
      const res = await register({ email: "half@example.test", locale: "de" });
      expect(res.status).toBe(500);
    } finally {
      await app.pool.query("drop trigger refuse_fees on categories; drop function refuse_fees();");
    }
    expect((await app.pool.query("select 1 from users")).rows).toHaveLength(0);
    expect(await categoryNames()).toEqual([]);
  });

  it("gives the first owner's household the tree in the language asked for", async () => {
    const res = await register({ email: "greta@example.test", locale: "de" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: "owner" });
    const names = await categoryNames();
    expect(names).toEqual(treeNames("de"));
    expect(names).toEqual(expect.arrayContaining(["Lebensmittel", "Einkäufe", "Mobilität"]));
  });

  it("adds no second tree when a member signs up, whatever language they send", async () => {
    const before = await categoryNames();
    const res = await register({ email: "frank@example.test", locale: "fr" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ role: "member" });
    expect(await categoryNames()).toEqual(before);
  });
});

describe("served over HTTPS", () => {
  const app = useAuthApp({ baseUrl: "https://money.example.org" });

  it("names the cookie __Host-fintrack_session, marks it Secure and sets no Domain", async () => {
    const client = new ApiClient(app.base);
    const res = await client.post("/auth/register", {
      email: "tls@example.test",
      password: aPassword(),
      name: "TLS",
    });
    expect(res.status).toBe(201);
    const [cookie = ""] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-fintrack_session=[A-Za-z0-9_-]{22};/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    expect((await client.get("/me")).status).toBe(200);
  });
});

describe("throttling per IP", () => {
  const app = useAuthApp({
    policy: {
      login: { ip: { limit: 3, windowMs: 60_000, baseDelayMs: 5000, maxDelayMs: 60_000 } },
    },
  });

  it("limits one address across many accounts, and a success does not use up its budget", async () => {
    const owner = await registerOwner(new ApiClient(app.base));
    const login = (email: string, password = "wrong password guess") =>
      new ApiClient(app.base).post("/auth/login", { email, password });
    for (let i = 0; i < 5; i++) expect((await login(owner.email, owner.password)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(`user${i}@example.test`)).status).toBe(401);
    const blocked = await login("user9@example.test");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("5");
    app.clock.advance(60_000);
    expect((await login("user9@example.test")).status).toBe(401);
  });
});
