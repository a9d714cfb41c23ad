import { z } from "zod";
import { RULE_AMOUNT } from "../../domain/rules.ts";
import { PlainDateSchema } from "../../domain/dates.ts";
import { IdSchema } from "../../http/ids.ts";
import { MAX_TAG_LENGTH } from "../../domain/tags.ts";

const AmountSchema = z.string().regex(RULE_AMOUNT, { message: "is not an amount like -12.34" });

/** One condition of a rule; `matches` takes a regex in RE2 syntax (checked on save). */
export const ConditionSchema = z.discriminatedUnion("field", [
  z.object({
    field: z.enum(["payee", "description"]),
    op: z.enum(["contains", "equals", "matches"]),
    value: z.string().min(1).max(200),
  }),
  z.object({
    field: z.literal("amount"),
    min: AmountSchema.optional(),
    max: AmountSchema.optional(),
  }),
  z.object({ field: z.literal("account"), accountId: IdSchema }),
  z.object({
    field: z.literal("date"),
    from: PlainDateSchema.optional(),
    to: PlainDateSchema.optional(),
  }),
]);

/** One action of a rule. */
export const ActionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("setCategory"), categoryId: IdSchema }),
  z.object({ type: z.literal("addTag"), tag: z.string().trim().min(1).max(MAX_TAG_LENGTH) }),
  z.object({ type: z.literal("setPayee"), payee: z.string().trim().max(200) }),
  z.object({ type: z.literal("setNotes"), notes: z.string().max(5000) }),
]);

/** The most conditions and actions one rule holds. */
export const MAX_RULE_PARTS = 20;

/** The highest position a rule takes. */
export const MAX_RULE_POSITION = 1_000_000;

const fields = {
  name: z.string().trim().min(1).max(100),
  position: z.number().int().min(0).max(MAX_RULE_POSITION),
  enabled: z.boolean(),
  match: z.enum(["all", "any"]),
  stopProcessing: z.boolean(),
  conditions: z.array(ConditionSchema).min(1).max(MAX_RULE_PARTS),
  actions: z.array(ActionSchema).min(1).max(MAX_RULE_PARTS),
};

/**
 * `POST /rules`: name, conditions and actions required; runs last (no `position`: after every
 * existing rule), on every match, enabled.
 */
export const CreateRuleSchema = z.object({
  ...fields,
  position: fields.position.optional(),
  enabled: fields.enabled.default(true),
  match: fields.match.default("all"),
  stopProcessing: fields.stopProcessing.default(false),
});
export type CreateRule = z.infer<typeof CreateRuleSchema>;

/** `PATCH /rules/:id`: any subset; conditions and actions replace the stored lists. */
export const UpdateRuleSchema = z.object(fields).partial();
export type UpdateRule = z.infer<typeof UpdateRuleSchema>;

/** A rule as the API shows it. */
export const RuleSchema = z.object({
  id: z.string(),
  ...fields,
});
export type RuleJson = z.infer<typeof RuleSchema>;

export const RuleListSchema = z.object({ data: z.array(RuleSchema) });

/** The most transactions one apply call examines. */
export const MAX_APPLY = 5000;

/** Which transactions an apply or a preview looks at (reconciled ones never). */
export const ApplyFilterSchema = z.object({
  /** The search language of the transaction list. */
  q: z.string().min(1).max(200).optional(),
  accountId: IdSchema.optional(),
  from: PlainDateSchema.optional(),
  to: PlainDateSchema.optional(),
});
export type ApplyFilter = z.infer<typeof ApplyFilterSchema>;

/** `POST /rules/apply`: which rules (default all enabled), on which transactions, for real or not. */
export const ApplyRulesSchema = z.object({
  ruleIds: z.array(IdSchema).min(1).max(500).optional(),
  filter: ApplyFilterSchema.default({}),
  dryRun: z.boolean().default(true),
  limit: z.number().int().min(1).max(MAX_APPLY).default(1000),
});
export type ApplyRules = z.infer<typeof ApplyRulesSchema>;

const ChangedFieldsSchema = z.object({
  categoryId: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  payee: z.string().optional(),
  notes: z.string().optional(),
});

/** What a rule run changed (or, on a dry run, would change) on one transaction. */
export const RuleChangeSchema = z.object({
  transactionId: z.string(),
  matchedRuleIds: z.array(z.string()),
  before: ChangedFieldsSchema,
  after: ChangedFieldsSchema,
});
export type RuleChangeJson = z.infer<typeof RuleChangeSchema>;

export const ApplyResultSchema = z.object({
  dryRun: z.boolean(),
  /** Transactions the rules ran on (reconciled ones are never touched). */
  examined: z.number(),
  changes: z.array(RuleChangeSchema),
  /** True when more transactions matched the filter than `limit`: call again for the rest. */
  truncated: z.boolean(),
  /** Transactions whose rule run stopped at the time or matching-work budget. */
  timedOut: z.array(z.string()),
});
export type ApplyResultJson = z.infer<typeof ApplyResultSchema>;

/** The most recent transactions (of those the filter chooses) one preview examines. */
export const PREVIEW_WINDOW = MAX_APPLY;
/** The most changes one preview lists; it counts them all. */
export const MAX_PREVIEW_CHANGES = 200;
/** The time one preview may spend running the draft before it answers with what it has. */
export const PREVIEW_BUDGET_MS = 1000;

/** `POST /rules/preview`: an unsaved rule (the create body; the name may still be empty). */
export const PreviewRuleSchema = z.object({
  rule: CreateRuleSchema.extend({ name: z.string().trim().max(100).optional() }),
  filter: ApplyFilterSchema.default({}),
  limit: z.number().int().min(1).max(MAX_PREVIEW_CHANGES).default(50),
});
export type PreviewRule = z.infer<typeof PreviewRuleSchema>;

/** A change of a preview: a dry run's change with the transaction it is on. */
export const PreviewChangeSchema = RuleChangeSchema.omit({ matchedRuleIds: true }).extend({
  accountId: z.string(),
  date: z.string(),
  /** The payee as it is now (`after.payee` is what a setPayee action would make it). */
  payee: z.string(),
  amount: z.string(),
  currency: z.string(),
});

export const PreviewResultSchema = z.object({
  /** Transactions the draft ran on: the newest first, at most PREVIEW_WINDOW. */
  examined: z.number(),
  /** How many of those the draft would change. */
  matched: z.number(),
  /** The first `limit` of them, newest first. */
  changes: z.array(PreviewChangeSchema),
  /** True when the filter chose more transactions than one preview examines. */
  truncated: z.boolean(),
  /** True when the time budget ran out before every transaction in the window was examined. */
  outOfTime: z.boolean(),
});
export type PreviewResultJson = z.infer<typeof PreviewResultSchema>;
