/** Text layout shared by the commands: aligned tables, ages and sizes as kubectl shows them. */

/** Rows as aligned columns, two spaces apart; the last column is never padded. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
  );
}

/** How long ago a timestamp was, in kubectl's style: 45s, 12m, 5h, 3d. */
export function age(since: string | undefined, now: Date): string {
  if (!since) return "-";
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (Number.isNaN(seconds)) return "-";
  if (seconds < 120) return `${String(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${String(minutes)}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${String(hours)}h`;
  return `${String(Math.floor(hours / 24))}d`;
}

/** A byte count in binary units, as `kubectl get pvc` shows sizes: 512 B, 1.5 KiB, 12.0 MiB. */
export function bytes(count: number | undefined): string {
  if (count === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${String(count)} B` : `${value.toFixed(1)} ${units[unit] ?? ""}`;
}

/** `ready/desired`, for replicas. */
export function replicas(ready: number | undefined, desired: number | undefined): string {
  return `${String(ready ?? 0)}/${String(desired ?? 0)}`;
}
