import { describe, expect, it } from "vitest";
import { describeThrottle } from "../../test/harness/stores-contract.ts";
import {
  backoffMs,
  defaultLoginThrottle,
  ipBucket,
  memoryThrottle,
  throttleStep,
} from "./throttle.ts";

const client = defaultLoginThrottle.client;

describe("backoffMs", () => {
  it("is free for the first five failures of an account from one client, then 1 s, 2 s, 4 s ...", () => {
    expect([0, 4].map((n) => backoffMs(n, client))).toEqual([0, 0]);
    expect([5, 6, 7, 8].map((n) => backoffMs(n, client))).toEqual([1000, 2000, 4000, 8000]);
  });

  it("never asks more than 15 minutes, however many failures", () => {
    expect(backoffMs(15, client)).toBe(15 * 60_000);
    expect(backoffMs(10_000, client)).toBe(15 * 60_000);
  });

  it("lets unknown clients together fail 100 times a day on one account, as NIST allows", () => {
    const ceiling = defaultLoginThrottle.account;
    expect(backoffMs(99, ceiling)).toBe(0);
    expect(backoffMs(100, ceiling)).toBe(1000);
    expect(ceiling.windowMs).toBe(24 * 60 * 60_000);
    expect(backoffMs(10_000, ceiling)).toBe(15 * 60_000);
  });

  it("gives an IP fifty free attempts, for a household behind one address", () => {
    expect(backoffMs(49, defaultLoginThrottle.ip)).toBe(0);
    expect(backoffMs(50, defaultLoginThrottle.ip)).toBe(1000);
  });
});

describe("throttleStep", () => {
  it("counts an allowed attempt and does not count a refused one", () => {
    const state = { count: 5, lastAt: 1000 };
    expect(throttleStep(state, 1500, client)).toEqual({ state, waitMs: 500 });
    expect(throttleStep(state, 2000, client)).toEqual({
      state: { count: 6, lastAt: 2000 },
      waitMs: 0,
    });
  });

  it("starts over once a window has passed since the last attempt", () => {
    expect(throttleStep({ count: 40, lastAt: 0 }, client.windowMs, client)).toEqual({
      state: { count: 1, lastAt: client.windowMs },
      waitMs: 0,
    });
  });
});

describe("ipBucket", () => {
  it("keeps IPv4 addresses, also IPv6-mapped ones", () => {
    expect(ipBucket("192.0.2.7")).toBe("192.0.2.7");
    expect(ipBucket("::ffff:192.0.2.7")).toBe("192.0.2.7");
  });

  it("puts every IPv6 address of one /64 in one bucket, however it is written", () => {
    expect(ipBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(ipBucket("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(ipBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(ipBucket("::1")).toBe("0:0:0:0::/64");
  });

  it("passes anything else through", () => {
    expect(ipBucket("unknown")).toBe("unknown");
  });
});

describeThrottle("memory", () => memoryThrottle());
