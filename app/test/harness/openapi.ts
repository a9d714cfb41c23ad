type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown): Json {
  return isJson(value) ? value : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isJson) : [];
}

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const parameterPlaces = ["path", "query", "header", "cookie"];

/** Resolves a local JSON pointer (`#/components/schemas/Account`) in `doc`, or undefined. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let here: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    here = isJson(here) ? here[key] : undefined;
  }
  return here;
}

function collectRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (isJson(value))
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string") into.push(child);
      else collectRefs(child, into);
    }
  return into;
}

function parameterProblems(where: string, operation: Json, templated: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of list(operation.parameters)) {
    const key = `${String(p.in)}:${String(p.name)}`;
    if (seen.has(key)) problems.push(`${where}: parameter ${key} twice`);
    seen.add(key);
    if (!parameterPlaces.includes(String(p.in))) problems.push(`${where}: parameter ${key} in`);
    if (!isJson(p.schema) && !isJson(p.content)) problems.push(`${where}: ${key} schema`);
    if (p.in === "path" && (p.required !== true || !templated.includes(String(p.name))))
      problems.push(`${where}: path parameter ${String(p.name)}`);
  }
  for (const name of templated)
    if (!seen.has(`path:${name}`)) problems.push(`${where}: {${name}} undeclared`);
  return problems;
}

function responseProblems(where: string, operation: Json): string[] {
  const problems: string[] = [];
  const responses = object(operation.responses);
  if (Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
  for (const [status, answer] of Object.entries(responses)) {
    if (status !== "default" && !/^[1-5](\d\d|XX)$/.test(status))
      problems.push(`${where}: status ${status}`);
    const { description, $ref } = object(answer);
    if (typeof description !== "string" && typeof $ref !== "string")
      problems.push(`${where}: ${status} without description`);
  }
  return problems;
}

interface Declared {
  operationIds: Set<string>;
  schemes: string[];
  tags: Set<unknown>;
}

function operationProblems(where: string, operation: Json, path: string, declared: Declared) {
  const problems: string[] = [];
  const id = operation.operationId;
  if (typeof id !== "string" || declared.operationIds.has(id))
    problems.push(`${where}: operationId`);
  declared.operationIds.add(String(id));
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => String(m[1]));
  problems.push(...parameterProblems(where, operation, templated));
  if (operation.requestBody !== undefined && !isJson(object(operation.requestBody).content))
    problems.push(`${where}: requestBody without content`);
  problems.push(...responseProblems(where, operation));
  for (const requirement of list(operation.security))
    for (const scheme of Object.keys(requirement))
      if (!declared.schemes.includes(scheme)) problems.push(`${where}: unknown scheme ${scheme}`);
  for (const tag of Array.isArray(operation.tags) ? operation.tags : [])
    if (!declared.tags.has(tag)) problems.push(`${where}: undeclared tag ${String(tag)}`);
  return problems;
}

/**
 * What makes `doc` an invalid OpenAPI 3.1 document, by the rules a generator can get wrong (no
 * validator package is installed, so the spec's MUSTs are written out as checks): operationIds
 * unique, every templated path parameter declared and required, statuses and descriptions
 * present, security schemes and tags declared, every local `$ref` resolving.
 */
export function openApiProblems(doc: Json): string[] {
  const problems: string[] = [];
  if (doc.openapi !== "3.1.0") problems.push("openapi is not 3.1.0");
  const { title, version } = object(doc.info);
  if (typeof title !== "string" || typeof version !== "string")
    problems.push("info needs title and version");
  const components = object(doc.components);
  const declared: Declared = {
    operationIds: new Set(),
    schemes: Object.keys(object(components.securitySchemes)),
    tags: new Set(list(doc.tags).map((tag) => tag.name)),
  };
  for (const name of Object.keys(object(components.schemas)))
    if (!/^[a-zA-Z0-9.\-_]+$/.test(name)) problems.push(`component name ${name}`);
  for (const [path, item] of Object.entries(object(doc.paths))) {
    if (!path.startsWith("/")) problems.push(`${path} does not start with /`);
    for (const [method, operation] of Object.entries(object(item))) {
      if (!httpMethods.includes(method)) problems.push(`${method} ${path}: not a method`);
      problems.push(...operationProblems(`${method} ${path}`, object(operation), path, declared));
    }
  }
  for (const ref of collectRefs(doc))
    if (resolvePointer(doc, ref) === undefined) problems.push(`$ref ${ref} does not resolve`);
  return problems;
}
