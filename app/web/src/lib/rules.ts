// The rules editor's model: rules as the API holds them, the form's drafts of them, the request
// bodies built from a draft, and the API's field errors mapped back onto the form's rows.
import { type Answer, ApiError } from "./api.ts";

export type Rule = Answer<"getRule">;
/** One condition, as the API stores it. */
export type Condition = Rule["conditions"][number];
export type TextOp = Extract<Condition, { op: unknown }>["op"];
/** One action, as the API stores it. */
export type Action = Rule["actions"][number];
export type PreviewResult = Answer<"previewRule">;
/** One transaction a draft would change (`POST /rules/preview`). */
export type PreviewChange = PreviewResult["changes"][number];
/** The fields a rule may change, before or after. */
export type ChangedFields = PreviewChange["before"];
/** `POST /rules/apply`'s answer. */
export type ApplyResult = Answer<"applyRules">;

export type ConditionField = Condition["field"];
export type ActionType = Action["type"];

/** A condition as the form holds it: every kind's inputs at once, so switching kind keeps text. */
export interface ConditionDraft {
  /** Stable across edits, for list keys. */
  key: number;
  field: ConditionField;
  op: TextOp;
  value: string;
  min: string;
  max: string;
  accountId: string;
  from: string;
  to: string;
}

/** An action as the form holds it. */
export interface ActionDraft {
  key: number;
  type: ActionType;
  categoryId: string;
  tag: string;
  payee: string;
  notes: string;
}

export interface RuleDraft {
  name: string;
  enabled: boolean;
  match: "all" | "any";
  stopProcessing: boolean;
  conditions: ConditionDraft[];
  actions: ActionDraft[];
}

let nextKey = 1;

/** A blank condition (payee contains), optionally filled from `from`. */
export function conditionDraft(from: Partial<ConditionDraft> = {}): ConditionDraft {
  return {
    field: "payee",
    op: "contains",
    value: "",
    min: "",
    max: "",
    accountId: "",
    from: "",
    to: "",
    ...from,
    key: nextKey++,
  };
}

/** A blank action (set category), optionally filled from `from`. */
export function actionDraft(from: Partial<ActionDraft> = {}): ActionDraft {
  return {
    type: "setCategory",
    categoryId: "",
    tag: "",
    payee: "",
    notes: "",
    ...from,
    key: nextKey++,
  };
}

/** A new rule's draft: one empty condition and action, enabled, every match. */
export function emptyDraft(): RuleDraft {
  return {
    name: "",
    enabled: true,
    match: "all",
    stopProcessing: false,
    conditions: [conditionDraft()],
    actions: [actionDraft()],
  };
}

/** The draft that edits a stored rule. */
export function draftOf(rule: Rule): RuleDraft {
  return {
    name: rule.name,
    enabled: rule.enabled,
    match: rule.match,
    stopProcessing: rule.stopProcessing,
    conditions: rule.conditions.map((c) => {
      switch (c.field) {
        case "payee":
        case "description":
          return conditionDraft({ field: c.field, op: c.op, value: c.value });
        case "amount":
          return conditionDraft({ field: "amount", min: c.min ?? "", max: c.max ?? "" });
        case "account":
          return conditionDraft({ field: "account", accountId: c.accountId });
        case "date":
          return conditionDraft({ field: "date", from: c.from ?? "", to: c.to ?? "" });
      }
    }),
    actions: rule.actions.map((a) => actionDraft({ ...a })),
  };
}

/** The condition a draft row stands for (possibly invalid: the API says what is wrong). */
export function conditionOf(d: ConditionDraft): Condition {
  const optional = <K extends string>(key: K, value: string) =>
    (value.trim() === "" ? {} : { [key]: value.trim() }) as Partial<Record<K, string>>;
  switch (d.field) {
    case "payee":
    case "description":
      return { field: d.field, op: d.op, value: d.value };
    case "amount":
      return { field: "amount", ...optional("min", d.min), ...optional("max", d.max) };
    case "account":
      return { field: "account", accountId: d.accountId };
    case "date":
      return { field: "date", ...optional("from", d.from), ...optional("to", d.to) };
  }
}

/** The action a draft row stands for. */
export function actionOf(d: ActionDraft): Action {
  switch (d.type) {
    case "setCategory":
      return { type: "setCategory", categoryId: d.categoryId };
    case "addTag":
      return { type: "addTag", tag: d.tag };
    case "setPayee":
      return { type: "setPayee", payee: d.payee };
    case "setNotes":
      return { type: "setNotes", notes: d.notes };
  }
}

/** Whether a condition row has what it needs to mean something yet. */
export function conditionComplete(d: ConditionDraft): boolean {
  switch (d.field) {
    case "payee":
    case "description":
      return d.value !== "";
    case "amount":
      return d.min.trim() !== "" || d.max.trim() !== "";
    case "account":
      return d.accountId !== "";
    case "date":
      return d.from !== "" || d.to !== "";
  }
}

/** Whether an action row has what it needs; setting an empty payee or notes clears them. */
export function actionComplete(d: ActionDraft): boolean {
  if (d.type === "setCategory") return d.categoryId !== "";
  if (d.type === "addTag") return d.tag.trim() !== "";
  return true;
}

/** The body of `POST /rules` or `PATCH /rules/:id`: every row, so the API names bad ones. */
export function ruleBody(draft: RuleDraft) {
  return {
    name: draft.name,
    enabled: draft.enabled,
    match: draft.match,
    stopProcessing: draft.stopProcessing,
    conditions: draft.conditions.map(conditionOf),
    actions: draft.actions.map(actionOf),
  };
}

