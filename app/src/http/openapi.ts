import { z } from "zod";
import type { Access } from "../auth/principal.ts";
import {
  type AppError,
  AUTH_CHALLENGE,
  errors,
  type ProblemDetails,
  toProblem,
} from "../errors.ts";
import {
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_KEY_TTL_HOURS,
} from "./idempotency-key.ts";
import type { Method, ResponseSpec, Route } from "./route.ts";

/** What the document says about the API as a whole. */
export interface OpenApiInfo {
  title: string;
  version: string;
  /** Where the paths are rooted: `/api/v1`, or an absolute URL. */
  serverUrl: string;
  description?: string;
  /** The session cookie's name over HTTP (`fintrack_session`); HTTPS adds the `__Host-` prefix. */
  sessionCookie?: string;
}

/** A JSON object of the document under construction. */
type Json = Record<string, unknown>;
type Io = "input" | "output";

// Documents what errors.ts answers; `satisfies` keeps the two from drifting apart.
const ProblemSchema = z
  .object({
    type: z.string().describe("A URI naming the kind of problem; `about:blank` for most."),
    title: z.string().describe("The HTTP status in words."),
    status: z.int().min(400).max(599).describe("The HTTP status code."),
    code: z.string().describe("A stable, machine-readable code: `validation_failed`, ..."),
    detail: z.string().optional().describe("What went wrong, for people."),
    instance: z.string().optional().describe("The path of the request that failed."),
    errors: z
      .array(
        z.object({
          path: z.string().describe("The failing field: `body.amount`, `query.limit`, ..."),
          message: z.string(),
        }),
      )
      .optional()
      .describe("For validation failures: every field that is invalid."),
  })
  .meta({
    id: "Problem",
    description: "An error, as an RFC 9457 problem document.",
  }) satisfies z.ZodType<ProblemDetails>;

const methodOrder: readonly Method[] = ["get", "put", "post", "patch", "delete"];
const problemRef = { $ref: "#/components/schemas/Problem" };
const componentName = /^[A-Za-z0-9._-]+$/;

const accessNotes: Record<Exclude<Access, "public">, string> = {
  read: "**Access:** any signed-in user; tokens of either scope.",
  write: "**Access:** members and the owner; a token needs the `write` scope.",
  owner: "**Access:** the household's owner only; a token needs the `write` scope.",
};

/** Express path syntax to OpenAPI's: `/accounts/:id` becomes `/accounts/{id}`. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  if (/[{}*?()]/.test(expressPath))
    throw new Error(`${expressPath}: optional and wildcard segments cannot be documented`);
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_$][\w$]*)/g, (_match, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so equal schemas compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isJson(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** Calls `visit` on every `$ref` string inside `value`; a returned string replaces it in place. */
function eachRef(value: unknown, visit: (ref: string) => string | undefined): void {
  if (Array.isArray(value)) {
    for (const item of value) eachRef(item, visit);
  } else if (isJson(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") {
        const replaced = visit(child);
        if (replaced !== undefined) value[key] = replaced;
      } else eachRef(child, visit);
    }
  }
}

function defName(ref: string): string | undefined {
  if (!ref.startsWith("#/$defs/")) return undefined;
  return ref.slice("#/$defs/".length).replaceAll("~1", "/").replaceAll("~0", "~");
}

/**
 * Converts zod schemas to JSON Schema for one document. zod puts every schema with a
 * `.meta({ id })` under `$defs`; they all move to components.schemas, where the input and the
 * output variant of an id share a name when they are identical and the input one is renamed
 * `<id>Input` when they differ (zod objects strip unknown keys on input but are closed on output).
 */
