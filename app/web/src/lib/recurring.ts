// The bills screen's model: recurring transactions as the API holds them, the form's draft of
// one (an unsigned amount and a direction, so nobody types a minus sign), the request bodies
// built from it, schedules in words and what the upcoming occurrences say about each bill.
import type { Answer, RequestBody } from "./api.ts";
import { currentLocale, formatDate } from "./format.ts";
import { negate, normalizeAmount, signOf } from "./money.ts";

export type Recurring = Answer<"getRecurring">;
export type RecurringList = Answer<"listRecurring">;
/** One occurrence of `GET /recurring/upcoming`: due (on or before today, unposted) or coming. */
export type Occurrence = Answer<"upcomingRecurring">["data"][number];
export type Upcoming = Answer<"upcomingRecurring">;
export type Posted = Answer<"postRecurringOccurrence", 201>;
export type RecurringBody = RequestBody<"createRecurring">;
export type PostBody = RequestBody<"postRecurringOccurrence">;
export type Unit = Recurring["unit"];
/** Money out of the account (a bill) or into it (a salary). */
export type Direction = "outflow" | "inflow";

/** A recurring transaction as the form holds it: every value as typed. */
export interface BillDraft {
  name: string;
  accountId: string;
  payee: string;
  direction: Direction;
  /** Without a sign: the direction gives it. */
  amount: string;
  categoryId: string;
  unit: Unit;
  every: string;
  /** "" for the start date's day, "-1" for the last day of the month, else "1" to "31". */
  dayOfMonth: string;
  startDate: string;
  endDate: string;
  autoPost: boolean;
  matchDays: string;
}

/** The units a schedule repeats in, as the form offers them. */
export const unitOptions: [Unit, string][] = [
  ["day", "Daily"],
  ["week", "Weekly"],
  ["month", "Monthly"],
  ["year", "Yearly"],
];

const unitNames: Record<Unit, [string, string]> = {
  day: ["day", "days"],
  week: ["week", "weeks"],
  month: ["month", "months"],
  year: ["year", "years"],
};

/** "day" or "days" for `unit`, as `count` wants it. */
export function unitName(unit: Unit, count: number): string {
  return unitNames[unit][count === 1 ? 0 : 1];
}

const ordinalRules = new Intl.PluralRules("en", { type: "ordinal" });
const ordinalSuffix: Partial<Record<Intl.LDMLPluralRule, string>> = {
  one: "st",
  two: "nd",
  few: "rd",
};

/** 1 -> "1st", 22 -> "22nd", 13 -> "13th". */
export function ordinal(n: number): string {
  return `${String(n)}${ordinalSuffix[ordinalRules.select(n)] ?? "th"}`;
}

/** The day-of-month choices: the start date's day, each day, the month's last day. */
export const dayOfMonthOptions: [string, string][] = [
  ["", "Same day as the start date"],
  ...Array.from({ length: 31 }, (_, i): [string, string] => [String(i + 1), ordinal(i + 1)]),
  ["-1", "Last day of the month"],
];

/** A new bill's draft: money out, monthly from today, in `accountId`. */
export function emptyDraft(accountId: string, today: string): BillDraft {
  return {
    name: "",
    accountId,
    payee: "",
    direction: "outflow",
    amount: "",
    categoryId: "",
    unit: "month",
    every: "1",
    dayOfMonth: "",
    startDate: today,
    endDate: "",
    autoPost: false,
    matchDays: "3",
  };
}

/** The draft that edits a stored recurring transaction. */
export function draftOf(r: Recurring): BillDraft {
  return {
    name: r.name,
    accountId: r.accountId,
    payee: r.payee,
    direction: signOf(r.amount) > 0 ? "inflow" : "outflow",
    amount: unsigned(r.amount),
    categoryId: r.categoryId ?? "",
    unit: r.unit,
    every: String(r.every),
    dayOfMonth: r.dayOfMonth === null ? "" : String(r.dayOfMonth),
    startDate: r.startDate,
    endDate: r.endDate ?? "",
    autoPost: r.autoPost,
    matchDays: String(r.matchDays),
  };
}

/** "-12.30" or "+12.30" -> "12.30". */
export function unsigned(amount: string): string {
  return amount.trim().replace(/^[+-]/, "");
}

/** A typed amount without its sign; a typed sign sets the direction instead. */
export function typedAmount(
  text: string,
  direction: Direction,
): { amount: string; direction: Direction } {
  const sign = text.trim().charAt(0);
  return {
    amount: unsigned(text),
    direction: sign === "-" ? "outflow" : sign === "+" ? "inflow" : direction,
  };
}

/**
 * The API's signed amount for an unsigned one and a direction, normalised to the currency's
 * decimals; what cannot be read is sent as typed, so the API names the field.
 */