/** A preview request and where each row it sent sits in the form. */
export interface PreviewRequest {
  body: { rule: Pick<ReturnType<typeof ruleBody>, "match" | "conditions" | "actions"> };
  /** The form index of each condition sent, by its index in the body. */
  conditionRows: number[];
  actionRows: number[];
}

/**
 * The preview request for a draft: only the rows filled in so far (a half-typed row is not yet
 * a mistake), or undefined while no condition or no action is complete. The name, the enabled
 * flag and first-match change nothing a single rule does, so typing them asks nothing again.
 */
export function previewRequest(draft: RuleDraft): PreviewRequest | undefined {
  const conditionRows = draft.conditions.flatMap((c, i) => (conditionComplete(c) ? [i] : []));
  const actionRows = draft.actions.flatMap((a, i) => (actionComplete(a) ? [i] : []));
  if (conditionRows.length === 0 || actionRows.length === 0) return undefined;
  const body = ruleBody(draft);
  return {
    body: {
      rule: {
        match: body.match,
        conditions: conditionRows.flatMap((i) => body.conditions.slice(i, i + 1)),
        actions: actionRows.flatMap((i) => body.actions.slice(i, i + 1)),
      },
    },
    conditionRows,
    actionRows,
  };
}

/**
 * The API's field errors with paths as the form names its fields: "body.conditions.2.value".
 * The API spells list indices both as ".2" (schema checks) and "[2]" (regex and reference
 * checks); a preview's paths sit below "body.rule" and count only the rows it sent, which
 * `rows` maps back to the form's rows.
 */
export function formErrors(
  error: unknown,
  rows?: Pick<PreviewRequest, "conditionRows" | "actionRows">,
): unknown {
  if (!(error instanceof ApiError)) return error;
  const errors = Object.entries(error.fields).map(([path, message]) => {
    let p = path.replace(/\[(\d+)\]/g, ".$1").replace(/^body\.rule\./, "body.");
    if (rows) {
      p = p.replace(/^body\.(conditions|actions)\.(\d+)/, (whole, list: string, index: string) => {
        const map = list === "conditions" ? rows.conditionRows : rows.actionRows;
        const row = map[Number(index)];
        return row === undefined ? whole : `body.${list}.${String(row)}`;
      });
    }
    return { path: p, message };
  });
  return new ApiError(error.status, { code: error.code, detail: error.message, errors });
}

/**
 * The position changes that move the rule at `index` by `delta` places: rules are numbered
 * 0, 1, 2... in their new order and only those whose number changes are returned. Equal
 * positions (rules made without one) are thereby made distinct, so the order holds.
 */
export function reorder(
  rules: readonly Rule[],
  index: number,
  delta: -1 | 1,
): { order: Rule[]; changes: { id: string; position: number }[] } {
  const target = index + delta;
  const order = [...rules];
  const moving = order[index];
  const other = order[target];
  if (moving === undefined || other === undefined) return { order, changes: [] };
  order[index] = other;
  order[target] = moving;
  const changes = order.flatMap((rule, position) =>
    rule.position === position ? [] : [{ id: rule.id, position }],
  );
  return { order: order.map((rule, position) => ({ ...rule, position })), changes };
}

/** Names of accounts and categories, for the sentences below. */
export interface Names {
  account: (id: string) => string;
  category: (id: string | null) => string;
}

const textFields = { payee: "payee", description: "description" } as const;
const ops = { contains: "contains", equals: "is", matches: "matches" } as const;

/** A condition as a phrase to follow "If": "payee contains “grocer”". */
export function describeCondition(c: Condition, names: Names): string {
  switch (c.field) {
    case "payee":
    case "description":
      return `${textFields[c.field]} ${ops[c.op]} ${c.op === "matches" ? `/${c.value}/` : `“${c.value}”`}`;
    case "amount":
      if (c.min !== undefined && c.max !== undefined) return `amount ${c.min} to ${c.max}`;
      return c.min !== undefined ? `amount at least ${c.min}` : `amount at most ${c.max ?? ""}`;
    case "account":
      return `account is ${names.account(c.accountId)}`;
    case "date":
      if (c.from !== undefined && c.to !== undefined) return `date ${c.from} to ${c.to}`;
      return c.from !== undefined ? `date from ${c.from}` : `date until ${c.to ?? ""}`;
  }
}

/** An action as a short sentence: "set category Food › Groceries". */
export function describeAction(a: Action, names: Names): string {
  switch (a.type) {
    case "setCategory":
      return `set category ${names.category(a.categoryId)}`;
    case "addTag":
      return `add tag ${a.tag}`;
    case "setPayee":
      return a.payee === "" ? "clear the payee" : `set payee “${a.payee}”`;
    case "setNotes":
      return a.notes === "" ? "clear the notes" : `set notes “${a.notes}”`;
  }
}

/** A changed field's value as the preview shows it. */
export function describeValue(
  field: keyof ChangedFields,
  value: ChangedFields[keyof ChangedFields],
  names: Names,
): string {
  if (field === "categoryId") return names.category(typeof value === "string" ? value : null);
  if (Array.isArray(value)) return value.length === 0 ? "no tags" : value.join(", ");
  return typeof value === "string" && value !== "" ? `“${value}”` : "empty";
}

/** The changed fields' names as the preview labels them. */
export const fieldLabels: Record<keyof ChangedFields, string> = {
  categoryId: "Category",
  tags: "Tags",
  payee: "Payee",
  notes: "Notes",
};
