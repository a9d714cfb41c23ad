import { describe, expect, it } from "vitest";
import {
  appendBalances,
  type BalanceSource,
  countBalances,
  type RunningBalances,
  updateBalances,
} from "./running-balances.ts";

const eur: BalanceSource = { closing: "1000.00", currency: "EUR", epoch: 0 };
const rows = (...amounts: string[]) => amounts.map((amount) => ({ amount }));

/** Deterministic amounts from -200.00 to +199.99, some positive, for pages of any length. */
function amounts(count: number, seed = 7): { amount: string }[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const cents = (x % 40_000) - 20_000;
    const sign = cents < 0 ? "-" : "";
    const abs = Math.abs(cents);
    return {
      amount: `${sign}${String(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, "0")}`,
    };
  });
}

describe("countBalances", () => {
  it("ends the newest row at the closing balance and takes each amount off the next older", () => {
    const b = countBalances(eur, rows("-42.50", "1234.56", "-0.05"));
    expect(b.after).toEqual(["1000.00", "1042.50", "-192.06"]);
    // Before the oldest row: what the next page starts from.
    expect(b.carry).toBe(-19201n);
  });

  it("is exact beyond what a float can hold", () => {
    const big: BalanceSource = { closing: "90071992547409.93", currency: "EUR", epoch: 0 };
    expect(countBalances(big, rows("0.01", "-0.01")).after).toEqual([
      "90071992547409.93",
      "90071992547409.92",
    ]);
  });

  it("uses the currency's decimals", () => {
    const jpy = countBalances({ closing: "5000", currency: "JPY", epoch: 0 }, rows("-120", "80"));
    expect(jpy.after).toEqual(["5000", "5120"]);
    const bhd = countBalances({ closing: "1.000", currency: "BHD", epoch: 0 }, rows("0.125"));
    expect(bhd.after).toEqual(["1.000"]);
    expect(bhd.carry).toBe(875n);
  });

  it("counts an amount it cannot read as zero", () => {
    expect(countBalances(eur, rows("n/a", "-1.00")).after).toEqual(["1000.00", "1000.00"]);
  });

  it("has no balances without rows", () => {
    const none = countBalances(eur, []);
    expect(none.after).toEqual([]);
    expect(none.carry).toBe(100000n);
  });
});

describe("appendBalances", () => {
  it("gives a page appended the same balances as counting every row from scratch", () => {
    const all = amounts(1700);
    let paged = countBalances(eur, all.slice(0, 500));
    for (let from = 500; from < all.length; from += 500) {
      paged = appendBalances(paged, all.slice(from, from + 500));
    }
    const whole = countBalances(eur, all);
    expect(paged.after).toHaveLength(1700);
    expect(paged.after).toEqual(whole.after);
    expect(paged.carry).toBe(whole.carry);
  });

  it("leaves the balances it was given as they were", () => {
    const first = countBalances(eur, rows("-1.00"));
    const more = appendBalances(first, rows("-2.00"));
    expect(first.after).toEqual(["1000.00"]);
    expect(more.after).toEqual(["1000.00", "1001.00"]);
  });
});

describe("updateBalances", () => {
  const page1 = amounts(500, 1);
  const page2 = amounts(500, 2);
  const both = [...page1, ...page2];

  it("counts on from the previous balances when a page was appended", () => {
    const previous = countBalances(eur, page1);
    const next = updateBalances(previous, eur, both);
    expect(next.after).toEqual(countBalances(eur, both).after);
    // The earlier rows were not counted again: their balances are the very same strings.
    expect(next.after.slice(0, 500)).toEqual(previous.after);
  });

  it("returns the previous balances when no row was added", () => {
    const previous = countBalances(eur, page1);
    expect(updateBalances(previous, eur, page1)).toBe(previous);
  });

  it("counts from scratch the first time", () => {
    expect(updateBalances(undefined, eur, page1).after).toEqual(countBalances(eur, page1).after);
  });

  it("counts from scratch when the rows changed in place (a new epoch)", () => {
    const previous = countBalances(eur, rows("-1.00", "-2.00"));
    const edited = updateBalances(previous, { ...eur, epoch: 1 }, rows("-1.00", "-5.00", "3.00"));
    expect(edited.after).toEqual(["1000.00", "1001.00", "1006.00"]);
  });

  it("counts from scratch when the account's balance or currency changed", () => {
    const previous: RunningBalances = countBalances(eur, page1);
    const moved = { ...eur, closing: "900.00" };
    expect(updateBalances(previous, moved, both).after).toEqual(countBalances(moved, both).after);
    const yen = { ...eur, closing: "1000", currency: "JPY" };
    expect(updateBalances(previous, yen, rows("-1")).after).toEqual(["1000"]);
  });

  it("counts from scratch when there are fewer rows than were counted", () => {
    const previous = countBalances(eur, both);
    expect(updateBalances(previous, eur, page1).after).toEqual(countBalances(eur, page1).after);
  });
});
