import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Access } from "../auth/principal.ts";
import { openApiDocument, openApiPath } from "./openapi.ts";
import { openApiProblems } from "../../test/harness/openapi.ts";
import { type Route, route } from "./route.ts";

const info = { title: "fintrack API", version: "1.2.3", serverUrl: "/api/v1" };
const handler = () => Promise.resolve({});

/** A route with overrides: only the fields a test cares about need saying. */
function aRoute(overrides: Partial<Route> = {}): Route {
  return route({
    method: "get",
    path: "/things",
    operationId: "listThings",
    summary: "List things",
    tag: "Things",
    access: "read",
    responses: { 200: { description: "The things." } },
    handler,
    ...overrides,
  });
}

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows `keys` down `value`, failing the test when a step is missing. */
function at(value: unknown, ...keys: (string | number)[]): Json {
  let here = value;
  for (const key of keys) {
    if (Array.isArray(here) && typeof key === "number") here = here[key];
    else if (isJson(here) && typeof key === "string") here = here[key];
    else throw new Error(`no ${String(key)} in ${JSON.stringify(here)}`);
  }
  if (!isJson(here)) throw new Error(`${keys.join(".")} is not an object: ${JSON.stringify(here)}`);
  return here;
}

function list(value: unknown): Json[] {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value.filter(isJson);
}

function operationOf(doc: Json, path: string, method: string): Json {
  return at(doc, "paths", path, method);
}

const Account = z
  .object({ id: z.string(), name: z.string(), balance: z.string() })
  .meta({ id: "TestAccount", description: "A bank account." });
const Split = z
  .object({ amount: z.string(), memo: z.string().default("") })
  .meta({ id: "TestSplit" });

/** Routes shaped like the app's: the sample the whole-document checks run on. */
function sampleRoutes(): Route[] {
  return [
    aRoute({
      method: "get",
      path: "/accounts",
      operationId: "listAccounts",
      tag: "Accounts",
      query: z.object({ archived: z.stringbool().optional() }),
      responses: { 200: { description: "All accounts.", schema: z.array(Account) } },
    }),
    aRoute({
      method: "get",
      path: "/accounts/:id",
      operationId: "getAccount",
      tag: "Accounts",
      params: z.object({ id: z.string().regex(/^\d+$/).describe("The account's id.") }),
      responses: {
        200: { description: "The account.", schema: Account },
        404: { description: "No such account." },
      },
    }),
    aRoute({
      method: "post",
      path: "/transactions",
      operationId: "createTransaction",
      tag: "Transactions",
      access: "write",
      status: 201,
      body: z.object({ amount: z.string(), splits: z.array(Split).optional() }),
      responses: {
        201: {
          description: "Created.",
          schema: z.object({ id: z.string(), splits: z.array(Split) }),
        },
        409: { description: "A duplicate." },
      },
    }),
    aRoute({
      method: "post",
      path: "/transactions/:id/attachments",
      operationId: "uploadAttachment",
      tag: "Transactions",
      access: "write",
      params: z.object({ id: z.string() }),
      rawBody: { contentTypes: ["application/pdf", "image/png"], limit: "10mb" },
      status: 201,
      responses: { 201: { description: "Stored." } },
    }),
    aRoute({
      method: "get",
      path: "/transactions/:id/attachments/:attachmentId",
      operationId: "downloadAttachment",
      tag: "Transactions",
      responses: {
        200: { description: "The file.", contentType: ["application/pdf", "image/png"] },
      },
    }),
    aRoute({
      method: "delete",
      path: "/tokens/:id",
      operationId: "revokeToken",
      tag: "Tokens",
      access: "write",
      status: 204,
      responses: { 204: { description: "Revoked." } },
    }),
    aRoute({
      method: "post",
      path: "/auth/login",
      operationId: "login",
      tag: "Auth",
      access: "public",
      body: z.object({ email: z.email(), password: z.string(), totp: z.string().optional() }),
      responses: { 204: { description: "Signed in." }, 429: { description: "Slow down." } },
      status: 204,
    }),
  ];
}

describe("openApiPath", () => {
  it("turns express parameters into OpenAPI templates, in order", () => {
    expect(openApiPath("/transactions/:id/attachments/:attachmentId")).toEqual({
      path: "/transactions/{id}/attachments/{attachmentId}",
      params: ["id", "attachmentId"],
    });
    expect(openApiPath("/accounts")).toEqual({ path: "/accounts", params: [] });
  });

  it("refuses optional and wildcard segments, which it cannot document", () => {
    expect(() => openApiPath("/files/*rest")).toThrow(/wildcard/);
    expect(() => openApiPath("/accounts{/:id}")).toThrow(/optional/);
  });
});