function schemaBook(where: () => string) {
  const defs: Record<Io, Map<string, Json>> = { input: new Map(), output: new Map() };
  const emitted: { io: Io; json: Json }[] = [];

  function collect(io: Io, id: string, json: Json): void {
    if (!componentName.test(id)) throw new Error(`${where()}: schema id "${id}" is not a name`);
    if (id.startsWith("__schema"))
      throw new Error(`${where()}: a recursive schema needs a .meta({ id }) to be documented`);
    const known = defs[io].get(id);
    if (known !== undefined && canonical(known) !== canonical(json))
      throw new Error(`${where()}: two different schemas share the id "${id}"`);
    defs[io].set(id, json);
  }

  /** The JSON Schema of `schema`; its `$ref`s are final only after `components()`. */
  function convert(schema: z.ZodType, io: Io): Json {
    const result: Json = {
      ...z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }),
    };
    const found = result.$defs;
    delete result.$schema;
    delete result.$defs;
    if (isJson(found))
      for (const [id, json] of Object.entries(found)) if (isJson(json)) collect(io, id, json);
    eachRef(result, (ref) => {
      if (ref === "#")
        throw new Error(`${where()}: a recursive schema needs a .meta({ id }) to be documented`);
      return undefined;
    });
    emitted.push({ io, json: result });
    return result;
  }

  /** Registers a schema cut out of a converted one, so its `$ref`s get rewritten too. */
  function adopt(io: Io, json: Json): Json {
    emitted.push({ io, json });
    return json;
  }

  /** The definition behind a root `$ref`, for parameters declared by an object with an id. */
  function resolve(io: Io, json: Json): Json {
    const id = typeof json.$ref === "string" ? defName(json.$ref) : undefined;
    return (id === undefined ? undefined : defs[io].get(id)) ?? json;
  }

  /** Rewrites every `$ref` to components.schemas and returns them, sorted by name. */
  function components(): Json {
    const both = [...defs.input.keys()].filter((id) => defs.output.has(id));
    const differ = new Set(
      both.filter((id) => canonical(defs.input.get(id)) !== canonical(defs.output.get(id))),
    );
    // An input variant that refers to a renamed input variant is itself different.
    for (let grew = true; grew;) {
      grew = false;
      for (const id of both) {
        if (differ.has(id)) continue;
        eachRef(defs.input.get(id), (ref) => {
          const target = defName(ref);
          if (target !== undefined && differ.has(target) && !differ.has(id)) {
            differ.add(id);
            grew = true;
          }
          return undefined;
        });
      }
    }
    const nameOf = (io: Io, id: string) => (io === "input" && differ.has(id) ? `${id}Input` : id);
    const rewrite = (io: Io, json: Json) => {
      eachRef(json, (ref) => {
        const id = defName(ref);
        return id === undefined ? undefined : `#/components/schemas/${nameOf(io, id)}`;
      });
    };
    for (const { io, json } of emitted) rewrite(io, json);
    const out = new Map<string, Json>();
    for (const io of ["output", "input"] as const) {
      for (const [id, json] of defs[io]) {
        const name = nameOf(io, id);
        if (io === "input" && !differ.has(id) && defs.output.has(id)) continue;
        if (out.has(name)) throw new Error(`two schemas would both be named "${name}"`);
        rewrite(io, json);
        out.set(name, json);
      }
    }
    return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  return { convert, adopt, resolve, components };
}

type Book = ReturnType<typeof schemaBook>;

type Properties = Map<string, { schema: Json; required: boolean }>;

/** The properties of an object schema, each with whether it is required. */
function objectProperties(book: Book, schema: z.ZodType | undefined, what: string): Properties {
  if (schema === undefined) return new Map();
  const json = book.resolve("input", book.convert(schema, "input"));
  const properties = json.properties;
  if (json.type !== "object" || !isJson(properties))
    throw new Error(`${what} must be a zod object schema`);
  const required = new Set(Array.isArray(json.required) ? json.required : []);
  return new Map(
    Object.entries(properties).map(([name, property]) => [
      name,
      { schema: isJson(property) ? property : {}, required: required.has(name) },
    ]),
  );
}

/** One parameter; a property's description moves up to the parameter, where tools show it. */
function parameter(
  book: Book,
  name: string,
  where: "path" | "query",
  schema: Json,
  required: boolean,
) {
  const { description, ...rest } = schema;
  return {
    name,
    in: where,
    ...(typeof description === "string" ? { description } : {}),
    required,
    schema: book.adopt("input", rest),
  };
}

