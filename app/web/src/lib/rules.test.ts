import { describe, expect, it } from "vitest";
import { ApiError } from "./api.ts";
import {
  actionDraft,
  conditionDraft,
  describeAction,
  describeCondition,
  describeValue,
  draftOf,
  emptyDraft,
  formErrors,
  previewRequest,
  reorder,
  type Rule,
  ruleBody,
  type RuleDraft,
} from "./rules.ts";

function aRule(overrides: Partial<Rule> = {}): Rule {
  return {
    id: "1",
    name: "Groceries",
    position: 0,
    enabled: true,
    match: "all",
    stopProcessing: false,
    conditions: [{ field: "payee", op: "contains", value: "grocer" }],
    actions: [{ type: "setCategory", categoryId: "7" }],
    ...overrides,
  };
}

const names = {
  account: (id: string) => (id === "3" ? "Checking" : "another account"),
  category: (id: string | null) => (id === "7" ? "Food › Groceries" : "Uncategorised"),
};

describe("rule drafts", () => {
  it("round-trips every kind of condition and action through the form", () => {
    const rule = aRule({
      match: "any",
      stopProcessing: true,
      conditions: [
        { field: "description", op: "matches", value: "^db\\s" },
        { field: "amount", min: "-50", max: "-10.5" },
        { field: "amount", max: "0" },
        { field: "account", accountId: "3" },
        { field: "date", from: "2026-01-01" },
      ],
      actions: [
        { type: "setCategory", categoryId: "7" },
        { type: "addTag", tag: "food" },
        { type: "setPayee", payee: "DB" },
        { type: "setNotes", notes: "" },
      ],
    });
    expect(ruleBody(draftOf(rule))).toEqual({
      name: rule.name,
      enabled: rule.enabled,
      match: rule.match,
      stopProcessing: rule.stopProcessing,
      conditions: rule.conditions,
      actions: rule.actions,
    });
  });

  it("trims amounts and dates and leaves out empty bounds", () => {
    const draft: RuleDraft = {
      ...emptyDraft(),
      conditions: [
        conditionDraft({ field: "amount", min: " -5 ", max: "" }),
        conditionDraft({ field: "date", from: "", to: "2026-02-01" }),
      ],
    };
    expect(ruleBody(draft).conditions).toEqual([
      { field: "amount", min: "-5" },
      { field: "date", to: "2026-02-01" },
    ]);
  });

  it("previews only the rows filled in, remembering where each sits in the form", () => {
    const draft: RuleDraft = {
      ...emptyDraft(),
      conditions: [
        conditionDraft({ value: "" }),
        conditionDraft({ value: "grocer" }),
        conditionDraft({ field: "amount" }),
        conditionDraft({ field: "account", accountId: "3" }),
      ],
      actions: [actionDraft(), actionDraft({ type: "addTag", tag: "food" }), actionDraft()],
    };
    const request = previewRequest({ ...draft, name: "Typed", match: "any" });
    expect(Object.keys(request?.body.rule ?? {}).sort()).toEqual([
      "actions",
      "conditions",
      "match",
    ]);
    expect(request?.body.rule.match).toBe("any");
    expect(request?.body.rule.conditions).toEqual([
      { field: "payee", op: "contains", value: "grocer" },
      { field: "account", accountId: "3" },
    ]);
    expect(request?.body.rule.actions).toEqual([{ type: "addTag", tag: "food" }]);
    expect(request?.conditionRows).toEqual([1, 3]);
    expect(request?.actionRows).toEqual([1]);
  });

  it("has nothing to preview until a condition and an action are complete", () => {
    expect(previewRequest(emptyDraft())).toBeUndefined();
    const onlyCondition = { ...emptyDraft(), conditions: [conditionDraft({ value: "x" })] };
    expect(previewRequest(onlyCondition)).toBeUndefined();
    // Setting an empty payee clears it: that is a complete action.
    expect(
      previewRequest({ ...onlyCondition, actions: [actionDraft({ type: "setPayee" })] }),
    ).toBeDefined();
  });
});

