import { describe, expect, it } from "vitest";
import { accountId, loginBudgets, sessionBudget } from "./login-throttle.ts";
import { defaultLoginThrottle as policy } from "./throttle.ts";

const account = accountId("alice@example.test");

describe("accountId", () => {
  it("names an account by a hash of its email, whatever its case and spacing", () => {
    expect(accountId(" Alice@Example.TEST ")).toBe(account);
    expect(account).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("loginBudgets", () => {
  it("charges a trusted device to its own counter only, never the account's or the address's", () => {
    expect(loginBudgets(policy, account, "203.0.113.7", "dev1")).toEqual([
      { key: "login:device:dev1", policy: policy.client, onSuccess: "reset" },
    ]);
  });

  it("charges an unknown client to its address, its (account, address) pair and the ceiling", () => {
    const budgets = loginBudgets(policy, account, "2001:db8:1:2:3:4:5:6", undefined);
    expect(budgets.map((b) => [b.key, b.policy, b.onSuccess])).toEqual([
      ["login:ip:2001:db8:1:2::/64", policy.ip, "forgive"],
      [`login:client:${account}:2001:db8:1:2::/64`, policy.client, "reset"],
      [`login:account:${account}`, policy.account, "forgive"],
    ]);
  });
});

describe("sessionBudget", () => {
  it("charges re-authentication to the session alone, never the account's sign-in counters", () => {
    expect(sessionBudget(policy, "pub")).toEqual({
      key: "confirm:session:pub",
      policy: policy.client,
      onSuccess: "reset",
    });
  });
});
