/** A parsed 5-field cron schedule (minute hour day-of-month month day-of-week), in UTC. */
export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** Day-of-month and day-of-week both restricted: a day matches when either does (Vixie cron). */
  dayOr: boolean;
}

const monthNames = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  what: string;
  min: number;
  max: number;
  names?: string[];
  /** Where names start counting: months 1, weekdays 0. */
  nameBase?: number;
}

const fields: FieldSpec[] = [
  { what: "minute", min: 0, max: 59 },
  { what: "hour", min: 0, max: 23 },
  { what: "day of month", min: 1, max: 31 },
  { what: "month", min: 1, max: 12, names: monthNames, nameBase: 1 },
  { what: "day of week", min: 0, max: 7, names: dayNames, nameBase: 0 },
];

function value(text: string, spec: FieldSpec): number {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const n = byName >= 0 ? byName + (spec.nameBase ?? 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
    throw new Error(`${spec.what} ${JSON.stringify(text)} is not in ${spec.min}-${spec.max}`);
  }
  return n;
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${spec.what} ${part}`);
    let [from, to] = [spec.min, spec.max];
    if (range !== "*") {
      const [a = "", b] = range.split("-");
      from = value(a, spec);
      to = b === undefined ? (stepText === undefined ? from : spec.max) : value(b, spec);
      if (to < from) throw new Error(`${spec.what} range ${range} runs backwards`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses a 5-field cron expression; throws naming the field that is wrong. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`cron "${expression}" must have 5 fields`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields.map((spec, i) =>
    parseField(parts[i] ?? "", spec),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.has(7)) daysOfWeek.add(0);
  return {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    dayOr: parts[2] !== "*" && parts[4] !== "*",
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  return s.dayOr ? dom || dow : dom && dow;
}

/** The first time strictly after `after` that the schedule fires, to the minute. */
export function nextRun(s: CronSchedule, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Skipping whole months, days and hours keeps this to a few hundred steps even for yearly runs.
  for (let i = 0; i < 100_000; i++) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else {
      return t;
    }
  }
  throw new Error("the cron schedule never fires (for example February 30th)");
}

/**
 * The longest gap between consecutive runs over the next `runs` runs from `from`: what "twice
 * the schedule interval" measures, so a weekday-only schedule is not stale over a weekend.
 */
export function longestInterval(s: CronSchedule, from: Date, runs = 16): number {
  let previous = nextRun(s, from);
  let longest = 0;
  for (let i = 0; i < runs; i++) {
    const next = nextRun(s, previous);
    longest = Math.max(longest, next.getTime() - previous.getTime());
    previous = next;
  }
  return longest;
}
