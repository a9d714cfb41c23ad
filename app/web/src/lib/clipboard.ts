// Copying a secret (a new token, an invitation link, recovery codes) to the clipboard. The async
// Clipboard API needs a secure context and the page's focus; where it is missing or refuses, the
// old select-and-execCommand way still works in most browsers.

/** What copying needs from the browser; the defaults are the real ones. */
export interface ClipboardEnv {
  clipboard: Pick<Clipboard, "writeText"> | undefined;
  /** The fallback: copies `text` through a selected, off-screen text area. */
  execCopy: (text: string) => boolean;
}

function execCopy(text: string): boolean {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  const focused = document.activeElement;
  area.select();
  try {
    // Deprecated but still the only way where the Clipboard API is missing or refuses.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
    if (focused instanceof HTMLElement) focused.focus();
  }
}

function browserEnv(): ClipboardEnv {
  return {
    clipboard: typeof navigator === "undefined" ? undefined : navigator.clipboard,
    execCopy,
  };
}

/** Copies `text`; true when it reached the clipboard one way or the other. */
export async function copyText(text: string, env: ClipboardEnv = browserEnv()): Promise<boolean> {
  if (env.clipboard) {
    try {
      await env.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, page not focused): try the fallback below.
    }
  }
  return env.execCopy(text);
}
