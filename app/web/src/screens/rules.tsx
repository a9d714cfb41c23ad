// Rules: the ordered list (enable, reorder, edit, delete, apply to existing transactions) and
// the editor, whose draft is previewed live against the ledger as it is typed.
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  Amount,
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import { api, ApiError, messageOf } from "../lib/api.ts";
import { categoryPath, categoryTree, useAccounts, useCategories } from "../lib/data.ts";
import { currentLocale, formatDate } from "../lib/format.ts";
import { type Resource, useResource } from "../lib/resource.ts";
import {
  type ActionDraft,
  actionDraft,
  type ActionType,
  type ApplyResult,
  type ChangedFields,
  type ConditionDraft,
  conditionDraft,
  type ConditionField,
  describeAction,
  describeCondition,
  describeValue,
  draftOf,
  emptyDraft,
  fieldLabels,
  formErrors,
  type Names,
  type PreviewChange,
  type PreviewResult,
  previewRequest,
  reorder,
  type Rule,
  ruleBody,
  type RuleDraft,
  type TextOp,
} from "../lib/rules.ts";
import { useCanWrite } from "../lib/session.ts";

/** How long typing must pause before the draft is previewed. */
const PREVIEW_DELAY_MS = 300;
/** The most recent transactions an apply looks at (the API's maximum). */
const APPLY_LIMIT = 5000;

const count = (n: number) => new Intl.NumberFormat(currentLocale()).format(n);
const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

const conditionFields: [ConditionField, string][] = [
  ["payee", "Payee"],
  ["description", "Description"],
  ["amount", "Amount"],
  ["account", "Account"],
  ["date", "Date"],
];
const textOps: [TextOp, string][] = [
  ["contains", "contains"],
  ["equals", "is exactly"],
  ["matches", "matches regex"],
];
const actionTypes: [ActionType, string][] = [
  ["setCategory", "Set category"],
  ["addTag", "Add tag"],
  ["setPayee", "Set payee"],
  ["setNotes", "Set notes"],
];

function isOneOf<T extends string>(value: string, options: readonly [T, string][]): value is T {
  return options.some(([v]) => v === value);
}

/** The names of accounts and categories, for sentences and the preview. */
function useNames(): Names & { ready: boolean } {
  const accounts = useAccounts();
  const categories = useCategories();
  return {
    ready: accounts.data !== undefined && categories.data !== undefined,
    account: (id) => accounts.data?.find((a) => a.id === id)?.name ?? "an unknown account",
    category: (id) =>
      id === null
        ? "Uncategorised"
        : categoryPath(categories.data ?? [], id) || "a deleted category",
  };
}

