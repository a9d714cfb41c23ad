// Light and dark themes: follow the system unless the user picked one (kept in localStorage).
import { useEffect, useState } from "preact/hooks";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "fintrack.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");

function stored(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** Applies a choice to <html data-theme>, which the stylesheet keys its colours on. */
export function applyTheme(choice: ThemeChoice = stored()): "light" | "dark" {
  const resolved = choice === "system" ? (media.matches ? "dark" : "light") : choice;
  document.documentElement.dataset.theme = resolved;
  return resolved;
}

// Following the system also on screens without the toggle (sign-in).
media.addEventListener("change", () => {
  applyTheme();
});

/** The user's theme choice and a setter that remembers it. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  useEffect(() => {
    applyTheme(choice);
  }, [choice]);
  return [
    choice,
    (next) => {
      if (next === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
      setChoice(next);
    },
  ];
}