/** Whether mountRoutes honours an Idempotency-Key on the route: unsafe and signed in. */
function takesIdempotencyKey(spec: Route): boolean {
  return spec.method !== "get" && spec.access !== "public";
}

// draft-ietf-httpapi-idempotency-key-header asks servers to publish the key's format and expiry.
const idempotencyKeyParameter = {
  name: "Idempotency-Key",
  in: "header",
  description:
    "Makes a retry of this request safe (draft-ietf-httpapi-idempotency-key-header): an " +
    `RFC 8941 sf-string of 1 to ${String(IDEMPOTENCY_KEY_MAX_LENGTH)} printable ASCII ` +
    'characters, like `"8e03978e-40d5-43e8-bc93-6894a57f9324"` (a random UUID is best). The ' +
    "key is stored with the write, in the same database transaction, for " +
    `${String(IDEMPOTENCY_KEY_TTL_HOURS)} hours and per user. A retry with the same key, ` +
    "method, path and body is not applied again: it gets the first answer replayed " +
    "(marked `Idempotent-Replayed: true`), or 409 while the first is still being processed or " +
    "when its answer was lost after it was applied. The same key with another request gets " +
    "422. Errors are not recorded: a failed request may be retried with its key. Optional.",
  required: false,
  schema: { type: "string", pattern: IDEMPOTENCY_KEY_PATTERN },
};

// RFC 9110 section 13.1.1; the service compares it under the row lock of the edit.
const ifMatchParameter = {
  name: "If-Match",
  in: "header",
  description:
    'The ETag the resource had when it was read (also its `version`, quoted: `"7"`). The ' +
    "change is made only if it still has that version; otherwise 412 names the current ETag, " +
    "and nothing changes. Without the header the change is made whatever the version.",
  required: false,
  schema: { type: "string" },
};

/** Whether the route takes If-Match: an edit or delete of a versioned resource. */
function takesIfMatch(spec: Route): boolean {
  return (
    spec.versioned === true &&
    (spec.method === "patch" || spec.method === "put" || spec.method === "delete")
  );
}

function parameters(book: Book, spec: Route, pathParams: readonly string[]): Json[] {
  const declared = objectProperties(book, spec.params, `${spec.operationId} params`);
  for (const name of declared.keys())
    if (!pathParams.includes(name))
      throw new Error(`${spec.operationId}: params.${name} is not in the path ${spec.path}`);
  const inPath = pathParams.map((name) =>
    parameter(book, name, "path", declared.get(name)?.schema ?? { type: "string" }, true),
  );
  const query = objectProperties(book, spec.query, `${spec.operationId} query`);
  const inQuery = [...query].map(([name, p]) =>
    parameter(book, name, "query", p.schema, p.required),
  );
  return [
    ...inPath,
    ...inQuery,
    ...(takesIfMatch(spec) ? [ifMatchParameter] : []),
    ...(takesIdempotencyKey(spec) ? [idempotencyKeyParameter] : []),
  ];
}

function requestBody(book: Book, spec: Route): Json | undefined {
  if (spec.rawBody) {
    const content = Object.fromEntries(
      spec.rawBody.contentTypes.map((type) => [
        type,
        { schema: { type: "string", contentMediaType: type } },
      ]),
    );
    return {
      description: `The file itself, at most ${spec.rawBody.limit}.`,
      required: true,
      content,
    };
  }
  if (!spec.body) return undefined;
  return {
    required: bodyRequired(spec.body),
    content: { "application/json": { schema: book.convert(spec.body, "input") } },
  };
}

/** mountRoutes validates a missing body as `{}`: the body is optional exactly when that passes. */
function bodyRequired(body: z.ZodType): boolean {
  try {
    return !body.safeParse({}).success;
  } catch {
    // An async refinement cannot run synchronously; such a body has something to check.
    return true;
  }
}

