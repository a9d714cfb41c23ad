import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";

/**
 * A ref for a `<dialog>` that is shown as a modal while its component is mounted; closing it
 * gives focus back to whatever opened it, as keyboard users expect.
 */
export function useModal(): RefObject<HTMLDialogElement | null> {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    dialog?.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener instanceof HTMLElement) opener.focus();
    };
  }, []);
  return ref;
}
