/** How many backups to keep; the optional buckets keep the newest backup of each period. */
export interface RetentionPolicy {
  keepLast: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

/** What retention needs to know about one stored backup. */
export interface RetainedBackup {
  name: string;
  /** When the backup was taken. */
  time: Date;
  /** True when a verification restored it and found it matching its manifest. */
  verified: boolean;
}

/** A retention decision: what stays, what goes, and why each kept backup stays. */
export interface RetentionPlan {
  keep: Map<string, string[]>;
  remove: string[];
}

/**
 * Applies a retention policy (restic/borg style): the newest `keepLast`, plus the newest backup
 * of each of the last `keepDaily` days, `keepWeekly` ISO weeks and `keepMonthly` months that
 * have one, all in UTC. The newest verified backup is always kept, so pruning can never leave a
 * tenant with only unproven backups when a proven one exists.
 */
export function planRetention(
  backups: readonly RetainedBackup[],
  policy: RetentionPolicy,
): RetentionPlan {
  const newestFirst = [...backups].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || (a.name < b.name ? 1 : -1),
  );
  const keep = new Map<string, string[]>();
  const mark = (name: string, why: string) => {
    keep.set(name, [...(keep.get(name) ?? []), why]);
  };
  newestFirst.slice(0, Math.max(0, policy.keepLast)).forEach((b) => {
    mark(b.name, "last");
  });
  const buckets: [number | undefined, string, (d: Date) => string][] = [
    [policy.keepDaily, "daily", (d) => d.toISOString().slice(0, 10)],
    [policy.keepWeekly, "weekly", isoWeek],
    [policy.keepMonthly, "monthly", (d) => d.toISOString().slice(0, 7)],
  ];
  for (const [count, why, period] of buckets) {
    if (!count) continue;
    const seen = new Set<string>();
    for (const b of newestFirst) {
      const p = period(b.time);
      if (seen.has(p)) continue;
      if (seen.size >= count) break;
      seen.add(p);
      mark(b.name, why);
    }
  }
  const newestVerified = newestFirst.find((b) => b.verified);
  if (
    newestVerified &&
    ![...keep.keys()].some((n) => backups.find((b) => b.name === n)?.verified)
  ) {
    mark(newestVerified.name, "only verified");
  }
  return { keep, remove: newestFirst.filter((b) => !keep.has(b.name)).map((b) => b.name) };
}

/** ISO 8601 week of a UTC date, as "2025-W01". */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}
