import { useEffect, useRef, useState } from "preact/hooks";
import { api, type PayeeSuggestion, query } from "../../lib/api.ts";

/** How long typing pauses before suggestions are asked for. */
const DEBOUNCE_MS = 120;

/**
 * What the server suggests for `text`, asked once typing pauses and only while `open`; none
 * until the answer for this very text is in, so a stale list never shows.
 */
function useSuggestions(text: string, open: boolean): PayeeSuggestion[] {
  const [answer, setAnswer] = useState<{ q: string; list: PayeeSuggestion[] }>();
  const q = text.trim();
  useEffect(() => {
    if (!open || q === "") return undefined;
    let current = true;
    const t = setTimeout(() => {
      api.get<{ data: PayeeSuggestion[] }>(`/payees${query({ q, limit: 8 })}`).then(
        (res) => {
          if (current) setAnswer({ q, list: res.data });
        },
        () => {
          // Suggestions are a convenience: without them the field is a plain text field.
          if (current) setAnswer({ q, list: [] });
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [q, open]);
  return answer?.q === q ? answer.list : [];
}

/**
 * The payee field as a combobox: suggestions from GET /payees as one types, ArrowDown/ArrowUp to
 * move, Enter or Tab to take one (`onPick`), Escape to close the list. Leaving the field on a
 * name a suggestion spells the same way counts as taking it, so its category is remembered too.
 */
export function PayeeInput(props: {
  id: string;
  value: string;
  disabled?: boolean;
  inputRef?: { current: HTMLInputElement | null };
  onValue: (value: string) => void;
  onPick: (suggestion: PayeeSuggestion) => void;
  /** The category path shown beside a suggestion ("" for none). */
  categoryName: (id: string | null) => string;
}) {
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const [active, setActive] = useState(-1);
  const suggestions = useSuggestions(props.value, focused);
  const listId = `${props.id}-list`;
  const open = focused && !dismissed && suggestions.length > 0 && props.value.trim() !== "";
  const picked = useRef(false);

  useEffect(() => {
    setActive(-1);
  }, [suggestions]);

  const pick = (s: PayeeSuggestion) => {
    picked.current = true;
    props.onPick(s);
    setDismissed(true);
    setActive(-1);
  };

  return (
    <div class="combobox">
      <input
        ref={props.inputRef}
        id={props.id}
        name="payee"
        type="text"
        role="combobox"
        autocomplete="off"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active >= 0 ? `${listId}-${String(active)}` : undefined}
        disabled={props.disabled}
        value={props.value}
        onInput={(e) => {
          picked.current = false;
          setDismissed(false);
          props.onValue(e.currentTarget.value);
        }}
        onFocus={() => {
          setFocused(true);
        }}
        onBlur={() => {
          setFocused(false);
          const typed = props.value.trim().toLowerCase();
          const same = suggestions.find((s) => s.payee.toLowerCase() === typed);
          if (!picked.current && same) props.onPick({ ...same, payee: props.value.trim() });
        }}
        onKeyDown={(e) => {
          if (!open) return;
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            const n = suggestions.length;
            setActive((a) => (e.key === "ArrowDown" ? (a + 1) % n : a <= 0 ? n - 1 : a - 1));
          } else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) {
            const s = suggestions[active];
            if (!s) return;
            if (e.key === "Enter") e.preventDefault();
            pick(s);
          } else if (e.key === "Escape") {
            // The list closes; a second Escape reaches the row and clears it.
            e.preventDefault();
            e.stopPropagation();
            setDismissed(true);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label="Suggestions" class="combobox-list" hidden={!open}>
        {open &&
          suggestions.map((s, i) => (
            <li
              key={s.payee}
              id={`${listId}-${String(i)}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? "active" : ""}
              onMouseDown={(e) => {
                // Before the input's blur, so the pick is not lost.
                e.preventDefault();
                pick(s);
              }}
            >
              <span>{s.payee}</span>
              {s.categoryId !== null && (
                <span class="combobox-note">{props.categoryName(s.categoryId)}</span>
              )}
            </li>
          ))}
      </ul>
    </div>
  );
}