describe("formErrors", () => {
  const problem = (paths: string[]) =>
    new ApiError(422, {
      code: "validation",
      detail: "invalid",
      errors: paths.map((path) => ({ path, message: `bad ${path}` })),
    });

  it("spells both index styles the way the form names its fields", () => {
    const mapped = formErrors(problem(["body.conditions[1].value", "body.conditions.0.min"]));
    expect(mapped).toBeInstanceOf(ApiError);
    const error = mapped as ApiError;
    expect(error.field("conditions.1.value")).toBe("bad body.conditions[1].value");
    expect(error.field("conditions.0.min")).toBe("bad body.conditions.0.min");
    expect(error.status).toBe(422);
  });

  it("moves a preview's errors from the rows it sent back to the form's rows", () => {
    const error = formErrors(
      problem(["body.rule.conditions[1].value", "body.rule.actions.0.tag", "body.rule.name"]),
      { conditionRows: [1, 3], actionRows: [2] },
    ) as ApiError;
    expect(error.field("conditions.3.value")).toBe("bad body.rule.conditions[1].value");
    expect(error.field("conditions.1.value")).toBeUndefined();
    expect(error.field("actions.2.tag")).toBe("bad body.rule.actions.0.tag");
    expect(error.field("name")).toBe("bad body.rule.name");
  });

  it("passes other errors through", () => {
    const failure = new Error("offline");
    expect(formErrors(failure)).toBe(failure);
  });
});

describe("reorder", () => {
  const rules = [aRule({ id: "1" }), aRule({ id: "2" }), aRule({ id: "3" })];

  it("numbers rules made without positions, so a move between equals holds", () => {
    const { order, changes } = reorder(rules, 2, -1);
    expect(order.map((r) => [r.id, r.position])).toEqual([
      ["1", 0],
      ["3", 1],
      ["2", 2],
    ]);
    expect(changes).toEqual([
      { id: "3", position: 1 },
      { id: "2", position: 2 },
    ]);
  });

  it("changes only the two rules that swap once numbered, and nothing past the ends", () => {
    const numbered = rules.map((r, position) => ({ ...r, position }));
    expect(reorder(numbered, 0, 1).changes).toEqual([
      { id: "2", position: 0 },
      { id: "1", position: 1 },
    ]);
    expect(reorder(numbered, 0, -1).changes).toEqual([]);
    expect(reorder(numbered, 2, 1).changes).toEqual([]);
  });
});

describe("rule sentences", () => {
  it("describes conditions and actions with names, not ids", () => {
    expect(describeCondition({ field: "payee", op: "contains", value: "grocer" }, names)).toBe(
      "payee contains “grocer”",
    );
    expect(describeCondition({ field: "description", op: "matches", value: "^a" }, names)).toBe(
      "description matches /^a/",
    );
    expect(describeCondition({ field: "amount", min: "-50", max: "-10" }, names)).toBe(
      "amount -50 to -10",
    );
    expect(describeCondition({ field: "amount", max: "0" }, names)).toBe("amount at most 0");
    expect(describeCondition({ field: "account", accountId: "3" }, names)).toBe(
      "account is Checking",
    );
    expect(describeCondition({ field: "date", from: "2026-01-01" }, names)).toBe(
      "date from 2026-01-01",
    );
    expect(describeAction({ type: "setCategory", categoryId: "7" }, names)).toBe(
      "set category Food › Groceries",
    );
    expect(describeAction({ type: "setNotes", notes: "" }, names)).toBe("clear the notes");
  });

  it("shows before and after values readably", () => {
    expect(describeValue("categoryId", null, names)).toBe("Uncategorised");
    expect(describeValue("categoryId", "7", names)).toBe("Food › Groceries");
    expect(describeValue("tags", [], names)).toBe("no tags");
    expect(describeValue("tags", ["a", "b"], names)).toBe("a, b");
    expect(describeValue("payee", "", names)).toBe("empty");
    expect(describeValue("notes", "paid", names)).toBe("“paid”");
  });
});
