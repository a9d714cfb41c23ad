import { describe, expect, it } from "vitest";
import {
  defaultSessionPolicy,
  memorySessionStore,
  publicIdOf,
  sessionExpiry,
  sessionTtl,
  shouldTouch,
} from "./sessions.ts";
import { describeSessionStore } from "../../test/harness/stores-contract.ts";

const policy = { idleMs: 100, absoluteMs: 1000, touchEveryMs: 10, recentAuthMs: 50 };

describe("sessionExpiry", () => {
  it("keeps a session alive while used within the idle timeout", () => {
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 950 }, 999, policy)).toBeUndefined();
  });

  it("ends a session idle for the idle timeout", () => {
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 100 }, 200, policy)).toBe("idle");
  });

  it("ends a session at its absolute timeout however busy it is", () => {
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 999 }, 1000, policy)).toBe("absolute");
  });

  it("defaults to 2 h idle and 7 days absolute", () => {
    expect(defaultSessionPolicy.idleMs).toBe(2 * 3600_000);
    expect(defaultSessionPolicy.absoluteMs).toBe(7 * 24 * 3600_000);
  });
});

describe("sessionTtl and shouldTouch", () => {
  it("keeps a session for the idle timeout, but never past its absolute end", () => {
    expect(sessionTtl({ createdAt: 0 }, 0, policy)).toBe(100);
    expect(sessionTtl({ createdAt: 0 }, 950, policy)).toBe(50);
  });

  it("writes lastSeenAt at most once per touch interval", () => {
    expect(shouldTouch(100, 109, policy)).toBe(false);
    expect(shouldTouch(100, 110, policy)).toBe(true);
  });

  it("shows a session under a hash of its id, not the id", () => {
    expect(publicIdOf("abc")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(publicIdOf("abc")).not.toContain("abc");
  });
});

describeSessionStore("memory", () => memorySessionStore());
