import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  aCategory,
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { Account } from "../accounts/schema.ts";
import type { TransactionJson } from "./schema.ts";

interface Page {
  data: TransactionJson[];
  nextCursor: string | null;
}

const paths = (body: unknown) => (body as ProblemDetails).errors?.map((e) => e.path);

describe("the transaction list", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  const page = async (query: string): Promise<Page> => {
    const res = await member.get(`/transactions?${query}`);
    expect(res.status).toBe(200);
    return res.body as Page;
  };
  const ids = (p: Page) => p.data.map((t) => t.id);

  describe("keyset pagination", () => {
    let account: Account;
    const booked: TransactionJson[] = [];

    beforeAll(async () => {
      account = await anAccount(member, { name: "Paged" });
      // Many rows share each date, so the id must break ties for pages to be stable.
      for (let i = 0; i < 23; i++) {
        const date = `2026-0${String(1 + (i % 3))}-10`;
        booked.push(await aTransaction(member, account.id, { date, amount: `-${i + 1}.00` }));
      }
    });

    it("walks every row exactly once, newest first, while rows are being added", async () => {
      const seen: TransactionJson[] = [];
      const addedOlder: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const current: Page = await page(
          `accountId=${account.id}&limit=4${cursor === null ? "" : `&cursor=${cursor}`}`,
        );
        seen.push(...current.data);
        cursor = current.nextCursor;
        round += 1;
        // Rows added between pages: at a date already passed (they sort before the cursor and
        // belong to pages already read) and at the oldest date (still ahead of the cursor).
        await aTransaction(member, account.id, { date: "2026-03-10", amount: "1.00" });
        if (round === 2) {
          addedOlder.push((await aTransaction(member, account.id, { date: "2025-12-31" })).id);
        }
      } while (cursor !== null);

      const seenIds = seen.map((t) => t.id);
      expect(new Set(seenIds).size).toBe(seenIds.length);
      for (const tx of booked) expect(seenIds).toContain(tx.id);
      expect(seenIds).toEqual(expect.arrayContaining(addedOlder));
      const keys = seen.map((t) => [t.date, BigInt(t.id)] as const);
      keys.slice(1).forEach(([date, id], i) => {
        const [prevDate, prevId] = keys[i] ?? ["", 0n];
        expect(date < prevDate || (date === prevDate && id < prevId)).toBe(true);
      });
    });

    it("answers an empty last page with a null cursor and honours limit", async () => {
      const first = await page(`accountId=${account.id}&limit=1`);
      expect(first.data).toHaveLength(1);
      expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const all = await page(`accountId=${account.id}&limit=500`);
      expect(all.nextCursor).toBeNull();
    });

    it("refuses limits above 500, bad cursors, empty q and from after to (422)", async () => {
      expect(paths((await member.get("/transactions?limit=501")).body)).toEqual(["query.limit"]);
      expect(paths((await member.get("/transactions?limit=0")).body)).toEqual(["query.limit"]);
      expect(paths((await member.get("/transactions?cursor=bm9wZQ")).body)).toEqual([
        "query.cursor",
      ]);
      expect(paths((await member.get("/transactions?q=")).body)).toEqual(["query.q"]);
      expect(paths((await member.get("/transactions?from=2026-02-30")).body)).toEqual([
        "query.from",
      ]);
      expect(paths((await member.get("/transactions?from=2026-03-01&to=2026-02-01")).body)).toEqual(
        ["query.to"],
      );
    });
  });

  describe("filters", () => {
    let account: Account;
    let other: Account;

    beforeAll(async () => {
      account = await anAccount(member, { name: "Filtered" });
      other = await anAccount(member, { name: "Filtered other" });
    });

    it("filters by account, date range and status", async () => {
      const a = await aTransaction(member, account.id, { date: "2025-06-01", status: "pending" });
      const b = await aTransaction(member, account.id, { date: "2025-06-30" });
      await aTransaction(member, other.id, { date: "2025-06-15" });
      await aTransaction(member, account.id, { date: "2025-07-01" });
      expect(ids(await page(`accountId=${account.id}&from=2025-06-01&to=2025-06-30`))).toEqual([
        b.id,
        a.id,
      ]);
      expect(
        ids(await page(`accountId=${account.id}&from=2025-06-01&to=2025-06-30&status=pending`)),
      ).toEqual([a.id]);
    });

    it("rolls a category up over its subtree and matches split lines", async () => {
      const home = await aCategory(member, "Roll home");
      const energy = await aCategory(member, "Roll energy", { parentId: home.id });
      const power = await aCategory(member, "Roll power", { parentId: energy.id });
      const food = await aCategory(member, "Roll food");
      const own = await aTransaction(member, account.id, { categoryId: home.id });
      const deep = await aTransaction(member, other.id, { categoryId: power.id });
      const split = await aTransaction(member, account.id, {
        amount: "-5.00",
        splits: [
          { amount: "-2.00", categoryId: food.id },
          { amount: "-3.00", categoryId: energy.id },
        ],
      });
      const unrelated = await aTransaction(member, account.id, { categoryId: food.id });

      const byHome = ids(await page(`categoryId=${home.id}`));
      expect(byHome.sort()).toEqual([own.id, deep.id, split.id].sort());
      expect(ids(await page(`categoryId=${power.id}`))).toEqual([deep.id]);
      expect(ids(await page(`categoryId=${food.id}`)).sort()).toEqual(
        [split.id, unrelated.id].sort(),
      );
      expect(ids(await page(`categoryId=${home.id}&accountId=${account.id}`)).sort()).toEqual(
        [own.id, split.id].sort(),
      );
      expect(ids(await page("categoryId=123456789"))).toEqual([]);

      // Paging through a category walks both branches without repeats.
      const first = await page(`categoryId=${home.id}&limit=2`);
      const second = await page(`categoryId=${home.id}&limit=2&cursor=${first.nextCursor ?? ""}`);
      expect([...ids(first), ...ids(second)].sort()).toEqual(byHome.sort());
      expect(second.nextCursor).toBeNull();
    });

    it("filters by tag", async () => {
      const tagged = await aTransaction(member, account.id, { tags: ["holiday", "2026"] });
      await aTransaction(member, account.id, { tags: ["holidays"] });
      expect(ids(await page("tag=holiday"))).toEqual([tagged.id]);
      expect(ids(await page("tag=nothing-has-this"))).toEqual([]);
    });

    it("searches payee, description and notes case-insensitively with q", async () => {
      const payee = await aTransaction(member, account.id, { payee: "REWE Markt GmbH" });
      const notes = await aTransaction(member, other.id, { notes: "bought at rewe, cash" });
      const description = await aTransaction(member, account.id, {
        description: "Kaffee bei Café Öl",
      });
      await aTransaction(member, account.id, { payee: "Aldi" });
      expect(ids(await page("q=rEwE")).sort()).toEqual([payee.id, notes.id].sort());
      expect(ids(await page("q=markt%20gmbh"))).toEqual([payee.id]);
      // Folding non-ASCII letters follows the database's locale (the test server's is C), so
      // only the ASCII letters differ in case here.
      expect(ids(await page(`q=${encodeURIComponent("CAFé Ö")}`))).toEqual([description.id]);
      // Shorter than a trigram: still a correct substring search.
      expect(ids(await page(`q=${encodeURIComponent("é")}`))).toEqual([description.id]);
      expect(ids(await page(`q=rewe&accountId=${account.id}`))).toEqual([payee.id]);
    });

    it("takes % and _ in q literally", async () => {
      const percent = await aTransaction(member, account.id, { description: "rate 5% off_peak" });
      await aTransaction(member, account.id, { description: "rate 55 offXpeak" });
      expect(ids(await page("q=5%25"))).toEqual([percent.id]);
      expect(ids(await page("q=off_peak"))).toEqual([percent.id]);
      expect(ids(await page(`q=${encodeURIComponent("\\")}`))).toEqual([]);
    });
  });
});
