// Dates and numbers through Intl, in the browser's locale (or the one the user picked, kept in
// localStorage so every page load formats the same way).

const LOCALE_KEY = "fintrack.locale";

/** `value` in canonical form ("de-de" -> "de-DE"), or undefined when Intl does not take it. */
export function canonicalLocale(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return Intl.getCanonicalLocales(value)[0];
  } catch {
    return undefined;
  }
}

function storedLocale(): string | undefined {
  try {
    return canonicalLocale(localStorage.getItem(LOCALE_KEY));
  } catch {
    return undefined; // storage blocked, or no storage at all: follow the browser
  }
}

let locale: string | undefined = storedLocale();

/** Sets the locale every formatter uses and remembers it; undefined follows the browser. */
export function setLocale(value: string | undefined): void {
  locale = canonicalLocale(value);
  try {
    if (locale === undefined) localStorage.removeItem(LOCALE_KEY);
    else localStorage.setItem(LOCALE_KEY, locale);
  } catch {
    // Storage blocked: the choice holds for this page load only.
  }
}

/** The locale in use (undefined: the browser's). */
export function currentLocale(): string | undefined {
  return locale;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const countFormats = new Map<string, Intl.NumberFormat>();

/**
 * One Intl.DateTimeFormat per locale and kind, reused: making one costs far more than formatting
 * with it, and the register formats two dates per row on every frame it scrolls.
 */
function dateFormat(kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${kind}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/** A count as the locale writes it: 1234 -> "1,234" (en) or "1.234" (de). */
export function formatCount(value: number): string {
  const key = locale ?? "";
  let format = countFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale);
    countFormats.set(key, format);
  }
  return format.format(value);
}

/** "2026-03-05" -> "Mar 5, 2026" in the user's locale; plain dates never shift by time zone. */
export function formatDate(date: string, style: "medium" | "short" = "medium"): string {
  const [y, m, d] = date.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return date;
  return dateFormat(`date-${style}`, { dateStyle: style, timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** "2026-03" or "2026-03-31" -> "Mar 2026". */
export function formatMonth(date: string): string {
  const [y, m] = date.split("-").map(Number);
  if (y === undefined || m === undefined) return date;
  return dateFormat("month", { month: "short", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
}

/** An ISO instant as a local date and time. */
export function formatDateTime(iso: string): string {
  return dateFormat("date-time", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** A byte count as "1.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: units[unit] ?? "byte",
    unitDisplay: "short",
    maximumFractionDigits: 1,
  }).format(value);
}

/** Today as "YYYY-MM-DD" in the browser's time zone. */
export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(now.getFullYear())}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** An API message (a lower-case clause) shown on its own: capitalised, ending in a full stop. */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