/** The errors mountRoutes and the app answer on their own, whether or not the route lists them. */
function impliedProblems(spec: Route): Record<number, string> {
  const implied: Record<number, string> = {};
  if (spec.body) implied[400] = "The body is not valid JSON.";
  if (spec.access !== "public") implied[401] = "Not signed in, or the session or token expired.";
  if (
    spec.access === "write" ||
    spec.access === "owner" ||
    (spec.access === "read" && spec.method !== "get")
  )
    implied[403] = "Not allowed: a viewer, a read-scoped token, or a missing CSRF token.";
  if (spec.body || spec.rawBody) {
    implied[413] = "The body is too large.";
    implied[415] = "The body's charset or Content-Encoding is not supported.";
  }
  if (spec.body || spec.query || spec.params)
    implied[422] = "Some fields are invalid: `errors` lists each one.";
  if (takesIdempotencyKey(spec)) {
    implied[400] = [implied[400], "The Idempotency-Key header is malformed."].join(" ").trim();
    implied[409] =
      "A request with this Idempotency-Key is being processed, or was applied and its answer lost.";
    implied[422] = [implied[422], "The Idempotency-Key was used with another request."]
      .join(" ")
      .trim();
  }
  return implied;
}

/** A catalogue error per status, so each example is exactly what the app answers. */
const sampleErrors: Record<number, () => AppError> = {
  400: () => errors.badRequest("the body is not valid JSON"),
  401: () => errors.unauthenticated(),
  403: () => errors.forbidden(),
  404: () => errors.notFound("this object"),
  409: () => errors.conflict("it conflicts with the current state"),
  412: () => errors.preconditionFailed('"7"'),
  413: () => errors.payloadTooLarge("the size limit"),
  415: () => errors.unsupportedMediaType("the body's charset is not supported: send UTF-8"),
  422: () => errors.validation([{ path: "body.amount", message: "Invalid amount" }]),
  429: () => errors.tooManyRequests(30),
  503: () => errors.unavailable("PostgreSQL is not reachable"),
};

function problemContent(status: number | "default"): Json {
  const sample = status === "default" ? new Error("unexpected") : sampleErrors[status]?.();
  const example = sample === undefined ? undefined : toProblem(sample).problem;
  return { "application/problem+json": { schema: problemRef, ...(example ? { example } : {}) } };
}

// RFC 9110 requires the challenge on every 401; documented so clients and checkers expect it.
const challengeHeader = {
  "WWW-Authenticate": {
    description: `The authentication challenge: \`${AUTH_CHALLENGE}\`.`,
    schema: { type: "string" },
  },
};

// 429 (RFC 6585 section 4) and 503 (RFC 9110 section 10.2.3) always say when to come back.
const retryAfterHeader = {
  "Retry-After": {
    description: "The seconds to wait before trying again.",
    schema: { type: "integer", minimum: 1 },
  },
};

function problemHeaders(status: number): Json {
  if (status === 401) return { headers: challengeHeader };
  if (status === 429 || status === 503) return { headers: retryAfterHeader };
  if (status === 412) {
    return { headers: { ETag: { description: "The current ETag.", schema: { type: "string" } } } };
  }
  return {};
}

const etagDescription =
  'The resource\'s version as a strong entity tag (`"7"`): send it as If-Match to edit it.';

function successHeaders(answer: ResponseSpec, etag: boolean): Json {
  const declared = { ...answer.headers, ...(etag ? { ETag: etagDescription } : {}) };
  if (Object.keys(declared).length === 0) return {};
  const headers: Json = {};
  for (const [name, description] of Object.entries(declared))
    headers[name] = { description, schema: { type: "string" } };
  return { headers };
}

function response(book: Book, status: number, answer: ResponseSpec, etag: boolean): Json {
  if (status >= 400)
    return {
      description: answer.description,
      ...problemHeaders(status),
      content: problemContent(status),
    };
  const base = { description: answer.description, ...successHeaders(answer, etag) };
  const types = [answer.contentType ?? []].flat();
  if (answer.schema) {
    const schema = book.convert(answer.schema, "output");
    const listed = types.length > 0 ? types : ["application/json"];
    return { ...base, content: Object.fromEntries(listed.map((type) => [type, { schema }])) };
  }
  if (types.length > 0)
    return {
      ...base,
      content: Object.fromEntries(
        types.map((type) => [type, { schema: { type: "string", contentMediaType: type } }]),
      ),
    };
  return base;
}

