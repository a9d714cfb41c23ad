// Behaviour every SessionStore and Throttle must have, run against the memory implementations
// in the unit project and against Redis in the integration project.
import { beforeEach, describe, expect, it } from "vitest";
import { publicIdOf, type SessionData, type SessionStore } from "../../src/auth/sessions.ts";
import type { Throttle, ThrottlePolicy } from "../../src/auth/throttle.ts";

const aSession = (overrides: Partial<SessionData> = {}): SessionData => ({
  userId: "7",
  tenant: "tenant-a",
  createdAt: 1_000,
  lastSeenAt: 1_000,
  userAgent: "Firefox",
  ip: "192.0.2.1",
  ...overrides,
});

const hour = 3_600_000;

/** The SessionStore contract, against stores `make` gives (each test gets a fresh one). */
export function describeSessionStore(
  name: string,
  make: () => SessionStore | Promise<SessionStore>,
) {
  describe(`${name} session store`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await make();
    });

    it("creates 128-bit base64url ids and reads the session back under its public id", async () => {
      const id = await store.create(aSession(), hour, hour);
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(await store.get(id)).toEqual({ ...aSession(), publicId: publicIdOf(id) });
      expect(await store.get(id.slice(0, -1) + (id.endsWith("A") ? "B" : "A"))).toBeUndefined();
    });

    it("gives every session a different id", async () => {
      const ids = await Promise.all([1, 2, 3].map(() => store.create(aSession(), hour, hour)));
      expect(new Set(ids).size).toBe(3);
    });

    it("records activity with touch and never resurrects a deleted session", async () => {
      const id = await store.create(aSession(), hour, hour);
      await store.touch(id, 5_000, hour);
      expect((await store.get(id))?.lastSeenAt).toBe(5_000);
      await store.delete(id);
      await store.touch(id, 6_000, hour);
      expect(await store.get(id)).toBeUndefined();
    });

    it("lists a user's sessions and deletes one by its public id, only for its owner", async () => {
      const a = await store.create(aSession(), hour, hour);
      const b = await store.create(aSession({ userAgent: "Safari" }), hour, hour);
      await store.create(aSession({ userId: "8" }), hour, hour);
      const listed = await store.listForUser("7");
      expect(listed.map((s) => s.publicId).sort()).toEqual([publicIdOf(a), publicIdOf(b)].sort());
      expect(await store.deleteByPublicId("8", publicIdOf(a))).toBe(false);
      expect(await store.get(a)).toBeDefined();
      expect(await store.deleteByPublicId("7", publicIdOf(a))).toBe(true);
      expect(await store.get(a)).toBeUndefined();
      expect((await store.listForUser("7")).map((s) => s.publicId)).toEqual([publicIdOf(b)]);
    });

    it("deletes all of a user's sessions but the one kept, leaving other users alone", async () => {
      const keep = await store.create(aSession(), hour, hour);
      const drop1 = await store.create(aSession(), hour, hour);
      const drop2 = await store.create(aSession(), hour, hour);
      const other = await store.create(aSession({ userId: "8" }), hour, hour);
      expect(await store.deleteForUser("7", publicIdOf(keep))).toBe(2);
      expect(await store.get(keep)).toBeDefined();
      expect(await store.get(drop1)).toBeUndefined();
      expect(await store.get(drop2)).toBeUndefined();
      expect(await store.get(other)).toBeDefined();
      expect(await store.deleteForUser("7")).toBe(1);
      expect(await store.listForUser("7")).toEqual([]);
    });

    it("forgets a session once its time to live has passed", async () => {
      const id = await store.create(aSession(), 30, hour);
      await new Promise((r) => setTimeout(r, 80));
      expect(await store.get(id)).toBeUndefined();
      expect(await store.listForUser("7")).toEqual([]);
    });
  });
}

const policy: ThrottlePolicy = {
  limit: 3,
  windowMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
};

/** The Throttle contract. */
export function describeThrottle(name: string, make: () => Throttle | Promise<Throttle>) {
  describe(`${name} throttle`, () => {
    let throttle: Throttle;
    beforeEach(async () => {
      throttle = await make();
    });

    it("lets `limit` attempts through, then makes the next wait 1 s, 2 s, 4 s", async () => {
      const t0 = 1_000_000;
      for (let i = 0; i < 3; i++) expect(await throttle.attempt("k", policy, t0 + i)).toBe(0);
      expect(await throttle.attempt("k", policy, t0 + 2)).toBe(1000);
      expect(await throttle.attempt("k", policy, t0 + 2 + 1000)).toBe(0);
      expect(await throttle.attempt("k", policy, t0 + 1002 + 500)).toBe(1500);
      expect(await throttle.attempt("k", policy, t0 + 1002 + 2000)).toBe(0);
      expect(await throttle.attempt("k", policy, t0 + 3002 + 1)).toBe(3999);
    });

    it("does not prolong the wait for attempts made while waiting", async () => {
      const t0 = 2_000_000;
      for (let i = 0; i < 3; i++) await throttle.attempt("k", policy, t0);
      for (let i = 0; i < 10; i++)
        expect(await throttle.attempt("k", policy, t0 + 10 * i)).toBeGreaterThan(0);
      expect(await throttle.attempt("k", policy, t0 + 1000)).toBe(0);
    });

    it("forgets the attempts once nobody tried for a window", async () => {
      const t0 = 3_000_000;
      for (let i = 0; i < 3; i++) await throttle.attempt("k", policy, t0);
      expect(await throttle.attempt("k", policy, t0 + 1)).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) expect(await throttle.attempt("k", policy, t0 + 60_000)).toBe(0);
    });

    it("keeps keys apart, resets a key, and forgives single attempts", async () => {
      const t0 = 4_000_000;
      for (let i = 0; i < 3; i++) await throttle.attempt("a", policy, t0);
      expect(await throttle.attempt("b", policy, t0)).toBe(0);
      expect(await throttle.attempt("a", policy, t0)).toBeGreaterThan(0);
      await throttle.forgive("a");
      expect(await throttle.attempt("a", policy, t0)).toBe(0);
      await throttle.reset("a");
      for (let i = 0; i < 3; i++) expect(await throttle.attempt("a", policy, t0)).toBe(0);
    });
  });
}
