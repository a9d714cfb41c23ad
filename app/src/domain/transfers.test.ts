import { describe, expect, it } from "vitest";
import { parseAmount } from "./money.ts";
import { planTransfer, repriceTransfer } from "./transfers.ts";

const eur = (text: string) => parseAmount(text, "EUR");
const jpy = (text: string) => parseAmount(text, "JPY");

describe("planTransfer", () => {
  it("mirrors the amount in one currency when no counter amount is given", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-25.00"),
      counterAccountId: "2",
      counterCurrency: "EUR",
    });
    expect(decision).toEqual({ ok: true, counterAmount: eur("25.00") });
  });

  it("accepts the exact mirror as a given counter amount in one currency", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("10.50"),
      counterAccountId: "2",
      counterCurrency: "EUR",
      counterAmount: eur("-10.50"),
    });
    expect(decision).toEqual({ ok: true, counterAmount: eur("-10.50") });
  });

  it("refuses a counter amount that differs from the mirror in one currency", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-10.00"),
      counterAccountId: "2",
      counterCurrency: "EUR",
      counterAmount: eur("9.99"),
    });
    expect(decision.ok).toBe(false);
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual(["transfer.amount"]);
  });

  it("requires the counter amount when the currencies differ", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-100.00"),
      counterAccountId: "2",
      counterCurrency: "JPY",
    });
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual(["transfer.amount"]);
    expect(!decision.ok && decision.problems[0]?.message).toMatch(/required/);
  });

  it("takes both amounts across currencies when their signs oppose", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-100.00"),
      counterAccountId: "2",
      counterCurrency: "JPY",
      counterAmount: jpy("16250"),
    });
    expect(decision).toEqual({ ok: true, counterAmount: jpy("16250") });
  });

  it.each([
    ["the same sign", "-16250"],
    ["zero", "0"],
  ])("refuses a cross-currency counter amount of %s", (_, counter) => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-100.00"),
      counterAccountId: "2",
      counterCurrency: "JPY",
      counterAmount: jpy(counter),
    });
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual(["transfer.amount"]);
  });

  it("refuses a counter amount in a currency other than the other account's", () => {
    const decision = planTransfer({
      accountId: "1",
      amount: eur("-1.00"),
      counterAccountId: "2",
      counterCurrency: "JPY",
      counterAmount: eur("1.00"),
    });
    expect(!decision.ok && decision.problems[0]?.message).toMatch(/other account is in JPY/);
  });

  it("reports both a transfer to the same account and a zero amount", () => {
    const decision = planTransfer({
      accountId: "7",
      amount: eur("0"),
      counterAccountId: "7",
      counterCurrency: "EUR",
    });
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual([
      "transfer.accountId",
      "amount",
    ]);
  });
});

describe("repriceTransfer", () => {
  it("mirrors a changed amount in one currency", () => {
    expect(repriceTransfer({ amount: eur("-40.00"), previousCounter: eur("25.00") })).toEqual({
      ok: true,
      counterAmount: eur("40.00"),
    });
  });

  it("keeps the previous cross-currency counter amount while the signs still oppose", () => {
    expect(repriceTransfer({ amount: eur("-110.00"), previousCounter: jpy("16250") })).toEqual({
      ok: true,
      counterAmount: jpy("16250"),
    });
  });

  it("takes a given cross-currency counter amount", () => {
    expect(
      repriceTransfer({
        amount: eur("-110.00"),
        previousCounter: jpy("16250"),
        counterAmount: jpy("17800"),
      }),
    ).toEqual({ ok: true, counterAmount: jpy("17800") });
  });

  it("asks for the counter amount when a cross-currency transfer changes direction", () => {
    const decision = repriceTransfer({ amount: eur("100.00"), previousCounter: jpy("16250") });
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual(["transfer.amount"]);
  });

  it("refuses to reprice a transfer to zero", () => {
    const decision = repriceTransfer({ amount: eur("0.00"), previousCounter: eur("5.00") });
    expect(!decision.ok && decision.problems.map((p) => p.path)).toEqual(["amount"]);
  });
});
