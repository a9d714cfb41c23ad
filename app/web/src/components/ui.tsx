import { type ComponentChildren, createContext } from "preact";
import { useContext, useId } from "preact/hooks";
import { ApiError, messageOf } from "../lib/api.ts";
import { OfflineError } from "../lib/connection.ts";
import { currentLocale } from "../lib/format.ts";
import { formatMoney, signOf } from "../lib/money.ts";

/** A signed, colour-coded amount; the sign is in the text, the colour only repeats it. */
export function Amount(props: { value: string; currency: string; class?: string }) {
  const sign = signOf(props.value);
  const tone = sign < 0 ? "neg" : sign > 0 ? "pos" : "zero";
  return (
    <span class={`amount ${tone} ${props.class ?? ""}`}>
      {formatMoney(props.value, props.currency, currentLocale())}
    </span>
  );
}

interface FieldProps {
  label: string;
  /** The API's field name: its error from `error` is shown under the control. */
  name?: string;
  error?: unknown;
  hint?: string;
  class?: string;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

/** A labelled control with its hint and the API's message for that field. */
export function Field(props: FieldProps) {
  const id = useId();
  const message =
    props.error instanceof ApiError && props.name !== undefined
      ? props.error.field(props.name)
      : undefined;
  const describedBy =
    [message ? `${id}-err` : "", props.hint ? `${id}-hint` : ""].filter(Boolean).join(" ") ||
    undefined;
  return (
    <div class={`field ${props.class ?? ""}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy, message !== undefined)}
      {props.hint && (
        <small id={`${id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {message && (
        <small id={`${id}-err`} class="field-error" role="alert">
          {message}
        </small>
      )}
    </div>
  );
}

interface InputProps {
  type?: "text" | "email" | "password" | "date" | "search";
  required?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  autoFocus?: boolean;
  autoComplete?: string;
  inputMode?: "text" | "decimal" | "numeric" | "email";
  minLength?: number;
  maxLength?: number;
  list?: string;
  placeholder?: string;
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  error?: unknown;
  hint?: string;
}

/** A labelled text input bound to a string. */
export function TextField({ label, name, value, onValue, error, hint, type, ...rest }: InputProps) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(id, describedBy, invalid) => (
        <input
          {...rest}
          // Preact types each input type's attributes apart (email takes no `list`); ours are all
          // plain string inputs, which tsc cannot see through the union.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
          type={(type ?? "text") as "text"}
          id={id}
          name={name}
          value={value}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onInput={(e) => {
            onValue(e.currentTarget.value);
          }}
        />
      )}
    </Field>
  );
}

/** A labelled select bound to a string. */
export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  options: readonly (readonly [string, string])[];
  error?: unknown;
  disabled?: boolean;
}) {
  return (
    <Field label={props.label} name={props.name} error={props.error}>
      {(id, describedBy, invalid) => (
        <select
          id={id}
          name={props.name}
          value={props.value}
          disabled={props.disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => {
            props.onValue(e.currentTarget.value);
          }}
        >
          {props.options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The form-level message of a failed request (field messages sit by their fields). */
export function FormError(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  // Only body fields are shown beside their controls; a header's problem (If-Match) is not.
  const fields =
    props.error instanceof ApiError
      ? Object.keys(props.error.fields).filter((path) => path.startsWith("body.")).length
      : 0;
  return (
    <p class="form-error" role="alert">
      {fields > 0 ? "Please correct the highlighted fields." : messageOf(props.error)}
    </p>
  );
}

/** A loading placeholder that screen readers announce. */
export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? "Loading…"}
    </p>
  );
}

/** A failed load with a retry. */
export function LoadError(props: { error: unknown; retry?: () => void }) {
  return (
    <div class="load-error" role="alert">
      <p>
        {/* An offline load says so in a sentence of its own. */}
        {props.error instanceof OfflineError ? "" : "Could not load this: "}
        {messageOf(props.error)}
      </p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What a list shows when it has nothing yet, with the next step. */
export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children}
    </div>
  );
}

/** A page's heading row with optional actions on the right. */
export function PageHeader(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{props.title}</h1>
      {props.children && <div class="page-actions">{props.children}</div>}
    </header>
  );
}

const SectionLevel = createContext<2 | 3>(2);

/** Gives the sections inside it h3 titles: they sit under a group's h2 (as on Settings). */
export function SubSections(props: { children: ComponentChildren }) {
  return <SectionLevel.Provider value={3}>{props.children}</SectionLevel.Provider>;
}

/** A titled section of a page. */
export function Section(props: { title: string; id?: string; children: ComponentChildren }) {
  const id = useId();
  const Heading = useContext(SectionLevel) === 3 ? "h3" : "h2";
  return (
    <section class="card" aria-labelledby={props.id ?? id}>
      <Heading id={props.id ?? id}>{props.title}</Heading>
      {props.children}
    </section>
  );
}
