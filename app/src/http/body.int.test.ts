import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, registerOwner } from "../../test/harness/client.ts";
import { useRedisPrefix, useTestDatabase } from "../../test/harness/database.ts";
import { type RawAnswer, sendPartialBody } from "../../test/harness/raw-request.ts";
import { startTenant, type Tenant } from "../../test/harness/tenant.ts";
import { offlineRoutes } from "../api-document.ts";
import { AUTH_CHALLENGE } from "../errors.ts";

const tenMegabytes = 10 * 1024 * 1024;

/** A route's path with every parameter filled in with a well-formed id. */
function concretePath(path: string): string {
  return `/api/v1${path.replace(/:[A-Za-z]+/g, "00000000-0000-4000-8000-000000000001")}`;
}

function expectProblem(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect((JSON.parse(answer.body) as { code: string }).code).toBe(code);
}

// An anonymous client must not make the server read (let alone parse) a body: authentication,
// and the CSRF check of a cookie session, come first on every route, and a body the server
// will not read ends the connection instead of being drained.
describe("request bodies, read only once the request is authenticated", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let tenant: Tenant;
  let owner: ApiClient;

  beforeAll(async () => {
    tenant = await startTenant({ databaseUrl: db.url, redisUrl });
    owner = new ApiClient(tenant.base);
    await registerOwner(owner);
  });
  afterAll(async () => {
    await tenant.running.shutdown(1000);
  });

  it("answers 401 at once to an anonymous request on every route that needs a signed-in user, its 10 MB body unread", async () => {
    const routes = offlineRoutes().filter((route) => route.access !== "public");
    expect(routes.length).toBeGreaterThan(50);
    const answers = await Promise.all(
      routes.map(async (route) => {
        const answer = await sendPartialBody(tenant.base, {
          method: route.method.toUpperCase(),
          path: concretePath(route.path),
          headers: { "content-type": route.rawBody?.contentTypes[0] ?? "application/json" },
          declaredBytes: tenMegabytes,
        });
        return { route: `${route.method} ${route.path}`, answer };
      }),
    );
    const wrong = answers.filter(
      ({ answer }) =>
        answer.status !== 401 ||
        answer.headers.get("www-authenticate") !== AUTH_CHALLENGE ||
        !answer.closed,
    );
    expect(wrong.map(({ route, answer }) => `${route}: ${answer.status}`)).toEqual([]);
    for (const { answer } of answers) expectProblem(answer, 401, "unauthenticated");
  });

  it("refuses an unknown bearer token before reading the body", async () => {
    const answer = await sendPartialBody(tenant.base, {
      method: "POST",
      path: "/api/v1/accounts",
      headers: { "content-type": "application/json", authorization: "Bearer ft_unknown" },
      declaredBytes: tenMegabytes,
    });
    expectProblem(answer, 401, "unauthenticated");
    expect(answer.closed).toBe(true);
  });

  it("refuses a cookie session's unsafe request without its CSRF token before reading the body", async () => {
    const session = owner.sessionCookie ?? "";
    const answer = await sendPartialBody(tenant.base, {
      method: "POST",
      path: "/api/v1/accounts",
      headers: { "content-type": "application/json", cookie: `fintrack_session=${session}` },
      declaredBytes: tenMegabytes,
    });
    expectProblem(answer, 403, "csrf_failed");
    expect(answer.closed).toBe(true);
  });

  it("refuses at once an anonymous body declared over the small limit of the public routes", async () => {
    const answer = await sendPartialBody(tenant.base, {
      method: "POST",
      path: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      declaredBytes: 100 * 1024,
    });
    expectProblem(answer, 413, "payload_too_large");
    expect(answer.closed).toBe(true);
  });

  it("refuses a whole anonymous body over the small limit, and signs in with one within it", async () => {
    const anonymous = new ApiClient(tenant.base);
    const padded = await anonymous.post("/auth/login", {
      email: "someone@example.test",
      password: "x".repeat(1024),
      totp: "y".repeat(64),
      padding: "z".repeat(20 * 1024),
    });
    expect(padded.status).toBe(413);
    const ordinary = await anonymous.post("/auth/login", {
      email: "someone@example.test",
      password: "ü".repeat(1024),
      totp: "y".repeat(64),
    });
    expect(ordinary.status).toBe(401);
  });

  it("still reads a signed-in user's large JSON body", async () => {
    const res = await owner.post("/accounts", {
      name: "n".repeat(200 * 1024),
      type: "checking",
      currency: "EUR",
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("body.name");
  });

  it("keeps the connection of an answer to a request without a body", async () => {
    const answer = await sendPartialBody(tenant.base, {
      method: "GET",
      path: "/api/v1/accounts",
      declaredBytes: 0,
      waitMs: 500,
    });
    expectProblem(answer, 401, "unauthenticated");
    expect(answer.closed).toBe(false);
  });
});
