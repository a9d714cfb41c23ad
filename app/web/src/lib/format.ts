// Dates and numbers through Intl, in the browser's locale (or the one the user picked).

let locale: string | undefined;

/** Sets the locale every formatter uses; undefined follows the browser. */
export function setLocale(value: string | undefined): void {
  locale = value;
}

/** The locale in use (undefined: the browser's). */
export function currentLocale(): string | undefined {
  return locale;
}

/** "2026-03-05" -> "Mar 5, 2026" in the user's locale; plain dates never shift by time zone. */
export function formatDate(date: string, style: "medium" | "short" = "medium"): string {
  const [y, m, d] = date.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return date;
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: "UTC" }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** "2026-03" or "2026-03-31" -> "Mar 2026". */
export function formatMonth(date: string): string {
  const [y, m] = date.split("-").map(Number);
  if (y === undefined || m === undefined) return date;
  return new Intl.DateTimeFormat(locale, {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** An ISO instant as a local date and time. */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
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
