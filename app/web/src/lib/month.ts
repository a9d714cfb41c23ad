// Budget months as "YYYY-MM" strings: plain calendar arithmetic, never through time zones.

/** This month in the browser's time zone, "YYYY-MM". */
export function thisMonth(): string {
  const now = new Date();
  return `${String(now.getFullYear())}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

/** `month` moved by `delta` months: addMonths("2026-01", -1) is "2025-12". */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  if (y === undefined || m === undefined) return month;
  const index = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(index / 12))}-${String((index % 12) + 1).padStart(2, "0")}`;
}