export function signedAmount(amount: string, direction: Direction, currency: string): string {
  const typed = unsigned(amount);
  const normal = normalizeAmount(typed, currency);
  if (normal === undefined) return typed;
  return direction === "outflow" && signOf(normal) !== 0 ? negate(normal) : normal;
}

// A whole number as typed; anything else becomes NaN, which JSON sends as null for the API
// to refuse with the field's name.
function wholeNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** The body of `POST /recurring` or `PATCH /recurring/:id` (fields it does not show stay). */
export function recurringBody(draft: BillDraft, currency: string): RecurringBody {
  return {
    name: draft.name,
    accountId: draft.accountId,
    payee: draft.payee,
    amount: signedAmount(draft.amount, draft.direction, currency),
    categoryId: draft.categoryId === "" ? null : draft.categoryId,
    unit: draft.unit,
    every: wholeNumber(draft.every),
    dayOfMonth: draft.unit !== "month" || draft.dayOfMonth === "" ? null : Number(draft.dayOfMonth),
    startDate: draft.startDate,
    endDate: draft.endDate === "" ? null : draft.endDate,
    autoPost: draft.autoPost,
    matchDays: wholeNumber(draft.matchDays),
  };
}

/**
 * The body confirming an occurrence: only what differs from the schedule, so an unchanged
 * occurrence books (or matches) exactly what the schedule says.
 */
export function postBody(
  occurrence: Occurrence,
  change: { amount: string; direction: Direction; date: string },
): PostBody {
  const amount = signedAmount(change.amount, change.direction, occurrence.currency);
  return {
    ...(amount === occurrence.amount ? {} : { amount }),
    ...(change.date === occurrence.date || change.date === "" ? {} : { date: change.date }),
  };
}

function utc(date: string): Date {
  const [y = 1970, m = 1, d = 1] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** `date` moved by `days` (negative: back), as a plain date. */
export function addDays(date: string, days: number): string {
  const moved = utc(date);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

function weekday(date: string): string {
  return new Intl.DateTimeFormat(currentLocale(), { weekday: "long", timeZone: "UTC" }).format(
    utc(date),
  );
}

function dayAndMonth(date: string): string {
  return new Intl.DateTimeFormat(currentLocale(), {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  }).format(utc(date));
}

/** "Monthly on the 1st", "Every 2 weeks on Friday", "Yearly on Mar 5, until Dec 31, 2027". */
export function describeSchedule(
  r: Pick<Recurring, "unit" | "every" | "dayOfMonth" | "startDate" | "endDate" | "occurrences">,
): string {
  const start = Number(r.startDate.slice(8, 10));
  const every =
    r.every === 1
      ? (unitOptions.find(([u]) => u === r.unit)?.[1] ?? r.unit)
      : `Every ${String(r.every)} ${unitName(r.unit, r.every)}`;
  const when: Record<Unit, string> = {
    day: "",
    week: ` on ${weekday(r.startDate)}`,
    month:
      r.dayOfMonth === -1
        ? " on the last day"
        : ` on the ${ordinal(r.dayOfMonth ?? start)}${(r.dayOfMonth ?? start) > 28 ? " (or the month’s last day)" : ""}`,
    year: ` on ${dayAndMonth(r.startDate)}`,
  };
  const limits = [
    r.occurrences === null ? "" : `${String(r.occurrences)} times`,
    r.endDate === null ? "" : `until ${formatDate(r.endDate)}`,
  ].filter(Boolean);
  return `${every}${when[r.unit]}${limits.length > 0 ? `, ${limits.join(", ")}` : ""}`;
}

/** Each recurring transaction's first open occurrence (due ones included), by its id. */
export function nextOccurrences(occurrences: readonly Occurrence[]): Map<string, Occurrence> {
  const next = new Map<string, Occurrence>();
  for (const o of occurrences) {
    const seen = next.get(o.recurringId);
    if (seen === undefined || o.date < seen.date) next.set(o.recurringId, o);
  }
  return next;
}

/** When an occurrence falls, said against `today`: "Overdue since …", "Due today", or its date. */
export function whenDue(o: Pick<Occurrence, "date" | "due">, today: string): string {
  if (o.date < today) return `Overdue since ${formatDate(o.date)}`;
  if (o.date === today || o.due) return "Due today";
  return formatDate(o.date);
}

/**
 * The occurrences to act on: those due (the last month's, not yet posted or skipped), then the
 * ones up to `days` ahead of `today`.
 */
export function dueAndUpcoming(
  occurrences: readonly Occurrence[],
  today: string,
  days: number,
): { due: Occurrence[]; upcoming: Occurrence[] } {
  const horizon = addDays(today, days);
  return {
    due: occurrences.filter((o) => o.due),
    upcoming: occurrences.filter((o) => !o.due && o.date <= horizon),
  };
}
