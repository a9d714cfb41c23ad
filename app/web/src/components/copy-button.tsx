import { useEffect, useRef, useState } from "preact/hooks";
import { copyText } from "../lib/clipboard.ts";

/**
 * A button copying `text`, with a polite live region beside it that says "Copied" (or how to
 * copy by hand when the browser refuses) so screen-reader users hear the outcome too.
 */
export function CopyButton(props: { text: string; label: string }) {
  const [outcome, setOutcome] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
    },
    [],
  );
  const copy = async () => {
    const ok = await copyText(props.text);
    setOutcome(ok ? "Copied" : "Could not copy: select the text and copy it by hand");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setOutcome("");
    }, 4000);
  };
  return (
    <span class="copy">
      <button type="button" onClick={() => void copy()}>
        {props.label}
      </button>
      <span class="copy-outcome" role="status" aria-live="polite">
        {outcome}
      </span>
    </span>
  );
}