/** One condition of the draft: what it tests and how, with the API's messages by each input. */
function ConditionRow(props: {
  index: number;
  draft: ConditionDraft;
  error: unknown;
  onChange: (draft: ConditionDraft) => void;
  onRemove: () => void;
}) {
  const { draft, index } = props;
  const accounts = useAccounts();
  const name = (field: string) => `conditions.${String(index)}.${field}`;
  const set = (patch: Partial<ConditionDraft>) => {
    props.onChange({ ...draft, ...patch });
  };
  const text = draft.field === "payee" || draft.field === "description";
  return (
    <fieldset class="rule-part">
      <legend>Condition {index + 1}</legend>
      <div class="rule-part-fields">
        <SelectField
          label="Field"
          name={name("field")}
          value={draft.field}
          onValue={(v) => {
            if (isOneOf(v, conditionFields)) set({ field: v });
          }}
          options={conditionFields}
          error={props.error}
        />
        {text && (
          <SelectField
            label="Test"
            name={name("op")}
            value={draft.op}
            onValue={(v) => {
              if (isOneOf(v, textOps)) set({ op: v });
            }}
            options={textOps}
            error={props.error}
          />
        )}
        {text && (
          <TextField
            label={draft.op === "matches" ? "Regular expression" : "Text"}
            name={name("value")}
            value={draft.value}
            onValue={(value) => {
              set({ value });
            }}
            hint={
              draft.op === "matches" ? "RE2 syntax, ignores case, e.g. ^rewe\\b" : "Ignores case"
            }
            error={props.error}
          />
        )}
        {draft.field === "amount" && (
          <>
            <TextField
              label="At least"
              name={name("min")}
              inputMode="decimal"
              value={draft.min}
              onValue={(min) => {
                set({ min });
              }}
              hint="Money out is negative: -50"
              error={props.error}
            />
            <TextField
              label="At most"
              name={name("max")}
              inputMode="decimal"
              value={draft.max}
              onValue={(max) => {
                set({ max });
              }}
              error={props.error}
            />
          </>
        )}
        {draft.field === "account" && (
          <SelectField
            label="Account"
            name={name("accountId")}
            value={draft.accountId}
            onValue={(accountId) => {
              set({ accountId });
            }}
            options={[
              ["", "Choose an account…"],
              ...(accounts.data ?? []).map((a): [string, string] => [a.id, a.name]),
            ]}
            error={props.error}
          />
        )}
        {draft.field === "date" && (
          <>
            <TextField
              label="From"
              type="date"
              name={name("from")}
              value={draft.from}
              onValue={(from) => {
                set({ from });
              }}
              error={props.error}
            />
            <TextField
              label="To"
              type="date"
              name={name("to")}
              value={draft.to}
              onValue={(to) => {
                set({ to });
              }}
              error={props.error}
            />
          </>
        )}
      </div>
      <button type="button" class="ghost danger rule-part-remove" onClick={props.onRemove}>
        Remove<span class="sr-only"> condition {index + 1}</span>
      </button>
    </fieldset>
  );
}

/** One action of the draft: what it does and its value. */
function ActionRow(props: {
  index: number;
  draft: ActionDraft;
  error: unknown;
  onChange: (draft: ActionDraft) => void;
  onRemove: () => void;
}) {
  const { draft, index } = props;
  const categories = useCategories();
  const name = (field: string) => `actions.${String(index)}.${field}`;
  const set = (patch: Partial<ActionDraft>) => {
    props.onChange({ ...draft, ...patch });
  };
  return (
    <fieldset class="rule-part">
      <legend>Action {index + 1}</legend>
      <div class="rule-part-fields">
        <SelectField
          label="Do"
          name={name("type")}
          value={draft.type}
          onValue={(v) => {
            if (isOneOf(v, actionTypes)) set({ type: v });
          }}
          options={actionTypes}
          error={props.error}
        />
        {draft.type === "setCategory" && (
          <SelectField
            label="Category"
            name={name("categoryId")}
            value={draft.categoryId}
            onValue={(categoryId) => {
              set({ categoryId });
            }}
            options={[
              ["", "Choose a category…"],
              ...categoryTree(categories.data ?? []).map(
                ({ category, depth }): [string, string] => [
                  category.id,
                  `${"\u00a0\u00a0".repeat(depth)}${category.name}`,
                ],
              ),
            ]}
            error={props.error}
          />
        )}
        {draft.type === "addTag" && (
          <TextField
            label="Tag"
            name={name("tag")}
            value={draft.tag}
            onValue={(tag) => {
              set({ tag });
            }}
            error={props.error}
          />
        )}
        {draft.type === "setPayee" && (
          <TextField
            label="New payee"
            name={name("payee")}
            value={draft.payee}
            onValue={(payee) => {
              set({ payee });
            }}
            hint="Empty clears the payee"
            error={props.error}
          />
        )}
        {draft.type === "setNotes" && (
          <TextField
            label="New notes"
            name={name("notes")}
            value={draft.notes}
            onValue={(notes) => {
              set({ notes });
            }}
            hint="Empty clears the notes"
            error={props.error}
          />
        )}
      </div>
      <button type="button" class="ghost danger rule-part-remove" onClick={props.onRemove}>
        Remove<span class="sr-only"> action {index + 1}</span>
      </button>
    </fieldset>
  );
}

interface PreviewState {
  result?: PreviewResult;
  error?: unknown;
  loading: boolean;
  /** No condition or no action is filled in yet. */
  incomplete: boolean;
}

