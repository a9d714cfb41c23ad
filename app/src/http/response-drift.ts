import type { z } from "zod";
import { AppError } from "../errors.ts";

/** A JSON value as parsed, to walk answers and their parsed form side by side. */
type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The path of a place in an answer, as people read it: `items.0.amount`, `(body)` at the top. */
function showPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(body)" : path.map(String).join(".");
}

/**
 * The keys zod dropped (the answer has a field the schema does not declare) or added (a default
 * filled a field the answer lacks). zod objects strip unknown keys on parse, but the document
 * describes them as closed on output, so a parse that succeeds can still hide a drift.
 */
function keyDrift(sent: unknown, parsed: unknown, path: readonly PropertyKey[]): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed))
    return sent.flatMap((item, i) => keyDrift(item, parsed[i], [...path, i]));
  if (!isObject(sent) || !isObject(parsed)) return [];
  const problems: string[] = [];
  for (const key of Object.keys(sent)) {
    if (!(key in parsed)) problems.push(`${showPath([...path, key])}: not in the schema`);
    else problems.push(...keyDrift(sent[key], parsed[key], [...path, key]));
  }
  for (const key of Object.keys(parsed))
    if (!(key in sent) && parsed[key] !== undefined)
      problems.push(`${showPath([...path, key])}: missing from the answer`);
  return problems;
}

/**
 * Where a JSON answer departs from the schema its route declares for the status: every zod
 * issue, then every undeclared or missing field. `sent` is the body as it goes on the wire
 * (after JSON serialisation); `schema` undefined means the route documents no body. Empty when
 * the answer is what the OpenAPI document promises.
 */
export async function responseDrift(
  schema: z.ZodType | undefined,
  sent: unknown,
): Promise<string[]> {
  if (schema === undefined)
    return sent === undefined ? [] : ["(body): the route documents no body for this status"];
  if (sent === undefined) return ["(body): the route documents a body but the answer is empty"];
  const result = await schema.safeParseAsync(sent);
  if (!result.success)
    return result.error.issues.map((issue) => `${showPath(issue.path)}: ${issue.message}`);
  return keyDrift(sent, result.data, []);
}

/**
 * An answer that does not match its declared schema: a bug of the route or of its schema. Only
 * raised when responses are validated (tests), and shown in full, as the test must say why.
 */
export class ResponseDriftError extends AppError {
  override readonly expose = true;

  constructor(where: string, status: number, problems: readonly string[]) {
    super(
      500,
      "response_schema_drift",
      `${where} answered ${String(status)} off its declared schema:\n  ${problems.join("\n  ")}`,
    );
  }
}
