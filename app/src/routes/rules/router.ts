import type pg from "pg";
import { route, type Route } from "../../http/route.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  MAX_PROGRAM_SIZE,
  MAX_REGEX_LENGTH,
  REGEX_SUBJECT_LIMIT,
} from "../../domain/rule-regex.ts";
import {
  ApplyResultSchema,
  ApplyRulesSchema,
  CreateRuleSchema,
  MAX_PREVIEW_CHANGES,
  PREVIEW_WINDOW,
  PreviewResultSchema,
  PreviewRuleSchema,
  RuleListSchema,
  RuleSchema,
  UpdateRuleSchema,
} from "./schema.ts";
import {
  applyRulesOnDemand,
  createRule,
  deleteRule,
  getRule,
  listRules,
  previewDraftRule,
  updateRule,
} from "./service.ts";

const tag = "rules";
const notFound = { 404: problemResponse("No such rule") };
const invalid = {
  422: problemResponse("Invalid fields, an invalid regex, an unknown account or category"),
};

/** The rule routes: CRUD, and running rules on existing transactions with a dry-run preview. */
export function ruleRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/rules",
      operationId: "listRules",
      summary: "List rules in the order they run",
      tag,
      access: "read",
      responses: { 200: { description: "The rules", schema: RuleListSchema } },
      handler: async () => ({ data: await listRules(db) }),
    }),
    route({
      method: "post",
      path: "/rules",
      operationId: "createRule",
      summary: "Create a rule",
      description:
        "Rules run on new and imported transactions in ascending `position` (then in the " +
        "order they were created). Without `position` the new rule runs last, after every " +
        "existing rule. `match` says " +
        "whether all or any conditions must hold; a matching rule with `stopProcessing` ends " +
        "the run (first match), otherwise later rules run too (all matches). Regexes " +
        "(`op: matches`) use RE2 syntax (https://github.com/google/re2/wiki/Syntax), ignore " +
        `case and see the first ${String(REGEX_SUBJECT_LIMIT)} characters of the field; they ` +
        "match in time linear in the text. RE2 has no backreferences, lookarounds, atomic " +
        "groups or possessive quantifiers; `\\s`, `\\d`, `\\w` and `\\b` are ASCII only " +
        "(`\\pZ`, `\\pN`, `\\pL` are the Unicode classes) and `\\x{41}` replaces `\\u0041`. " +
        `A regex longer than ${String(MAX_REGEX_LENGTH)} characters or compiling to more ` +
        `than ${String(MAX_PROGRAM_SIZE)} instructions is refused. Each transaction's rule ` +
        "run has a budget of matching work; a run that spends it stops early and is listed " +
        "in `timedOut` of applyRules.",
      tag,
      access: "write",
      body: CreateRuleSchema,
      status: 201,
      responses: { 201: { description: "The new rule", schema: RuleSchema }, ...invalid },
      handler: ({ body, principal }) => createRule(db, body, principal.userId),
    }),
    route({
      method: "post",
      path: "/rules/apply",
      operationId: "applyRules",
      summary: "Run rules on existing transactions, or preview what they would change",
      description:
        "`filter.q` is the transaction list's search language. `dryRun` (the default) " +
        "changes nothing and answers what would change. Reconciled transactions are skipped.",
      tag,
      access: "write",
      body: ApplyRulesSchema,
      responses: {
        200: { description: "What changed or would change", schema: ApplyResultSchema },
        422: problemResponse("Invalid fields, a malformed query or unknown rule ids"),
      },
      handler: ({ body, principal }) => applyRulesOnDemand(db, body, principal.userId),
    }),
    route({
      method: "post",
      path: "/rules/preview",
      operationId: "previewRule",
      summary: "Preview what an unsaved rule would change",
      description:
        "Runs `rule` (the body of createRule; `name` may be empty and the rule runs as if " +
        `enabled) alone on the newest ${String(PREVIEW_WINDOW)} transactions \`filter\` ` +
        "chooses, skipping reconciled ones, and stores and changes nothing. Answers how many " +
        `it would change and the first \`limit\` (at most ${String(MAX_PREVIEW_CHANGES)}), ` +
        "newest first, with each field before and after. Regexes get the checks of createRule; " +
        "a preview that runs out of time answers with what it examined (`outOfTime`).",
      tag,
      access: "write",
      body: PreviewRuleSchema,
      responses: {
        200: { description: "What the rule would change", schema: PreviewResultSchema },
        422: problemResponse(
          "Invalid fields, an invalid regex, an unknown account or category, a malformed query",
        ),
      },
      handler: ({ body }) => previewDraftRule(db, body),
    }),
    route({
      method: "get",
      path: "/rules/:id",
      operationId: "getRule",
      summary: "Read a rule",
      tag,
      access: "read",
      params: IdParamsSchema,
      responses: { 200: { description: "The rule", schema: RuleSchema }, ...notFound },
      handler: ({ params }) => getRule(db, pathId(params.id, "the rule")),
    }),
    route({
      method: "patch",
      path: "/rules/:id",
      operationId: "updateRule",
      summary: "Change a rule",
      tag,
      access: "write",
      params: IdParamsSchema,
      body: UpdateRuleSchema,
      responses: {
        200: { description: "The changed rule", schema: RuleSchema },
        ...notFound,
        ...invalid,
      },
      handler: ({ params, body, principal }) =>
        updateRule(db, pathId(params.id, "the rule"), body, principal.userId),
    }),
    route({
      method: "delete",
      path: "/rules/:id",
      operationId: "deleteRule",
      summary: "Delete a rule",
      tag,
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: { 204: { description: "Deleted" }, ...notFound },
      handler: async ({ params, principal }) => {
        await deleteRule(db, pathId(params.id, "the rule"), principal.userId);
        return undefined;
      },
    }),
  ];
}