/**
 * Previews the draft once typing pauses; answers to earlier drafts are dropped. A 422 comes
 * back with its paths moved onto the form's rows, so a bad regex is flagged as it is typed.
 */
function usePreview(draft: RuleDraft): PreviewState {
  const request = useMemo(() => previewRequest(draft), [draft]);
  const key = request === undefined ? "" : JSON.stringify(request.body);
  const [state, setState] = useState<Omit<PreviewState, "incomplete">>({ loading: false });
  const generation = useRef(0);
  useEffect(() => {
    const gen = ++generation.current;
    if (request === undefined) {
      setState({ loading: false });
      return;
    }
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api.post<PreviewResult>("/rules/preview", request.body).then(
        (result) => {
          if (gen === generation.current) setState({ result, loading: false });
        },
        (error: unknown) => {
          if (gen === generation.current) {
            setState({ error: formErrors(error, request), loading: false });
          }
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [key]);
  return { ...state, incomplete: request === undefined };
}

function ChangeLine(props: { field: keyof ChangedFields; change: ChangedFields[]; names: Names }) {
  const [before, after] = props.change;
  return (
    <div class="diff-line">
      <dt>{fieldLabels[props.field]}</dt>
      <dd>
        <span class="diff-before">
          {describeValue(props.field, before?.[props.field], props.names)}
        </span>
        <span aria-hidden="true"> → </span>
        <span class="sr-only"> becomes </span>
        <span class="diff-after">
          {describeValue(props.field, after?.[props.field], props.names)}
        </span>
      </dd>
    </div>
  );
}

/** The preview's one-line answer, for every state it can be in. */
function previewSummary(preview: PreviewState): string {
  const { result, error } = preview;
  if (preview.incomplete) {
    return "Fill in a condition and an action to see the transactions this rule would change.";
  }
  if (error !== undefined) {
    return error instanceof ApiError && Object.keys(error.fields).length > 0
      ? "Fix the highlighted fields to see a preview."
      : `The preview failed: ${messageOf(error)}`;
  }
  if (result === undefined) return "Looking for matching transactions…";
  if (result.matched === 0) {
    return `It would change none of the ${plural(result.examined, "most recent transaction", "most recent transactions")}.`;
  }
  return `It would change ${plural(result.matched, "transaction", "transactions")} of the ${count(result.examined)} most recent.`;
}

/** One transaction of the preview: what it is, and each field before -> after. */
function PreviewItem(props: { change: PreviewChange; names: Names }) {
  const { change, names } = props;
  return (
    <li class="preview-item">
      <div class="preview-tx">
        <span class="list-main">
          <span class="list-title">{change.payee || "(no payee)"}</span>
          <span class="list-sub">
            {formatDate(change.date, "short")} · {names.account(change.accountId)}
          </span>
        </span>
        <Amount value={change.amount} currency={change.currency} />
      </div>
      <dl class="diff">
        {(Object.keys(change.after) as (keyof ChangedFields)[]).map((field) => (
          <ChangeLine
            key={field}
            field={field}
            change={[change.before, change.after]}
            names={names}
          />
        ))}
      </dl>
    </li>
  );
}

/** What the draft would change: a count and the newest transactions with before -> after. */
function PreviewPanel(props: { preview: PreviewState; enabled: boolean }) {
  const { preview } = props;
  const names = useNames();
  // A failed or incomplete draft shows no list: the last answer was for another draft.
  const result = preview.error === undefined && !preview.incomplete ? preview.result : undefined;
  const shown = result?.changes ?? [];
  return (
    <section
      class="card rule-preview"
      aria-labelledby="rule-preview-title"
      aria-busy={preview.loading}
    >
      <h2 id="rule-preview-title">Preview</h2>
      <p class="preview-summary" role="status" aria-live="polite">
        {previewSummary(preview)}
        {preview.loading && result !== undefined && <span class="muted"> Updating…</span>}
      </p>
      {!props.enabled && !preview.incomplete && (
        <p class="hint">The preview runs the rule as if it were enabled.</p>
      )}
      {shown.length > 0 && (
        <ul class="preview-list" aria-label="Transactions this rule would change">
          {shown.map((change) => (
            <PreviewItem key={change.transactionId} change={change} names={names} />
          ))}
        </ul>
      )}
      {result && (
        <p class="hint">
          {result.matched > shown.length && `Showing the newest ${count(shown.length)}. `}
          {result.truncated && "Older transactions are not previewed. "}
          {result.outOfTime && `The preview ran out of time after ${count(result.examined)}. `}
          Reconciled transactions are never changed.
        </p>
      )}
    </section>
  );
}

/** Creates or edits a rule, with the live preview beside the form. */
function RuleEditor(props: {
  rule?: Rule;
  nextPosition: number;
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<RuleDraft>(() =>
    props.rule ? draftOf(props.rule) : emptyDraft(),
  );
  const [saveError, setSaveError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const preview = usePreview(draft);
  useEffect(() => {
    form.current?.querySelector("input")?.focus();
  }, []);
  const error = saveError ?? (preview.error instanceof ApiError ? preview.error : undefined);
  const update = (patch: Partial<RuleDraft>) => {
    setSaveError(undefined);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const listError = (list: "conditions" | "actions") =>
    error instanceof ApiError ? error.fields[`body.${list}`] : undefined;

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setSaveError(undefined);
    try {
      const body = ruleBody(draft);
      const saved = props.rule
        ? await api.patch<Rule>(`/rules/${props.rule.id}`, body)
        : await api.post<Rule>("/rules", { ...body, position: props.nextPosition });
      props.onSaved(saved);
    } catch (e) {
      setSaveError(formErrors(e));
    } finally {
      setSaving(false);
    }
  };

  const title = props.rule ? `Edit “${props.rule.name}”` : "New rule";
  return (
    <div class="rule-editor">
      <form
        ref={form}
        class="card rule-form"
        aria-labelledby="rule-form-title"
        noValidate
        onSubmit={(e) => void save(e)}
        onKeyDown={(e) => {
          if (e.key === "Escape") props.onCancel();
        }}
      >
        <h2 id="rule-form-title">{title}</h2>
        <div class="form-grid">
          <TextField
            label="Name"
            name="name"
            value={draft.name}
            onValue={(name) => {
              update({ name });
            }}
            error={error}
          />
          <SelectField
            label="When it matches"
            name="stopProcessing"
            value={draft.stopProcessing ? "first" : "all"}
            onValue={(v) => {
              update({ stopProcessing: v === "first" });
            }}
            options={[
              ["all", "All matches: go on"],
              ["first", "First match: stop"],
            ]}
            error={error}
          />
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => {
              update({ enabled: e.currentTarget.checked });
            }}
          />
          Enabled: runs on new and imported transactions
        </label>

        <fieldset class="rule-parts">
          <legend>Conditions</legend>
          <SelectField
            label="Which conditions must hold"
            name="match"
            value={draft.match}
            onValue={(v) => {
              update({ match: v === "any" ? "any" : "all" });
            }}
            options={[
              ["all", "All of them"],
              ["any", "Any one of them"],
            ]}
            error={error}
          />
          {draft.conditions.map((c, i) => (
            <ConditionRow
              key={c.key}
              index={i}
              draft={c}
              error={error}
              onChange={(next) => {
                update({ conditions: draft.conditions.map((x) => (x.key === c.key ? next : x)) });
              }}
              onRemove={() => {
                update({ conditions: draft.conditions.filter((x) => x.key !== c.key) });
              }}
            />
          ))}
          {listError("conditions") && (
            <p class="field-error" role="alert">
              Conditions: {listError("conditions")}
            </p>
          )}
          <button
            type="button"
            onClick={() => {
              update({ conditions: [...draft.conditions, conditionDraft()] });
            }}
          >
            Add condition
          </button>
        </fieldset>

        <fieldset class="rule-parts">
          <legend>Actions</legend>
          {draft.actions.map((a, i) => (
            <ActionRow
              key={a.key}
              index={i}
              draft={a}
              error={error}
              onChange={(next) => {
                update({ actions: draft.actions.map((x) => (x.key === a.key ? next : x)) });
              }}
              onRemove={() => {
                update({ actions: draft.actions.filter((x) => x.key !== a.key) });
              }}
            />
          ))}
          {listError("actions") && (
            <p class="field-error" role="alert">
              Actions: {listError("actions")}
            </p>
          )}
          <button
            type="button"
            onClick={() => {
              update({ actions: [...draft.actions, actionDraft()] });
            }}
          >
            Add action
          </button>
        </fieldset>

        <div class="form-actions">
          <FormError error={saveError} />
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={saving}>
            {props.rule ? "Save rule" : "Create rule"}
          </button>
        </div>
      </form>
      <PreviewPanel preview={preview} enabled={draft.enabled} />
    </div>
  );
}

type ApplyPhase =
  | { step: "counting" }
  | { step: "confirm"; would: number; examined: number; truncated: boolean }
  | { step: "applying"; would: number }
  | { step: "done"; changed: number }
  | { step: "failed"; error: unknown };

/**
 * Runs a saved rule on existing transactions: a dry run counts what it would change, the user
 * confirms that count, then the same call runs for real.
 */
function ApplyPanel(props: { rule: Rule; onClose: () => void }) {
  const [phase, setPhase] = useState<ApplyPhase>({ step: "counting" });
  const confirmButton = useRef<HTMLButtonElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const body = { ruleIds: [props.rule.id], limit: APPLY_LIMIT };
  useEffect(() => {
    let current = true;
    api.post<ApplyResult>("/rules/apply", { ...body, dryRun: true }).then(
      (r) => {
        if (current) {
          setPhase({
            step: "confirm",
            would: r.changes.length,
            examined: r.examined,
            truncated: r.truncated,
          });
        }
      },
      (error: unknown) => {
        if (current) setPhase({ step: "failed", error });
      },
    );
    return () => {
      current = false;
    };
  }, [props.rule.id]);
  useEffect(() => {
    if (phase.step === "confirm" && phase.would > 0) confirmButton.current?.focus();
    else if (phase.step !== "counting" && phase.step !== "applying") closeButton.current?.focus();
  }, [phase.step]);

  const apply = async (would: number) => {
    setPhase({ step: "applying", would });
    try {
      const r = await api.post<ApplyResult>("/rules/apply", { ...body, dryRun: false });
      setPhase({ step: "done", changed: r.changes.length });
    } catch (error) {
      setPhase({ step: "failed", error });
    }
  };

  return (
    <div class="apply-panel" role="group" aria-label={`Apply “${props.rule.name}”`}>
      {phase.step === "counting" && <Loading label="Counting the transactions it would change…" />}
      {phase.step === "confirm" && (
        <p role="status">
          {phase.would === 0
            ? `It would change none of the ${plural(phase.examined, "most recent transaction", "most recent transactions")}.`
            : `It would change ${plural(phase.would, "transaction", "transactions")} of the ${count(phase.examined)} most recent.`}
          {phase.truncated && ` Only the newest ${count(APPLY_LIMIT)} are looked at.`}
        </p>
      )}
      {phase.step === "applying" && <Loading label="Applying…" />}
      {phase.step === "done" && (
        <p role="status">Changed {plural(phase.changed, "transaction", "transactions")}.</p>
      )}
      {phase.step === "failed" && (
        <p class="form-error" role="alert">
          Could not apply the rule: {messageOf(phase.error)}
        </p>
      )}
      <div class="form-actions">
        {phase.step === "confirm" && phase.would > 0 && (
          <button
            type="button"
            class="primary"
            ref={confirmButton}
            onClick={() => void apply(phase.would)}
          >
            Apply to {plural(phase.would, "transaction", "transactions")}
          </button>
        )}
        {phase.step !== "applying" && (
          <button type="button" ref={closeButton} onClick={props.onClose}>
            {phase.step === "confirm" && phase.would > 0 ? "Cancel" : "Close"}
          </button>
        )}
      </div>
    </div>
  );
}

/** One rule in the list: its order, name, what it does, and the controls. */
function RuleRow(props: {
  rule: Rule;
  index: number;
  last: boolean;
  canWrite: boolean;
  applying: boolean;
  onMove: (delta: -1 | 1) => void;
  onToggle: (enabled: boolean) => void;
  onEdit: () => void;
  onApply: () => void;
  onDelete: () => void;
  names: Names;
  /** The apply panel, when it is open for this rule. */
  children?: ComponentChildren;
}) {
  const { rule, index, names } = props;
  return (
    <li class="rule-row">
      <div class="rule-main">
        <h3 class="rule-name">
          <span class="rule-number">{index + 1}.</span> {rule.name}
          <span class="badge">{rule.stopProcessing ? "First match" : "All matches"}</span>
          {!rule.enabled && <span class="badge">Off</span>}
        </h3>
        <p class="rule-summary">
          If {rule.conditions.length > 1 && (rule.match === "all" ? "all of: " : "any of: ")}
          {rule.conditions.map((c) => describeCondition(c, names)).join("; ")}
          {" → "}
          {rule.actions.map((a) => describeAction(a, names)).join(", ")}
        </p>
        {props.canWrite && (
          <div class="rule-controls">
            <span class="rule-order">
              <button
                type="button"
                class="icon-button"
                data-move={`${rule.id}:up`}
                aria-label={`Move ${rule.name} up`}
                disabled={index === 0}
                onClick={() => {
                  props.onMove(-1);
                }}
              >
                <span aria-hidden="true">↑</span>
              </button>
              <button
                type="button"
                class="icon-button"
                data-move={`${rule.id}:down`}
                aria-label={`Move ${rule.name} down`}
                disabled={props.last}
                onClick={() => {
                  props.onMove(1);
                }}
              >
                <span aria-hidden="true">↓</span>
              </button>
            </span>
            <label class="check rule-toggle">
              <input
                type="checkbox"
                checked={rule.enabled}
                onChange={(e) => {
                  props.onToggle(e.currentTarget.checked);
                }}
              />
              Enabled<span class="sr-only"> ({rule.name})</span>
            </label>
            <button type="button" onClick={props.onEdit}>
              Edit<span class="sr-only"> {rule.name}</span>
            </button>
            {rule.enabled && (
              <button type="button" aria-expanded={props.applying} onClick={props.onApply}>
                Apply to existing transactions<span class="sr-only"> ({rule.name})</span>
              </button>
            )}
            <button type="button" class="ghost danger" onClick={props.onDelete}>
              Delete<span class="sr-only"> {rule.name}</span>
            </button>
          </div>
        )}
        {props.children}
      </div>
    </li>
  );
}

/** After a move, keeps focus on the moved rule: its button for that direction, else the other. */
function focusMove(id: string, delta: -1 | 1): void {
  requestAnimationFrame(() => {
    const button = (direction: string) =>
      document.querySelector<HTMLButtonElement>(`[data-move="${id}:${direction}"]`);
    const want = button(delta < 0 ? "up" : "down");
    (want && !want.disabled ? want : button(delta < 0 ? "down" : "up"))?.focus();
  });
}

/** The rules in order with their controls; moves and toggles show at once, then are saved. */
function RuleList(props: {
  rules: Resource<Rule[]>;
  canWrite: boolean;
  onEdit: (id: string) => void;
  onNotice: (text: string) => void;
}) {
  const { rules, canWrite } = props;
  const names = useNames();
  const [applying, setApplying] = useState<string>();
  const [error, setError] = useState<unknown>();
  const list = rules.data ?? [];

  // A failed save reloads the list, so what is shown is what is stored.
  const saving = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
      rules.reload();
    }
  };
  const move = (index: number, delta: -1 | 1) => {
    const moving = list[index];
    if (!moving) return;
    const { order, changes } = reorder(list, index, delta);
    rules.set(order);
    focusMove(moving.id, delta);
    void saving(async () => {
      for (const change of changes) {
        await api.patch(`/rules/${change.id}`, { position: change.position });
      }
    });
  };
  const toggle = (rule: Rule, enabled: boolean) => {
    rules.set(list.map((r) => (r.id === rule.id ? { ...r, enabled } : r)));
    if (!enabled && applying === rule.id) setApplying(undefined);
    void saving(() => api.patch(`/rules/${rule.id}`, { enabled }));
  };
  const remove = (rule: Rule) => {
    if (!confirm(`Delete the rule “${rule.name}”? What it changed stays changed.`)) return;
    void saving(async () => {
      await api.del(`/rules/${rule.id}`);
      props.onNotice(`Deleted “${rule.name}”.`);
      rules.reload();
    });
  };

  return (
    <section class="card" aria-labelledby="rules-list-title">
      <h2 id="rules-list-title">Rules in the order they run</h2>
      <FormError error={error} />
      {rules.loading && !rules.data && <Loading />}
      {rules.error !== undefined && <LoadError error={rules.error} retry={rules.reload} />}
      {rules.data && list.length === 0 && (
        <Empty title="No rules yet">
          {canWrite && <p>Use “New rule” to categorise transactions by payee, amount or date.</p>}
        </Empty>
      )}
      {list.length > 0 && (
        <ol class="rule-list">
          {list.map((rule, index) => (
            <RuleRow
              key={rule.id}
              rule={rule}
              index={index}
              last={index === list.length - 1}
              canWrite={canWrite}
              applying={applying === rule.id}
              names={names}
              onMove={(delta) => {
                move(index, delta);
              }}
              onToggle={(enabled) => {
                toggle(rule, enabled);
              }}
              onEdit={() => {
                props.onEdit(rule.id);
              }}
              onApply={() => {
                setApplying(applying === rule.id ? undefined : rule.id);
              }}
              onDelete={() => {
                remove(rule);
              }}
            >
              {applying === rule.id && (
                <ApplyPanel
                  rule={rule}
                  onClose={() => {
                    setApplying(undefined);
                  }}
                />
              )}
            </RuleRow>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The rules screen: every rule in the order it runs, and the editor with its live preview. */
export function RulesScreen() {
  const rules = useResource(() => api.get<{ data: Rule[] }>("/rules").then((r) => r.data), []);
  const canWrite = useCanWrite();
  const [editing, setEditing] = useState<string>(); // a rule id, or "new"
  const [notice, setNotice] = useState<string>();
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const list = rules.data ?? [];

  useEffect(() => {
    if (notice !== undefined) noticeRef.current?.focus();
  }, [notice]);

  const saved = (rule: Rule) => {
    setNotice(
      editing === "new"
        ? `Created “${rule.name}”. It runs on new and imported transactions; use “Apply to existing transactions” for the ones already booked.`
        : `Saved “${rule.name}”.`,
    );
    setEditing(undefined);
    rules.reload();
  };
  const open = (id: string) => {
    setNotice(undefined);
    setEditing(id);
    window.scrollTo({ top: 0 });
  };

  const nextPosition = Math.min(
    1_000_000,
    list.reduce((max, r) => Math.max(max, r.position + 1), 0),
  );
  const editedRule = list.find((r) => r.id === editing);

  return (
    <div class="page rules-page">
      <PageHeader title="Rules">
        {canWrite && editing === undefined && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              open("new");
            }}
          >
            New rule
          </button>
        )}
      </PageHeader>
      <p class="muted rules-intro">
        Rules categorise, tag and tidy new and imported transactions, top to bottom. A rule set to
        “first match” stops the rules below it for the transactions it matched.
      </p>
      {notice !== undefined && (
        <p class="notice" role="status" tabIndex={-1} ref={noticeRef}>
          {notice}
        </p>
      )}
      {canWrite && (editing === "new" || editedRule) && (
        <RuleEditor
          key={editing}
          {...(editedRule ? { rule: editedRule } : {})}
          nextPosition={nextPosition}
          onSaved={saved}
          onCancel={() => {
            setEditing(undefined);
          }}
        />
      )}
      <RuleList rules={rules} canWrite={canWrite} onEdit={open} onNotice={setNotice} />
    </div>
  );
}
