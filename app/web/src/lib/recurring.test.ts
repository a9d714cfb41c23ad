import { describe, expect, it } from "vitest";
import {
  addDays,
  describeSchedule,
  draftOf,
  dueAndUpcoming,
  emptyDraft,
  nextOccurrences,
  type Occurrence,
  ordinal,
  postBody,
  type Recurring,
  recurringBody,
  signedAmount,
  typedAmount,
  whenDue,
} from "./recurring.ts";

function aRecurring(overrides: Partial<Recurring> = {}): Recurring {
  return {
    id: "1",
    name: "Rent",
    accountId: "3",
    amount: "-850.00",
    currency: "EUR",
    payee: "Landlord",
    description: "",
    categoryId: null,
    tags: [],
    unit: "month",
    every: 1,
    dayOfMonth: null,
    startDate: "2026-01-01",
    endDate: null,
    occurrences: null,
    autoPost: false,
    matchDays: 3,
    ...overrides,
  };
}

function anOccurrence(overrides: Partial<Occurrence> = {}): Occurrence {
  return {
    recurringId: "1",
    name: "Rent",
    date: "2026-03-01",
    accountId: "3",
    amount: "-850.00",
    currency: "EUR",
    payee: "Landlord",
    autoPost: false,
    due: false,
    ...overrides,
  };
}

describe("bill drafts", () => {
  it("keeps the sign out of the amount and in the direction", () => {
    expect(draftOf(aRecurring())).toMatchObject({ amount: "850.00", direction: "outflow" });
    expect(draftOf(aRecurring({ amount: "2500.00" }))).toMatchObject({
      amount: "2500.00",
      direction: "inflow",
    });
  });

  it("signs the amount by the direction, whatever sign was typed", () => {
    expect(signedAmount("12.3", "outflow", "EUR")).toBe("-12.30");
    expect(signedAmount("-12.3", "inflow", "EUR")).toBe("12.30");
    expect(signedAmount("0", "outflow", "EUR")).toBe("0.00");
    expect(signedAmount("1500", "outflow", "JPY")).toBe("-1500");
    expect(signedAmount("12.345", "outflow", "EUR")).toBe("12.345");
  });

  it("takes a typed sign as the direction", () => {
    expect(typedAmount("-12", "inflow")).toEqual({ amount: "12", direction: "outflow" });
    expect(typedAmount("+12", "outflow")).toEqual({ amount: "12", direction: "inflow" });
    expect(typedAmount("12", "inflow")).toEqual({ amount: "12", direction: "inflow" });
  });

  it("round-trips a stored schedule through the form", () => {
    const rent = aRecurring({ dayOfMonth: -1, endDate: "2027-12-31", categoryId: "7" });
    expect(recurringBody(draftOf(rent), "EUR")).toEqual({
      name: "Rent",
      accountId: "3",
      payee: "Landlord",
      amount: "-850.00",
      categoryId: "7",
      unit: "month",
      every: 1,
      dayOfMonth: -1,
      startDate: "2026-01-01",
      endDate: "2027-12-31",
      autoPost: false,
      matchDays: 3,
    });
  });

  it("sends a day of month only for monthly schedules, and bad numbers for the API to name", () => {
    const draft = { ...emptyDraft("3", "2026-02-10"), unit: "week" as const, dayOfMonth: "5" };
    expect(recurringBody(draft, "EUR").dayOfMonth).toBeNull();
    expect(recurringBody({ ...draft, every: "two" }, "EUR").every).toBeNaN();
  });

  it("posts only what was changed from the schedule", () => {
    const rent = anOccurrence();
    expect(postBody(rent, { amount: "850", direction: "outflow", date: "2026-03-01" })).toEqual({});
    expect(postBody(rent, { amount: "861.2", direction: "outflow", date: "2026-03-03" })).toEqual({
      amount: "-861.20",
      date: "2026-03-03",
    });
  });
});

describe("schedules in words", () => {
  it("names the day a schedule falls on", () => {
    expect(describeSchedule(aRecurring())).toBe("Monthly on the 1st");
    expect(describeSchedule(aRecurring({ dayOfMonth: -1 }))).toBe("Monthly on the last day");
    expect(describeSchedule(aRecurring({ every: 3, dayOfMonth: 22 }))).toBe(
      "Every 3 months on the 22nd",
    );
    expect(describeSchedule(aRecurring({ startDate: "2026-01-31" }))).toBe(
      "Monthly on the 31st (or the month’s last day)",
    );
    expect(describeSchedule(aRecurring({ unit: "week", every: 2, startDate: "2026-01-02" }))).toBe(
      "Every 2 weeks on Friday",
    );
    expect(describeSchedule(aRecurring({ unit: "day" }))).toBe("Daily");
    expect(describeSchedule(aRecurring({ unit: "year", startDate: "2026-03-05" }))).toBe(
      "Yearly on Mar 5",
    );
  });

  it("says when a schedule ends", () => {
    expect(describeSchedule(aRecurring({ occurrences: 12, endDate: "2026-12-31" }))).toBe(
      "Monthly on the 1st, 12 times, until Dec 31, 2026",
    );
  });

  it("writes English ordinals", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "23rd",
      "31st",
    ]);
  });
});

describe("occurrences", () => {
  const list = [
    anOccurrence({ date: "2026-02-20", due: true, recurringId: "2" }),
    anOccurrence({ date: "2026-03-01", due: true }),
    anOccurrence({ date: "2026-03-10", recurringId: "2" }),
    anOccurrence({ date: "2026-04-01" }),
  ];

  it("finds each bill's next open occurrence, an overdue one first", () => {
    const next = nextOccurrences(list);
    expect(next.get("1")?.date).toBe("2026-03-01");
    expect(next.get("2")?.date).toBe("2026-02-20");
  });

  it("splits what is due from what comes within the horizon", () => {
    const { due, upcoming } = dueAndUpcoming(list, "2026-03-01", 30);
    expect(due.map((o) => o.date)).toEqual(["2026-02-20", "2026-03-01"]);
    expect(upcoming.map((o) => o.date)).toEqual(["2026-03-10"]);
  });

  it("says overdue, due today or the date", () => {
    expect(whenDue({ date: "2026-02-20", due: true }, "2026-03-01")).toBe(
      "Overdue since Feb 20, 2026",
    );
    expect(whenDue({ date: "2026-03-01", due: true }, "2026-03-01")).toBe("Due today");
    expect(whenDue({ date: "2026-03-10", due: false }, "2026-03-01")).toBe("Mar 10, 2026");
  });

  it("adds days across month and year ends", () => {
    expect(addDays("2026-12-30", 3)).toBe("2027-01-02");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