describe("openApiDocument", () => {
  const doc = openApiDocument(sampleRoutes(), info);

  it("is a valid OpenAPI 3.1 document by the spec's rules", () => {
    expect(openApiProblems(doc)).toEqual([]);
    expect(doc.servers).toEqual([{ url: "/api/v1" }]);
    expect(at(doc, "info")).toEqual({ title: "fintrack API", version: "1.2.3" });
  });

  it("has a checker that does catch broken documents", () => {
    const broken = structuredClone(doc);
    const op = operationOf(broken, "/accounts/{id}", "get");
    op.parameters = [];
    op.responses = { 200: { $ref: "#/components/responses/Nothing" } };
    operationOf(broken, "/accounts", "get").operationId = "getAccount";
    expect(openApiProblems(broken)).toEqual([
      "get /accounts/{id}: operationId",
      "get /accounts/{id}: {id} undeclared",
      "$ref #/components/responses/Nothing does not resolve",
    ]);
  });

  it("declares path parameters from the params schema, always required", () => {
    const [id] = list(operationOf(doc, "/accounts/{id}", "get").parameters);
    expect(id).toEqual({
      name: "id",
      in: "path",
      description: "The account's id.",
      required: true,
      schema: { type: "string", pattern: "^\\d+$" },
    });
  });

  it("declares a path parameter the params schema leaves out as a string", () => {
    const params = list(
      operationOf(doc, "/transactions/{id}/attachments/{attachmentId}", "get").parameters,
    );
    expect(params.map((p) => [p.name, p.in, p.required, p.schema])).toEqual([
      ["id", "path", true, { type: "string" }],
      ["attachmentId", "path", true, { type: "string" }],
    ]);
  });

  it("refuses a params field that is not in the path", () => {
    const wrong = aRoute({ path: "/accounts/:id", params: z.object({ accountId: z.string() }) });
    expect(() => openApiDocument([wrong], info)).toThrow(/params.accountId is not in the path/);
  });

  it("makes each query field a parameter, required unless optional or defaulted", () => {
    const query = z.object({
      from: z.iso.date(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      q: z.string().optional().describe("Search text."),
    });
    const params = list(
      operationOf(openApiDocument([aRoute({ query })], info), "/things", "get").parameters,
    );
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([
      ["from", "query", true],
      ["limit", "query", false],
      ["q", "query", false],
    ]);
    expect(params[1]?.schema).toEqual({ default: 50, type: "integer", minimum: 1, maximum: 200 });
    expect(params[2]?.description).toBe("Search text.");
  });

  it("documents a JSON body, required unless an empty object passes", () => {
    const create = at(operationOf(doc, "/transactions", "post"), "requestBody");
    expect(create.required).toBe(true);
    expect(at(create, "content", "application/json", "schema")).toMatchObject({
      type: "object",
      required: ["amount"],
    });
    const patch = aRoute({ method: "patch", body: z.object({ name: z.string().optional() }) });
    const patchDoc = openApiDocument([patch], info);
    expect(at(operationOf(patchDoc, "/things", "patch"), "requestBody").required).toBe(false);
  });

  it("documents a raw body by its media types, as binary", () => {
    const upload = at(operationOf(doc, "/transactions/{id}/attachments", "post"), "requestBody");
    expect(upload).toEqual({
      description: "The file itself, at most 10mb.",
      required: true,
      content: {
        "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
        "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
      },
    });
  });

  it("documents answers: JSON output schemas, empty 204s and binary downloads", () => {
    const created = at(operationOf(doc, "/transactions", "post"), "responses", "201");
    expect(at(created, "content", "application/json", "schema")).toMatchObject({
      type: "object",
      required: ["id", "splits"],
      additionalProperties: false,
    });
    expect(at(operationOf(doc, "/tokens/{id}", "delete"), "responses", "204")).toEqual({
      description: "Revoked.",
    });
    const download = operationOf(doc, "/transactions/{id}/attachments/{attachmentId}", "get");
    expect(at(download, "responses", "200", "content")).toEqual({
      "application/pdf": { schema: { type: "string", contentMediaType: "application/pdf" } },
      "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
    });
  });

  it("answers every listed 4xx with the shared Problem schema and a default error", () => {
    const responses = at(operationOf(doc, "/accounts/{id}", "get"), "responses");
    expect(responses["404"]).toEqual({
      description: "No such account.",
      content: {
        "application/problem+json": {
          schema: { $ref: "#/components/schemas/Problem" },
          example: {
            type: "about:blank",
            title: "Not found",
            status: 404,
            code: "not_found",
            detail: "this object does not exist",
          },
        },
      },
    });
    expect(at(responses, "422", "content", "application/problem+json", "example")).toMatchObject({
      code: "validation_failed",
      errors: [{ path: "body.amount" }],
    });
    expect(responses.default).toEqual({ $ref: "#/components/responses/Problem" });
    const fallback = at(doc, "components", "responses", "Problem");
    expect(at(fallback, "content", "application/problem+json", "example")).toEqual({
      type: "about:blank",
      title: "Internal server error",
      status: 500,
      code: "internal_error",
    });
    expect(at(doc, "components", "schemas", "Problem")).toMatchObject({
      type: "object",
      required: ["type", "title", "status", "code"],
      properties: { errors: { type: "array" } },
    });
  });

  it("adds the errors the app answers by itself, keeping the route's own words", () => {
    const statuses = (path: string, method: string) =>
      Object.keys(at(operationOf(doc, path, method), "responses"));
    expect(statuses("/transactions", "post")).toEqual([
      "201",
      "400",
      "401",
      "403",
      "409",
      "413",
      "415",
      "422",
      "default",
    ]);
    expect(statuses("/auth/login", "post")).toEqual([
      "204",
      "400",
      "413",
      "415",
      "422",
      "429",
      "default",
    ]);
    expect(statuses("/accounts", "get")).toEqual(["200", "401", "422", "default"]);
    const own = aRoute({ responses: { 200: { description: "ok" }, 401: { description: "Who?" } } });
    const ownDoc = openApiDocument([own], info);
    expect(at(operationOf(ownDoc, "/things", "get"), "responses", "401").description).toBe("Who?");
  });

  it("documents the optional Idempotency-Key header on the unsafe routes of signed-in users", () => {
    const header = (path: string, method: string) =>
      list(operationOf(doc, path, method).parameters ?? []).find((p) => p.in === "header");
    expect(header("/transactions", "post")).toMatchObject({
      name: "Idempotency-Key",
      required: false,
      schema: { type: "string" },
    });
    expect(String(header("/transactions", "post")?.description)).toMatch(/24 hours/);
    expect(header("/accounts", "get")).toBeUndefined();
    expect(header("/auth/login", "post")).toBeUndefined();
  });

  it("documents the WWW-Authenticate challenge of every 401", () => {
    const unauthorized = at(operationOf(doc, "/accounts", "get"), "responses", "401");
    expect(Object.keys(at(unauthorized, "headers"))).toEqual(["WWW-Authenticate"]);
  });

  it("documents Retry-After on every 429 and a route's own headers on its success", () => {
    const tooMany = at(operationOf(doc, "/auth/login", "post"), "responses", "429");
    expect(Object.keys(at(tooMany, "headers"))).toEqual(["Retry-After"]);
    const withCookie = aRoute({
      responses: { 200: { description: "ok", headers: { "Set-Cookie": "The session cookie" } } },
    });
    const ok = at(operationOf(openApiDocument([withCookie], info), "/things", "get"), "responses");
    expect(at(ok, "200", "headers", "Set-Cookie").description).toBe("The session cookie");
  });

  it.each<[Access, unknown[], string | undefined]>([
    ["public", [], undefined],
    ["read", [{ sessionCookie: [] }, { bearerToken: [] }], "any signed-in user"],
    ["write", [{ sessionCookie: [] }, { bearerToken: [] }], "the `write` scope"],
    ["owner", [{ sessionCookie: [] }, { bearerToken: [] }], "the household's owner only"],
  ])("secures a %s route by cookie or token and says who may call it", (access, security, note) => {
    const op = operationOf(openApiDocument([aRoute({ access })], info), "/things", "get");
    expect(op.security).toEqual(security);
    if (note === undefined) expect(op.description).toBeUndefined();
    else expect(op.description).toContain(note);
  });

  it("declares the cookie session (with its CSRF header) and bearer token schemes", () => {
    const schemes = at(doc, "components", "securitySchemes");
    expect(schemes.sessionCookie).toMatchObject({
      type: "apiKey",
      in: "cookie",
      name: "fintrack_session",
    });
    expect(at(schemes, "sessionCookie").description).toContain("X-CSRF-Token");
    expect(schemes.bearerToken).toMatchObject({ type: "http", scheme: "bearer" });
    const renamed = openApiDocument([aRoute()], { ...info, sessionCookie: "sid" });
    expect(at(renamed, "components", "securitySchemes", "sessionCookie").name).toBe("sid");
  });

  it("puts schemas with a meta id under components and refers to them", () => {
    const answer = at(operationOf(doc, "/accounts/{id}", "get"), "responses", "200");
    expect(at(answer, "content", "application/json", "schema")).toEqual({
      $ref: "#/components/schemas/TestAccount",
    });
    const listAnswer = at(operationOf(doc, "/accounts", "get"), "responses", "200");
    expect(at(listAnswer, "content", "application/json", "schema")).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/TestAccount" },
    });
    expect(at(doc, "components", "schemas", "TestAccount")).toMatchObject({
      description: "A bank account.",
      required: ["id", "name", "balance"],
    });
  });

  it("names the input variant of an id apart when it differs from the output", () => {
    const schemas = at(doc, "components", "schemas");
    expect(Object.keys(schemas)).toEqual(["Problem", "TestAccount", "TestSplit", "TestSplitInput"]);
    expect(at(schemas, "TestSplit").required).toEqual(["amount", "memo"]);
    expect(at(schemas, "TestSplitInput").required).toEqual(["amount"]);
    const body = at(operationOf(doc, "/transactions", "post"), "requestBody");
    expect(at(body, "content", "application/json", "schema", "properties", "splits")).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/TestSplitInput" },
    });
  });

  it("shares one component when input and output are the same", () => {
    const Currency = z.enum(["EUR", "JPY"]).meta({ id: "TestCurrency" });
    const both = aRoute({
      method: "post",
      body: z.object({ currency: Currency }),
      responses: { 200: { description: "ok", schema: z.object({ currency: Currency }) } },
    });
    const schemas = at(openApiDocument([both], info), "components", "schemas");
    expect(Object.keys(schemas)).toEqual(["Problem", "TestCurrency"]);
  });

  it("documents a recursive schema with an id as a component referring to itself", () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const NodeSchema: z.ZodType<Node> = z
      .object({
        name: z.string(),
        get children() {
          return z.array(NodeSchema);
        },
      })
      .meta({ id: "TestCategoryNode" });
    const tree = aRoute({ responses: { 200: { description: "ok", schema: z.array(NodeSchema) } } });
    const treeDoc = openApiDocument([tree], info);
    expect(at(treeDoc, "components", "schemas", "TestCategoryNode", "properties")).toEqual({
      name: { type: "string" },
      children: { type: "array", items: { $ref: "#/components/schemas/TestCategoryNode" } },
    });
    expect(openApiProblems(treeDoc)).toEqual([]);
  });

  it("refuses a recursive schema without an id, whose refs would point nowhere", () => {
    interface Node {
      children: Node[];
    }
    const Anon: z.ZodType<Node> = z.object({
      get children() {
        return z.array(Anon);
      },
    });
    const tree = aRoute({ responses: { 200: { description: "ok", schema: Anon } } });
    expect(() => openApiDocument([tree], info)).toThrow(/listThings: a recursive schema needs/);
    const nested = aRoute({ responses: { 200: { description: "ok", schema: z.array(Anon) } } });
    expect(() => openApiDocument([nested], info)).toThrow(/recursive schema needs/);
  });

  it("refuses two different schemas with the same id", () => {
    const first = aRoute({
      responses: {
        200: { description: "ok", schema: z.object({ a: z.string() }).meta({ id: "Dup" }) },
      },
    });
    const second = aRoute({
      operationId: "other",
      path: "/other",
      responses: {
        200: { description: "ok", schema: z.object({ b: z.string() }).meta({ id: "Dup" }) },
      },
    });
    expect(() => openApiDocument([first, second], info)).toThrow(/share the id "Dup"/);
  });

  it("refuses duplicate operationIds and a method and path declared twice", () => {
    expect(() => openApiDocument([aRoute(), aRoute({ path: "/other" })], info)).toThrow(
      /duplicate operationId listThings/,
    );
    expect(() => openApiDocument([aRoute(), aRoute({ operationId: "again" })], info)).toThrow(
      /get \/things is declared twice/,
    );
  });

  it("is deterministic: the same whatever the order routes are declared in", () => {
    const again = openApiDocument(sampleRoutes(), info);
    const reversed = openApiDocument([...sampleRoutes()].reverse(), info);
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(doc));
    expect(Object.keys(at(doc, "paths"))).toEqual([
      "/accounts",
      "/accounts/{id}",
      "/auth/login",
      "/tokens/{id}",
      "/transactions",
      "/transactions/{id}/attachments",
      "/transactions/{id}/attachments/{attachmentId}",
    ]);
    expect(list(doc.tags).map((t) => t.name)).toEqual([
      "Accounts",
      "Auth",
      "Tokens",
      "Transactions",
    ]);
  });
});