function responses(book: Book, spec: Route): Json {
  const listed: Record<number, ResponseSpec> = {};
  for (const [status, description] of Object.entries(impliedProblems(spec)))
    listed[Number(status)] = { description };
  Object.assign(listed, spec.responses);
  const success = spec.status ?? 200;
  listed[success] ??= { description: success === 204 ? "Done; no content." : "Success." };
  const statuses = Object.keys(listed)
    .map(Number)
    .sort((a, b) => a - b);
  const out: Json = {};
  for (const status of statuses) {
    const answer = listed[status];
    const etag = spec.versioned === true && status === success && status !== 204;
    if (answer) out[String(status)] = response(book, status, answer, etag);
  }
  out.default = { $ref: "#/components/responses/Problem" };
  return out;
}

function operation(book: Book, spec: Route, pathParams: readonly string[]): Json {
  const description = [
    spec.description,
    spec.access === "public" ? undefined : accessNotes[spec.access],
  ]
    .filter((part) => part !== undefined)
    .join("\n\n");
  const params = parameters(book, spec, pathParams);
  const body = requestBody(book, spec);
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(description ? { description } : {}),
    operationId: spec.operationId,
    security: spec.access === "public" ? [] : [{ sessionCookie: [] }, { bearerToken: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(book, spec),
  };
}

const securitySchemes = (cookie: string) => ({
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: cookie,
    description:
      `The session cookie that signing in sets (\`__Host-${cookie}\` over HTTPS). ` +
      "Unsafe requests (POST, PUT, PATCH, DELETE) made with it must also send the token from " +
      "`GET /api/v1/auth/csrf` in the `X-CSRF-Token` header.",
  },
  bearerToken: {
    type: "http",
    scheme: "bearer",
    description:
      "A personal access token (`Authorization: Bearer <token>`), made with `POST /api/v1/tokens` " +
      "and scoped `read` or `write`. Requests with a token need no CSRF token.",
  },
});

/**
 * The OpenAPI 3.1 document of `routes`, built from the same declarations that mount them. The
 * output is deterministic (paths, methods, statuses, tags and components in a fixed order) so it
 * can be compared and diffed; a route that cannot be documented faithfully throws.
 */
export function openApiDocument(routes: readonly Route[], info: OpenApiInfo): Json {
  let current = "";
  const book = schemaBook(() => current);
  const operations = new Map<string, Map<Method, Json>>();
  const operationIds = new Set<string>();
  for (const spec of routes) {
    current = spec.operationId;
    if (operationIds.has(spec.operationId))
      throw new Error(`duplicate operationId ${spec.operationId}`);
    operationIds.add(spec.operationId);
    const { path, params } = openApiPath(spec.path);
    const methods = operations.get(path) ?? new Map<Method, Json>();
    if (methods.has(spec.method)) throw new Error(`${spec.method} ${spec.path} is declared twice`);
    methods.set(spec.method, operation(book, spec, params));
    operations.set(path, methods);
  }
  current = "Problem";
  book.convert(ProblemSchema, "output");
  const paths: Json = {};
  for (const path of [...operations.keys()].sort()) {
    const methods = operations.get(path) ?? new Map<Method, Json>();
    paths[path] = Object.fromEntries(
      methodOrder.filter((m) => methods.has(m)).map((m) => [m, methods.get(m)]),
    );
  }
  const tags = [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    servers: [{ url: info.serverUrl }],
    tags,
    paths,
    components: {
      schemas: book.components(),
      responses: {
        Problem: {
          description: "An error, as an RFC 9457 problem document.",
          content: problemContent("default"),
        },
      },
      securitySchemes: securitySchemes(info.sessionCookie ?? "fintrack_session"),
    },
  };
}
