// The phone's quick-add button asks the register's entry row for focus: by an event when the
// row is on screen already, by a flag the row takes when it mounts after the navigation.
const eventName = "fintrack:quick-add";
let pending = false;

/** Asks the entry row to take focus, now or once it mounts. */
export function requestEntry(): void {
  pending = true;
  window.dispatchEvent(new Event(eventName));
}

/** Whether focus was asked for and not yet taken; taking it clears the request. */
export function takeEntryRequest(): boolean {
  const asked = pending;
  pending = false;
  return asked;
}

/** Calls `onRequest` whenever quick-add is pressed while the row is mounted; returns the undo. */
export function onEntryRequest(onRequest: () => void): () => void {
  window.addEventListener(eventName, onRequest);
  return () => {
    window.removeEventListener(eventName, onRequest);
  };
}
