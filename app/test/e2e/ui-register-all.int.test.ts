// The register of every account (/transactions): the account column, account: searches, the
// totals of a search, saved searches, and a bulk action over every match (more than one page),
// in real Chromium against the real app on real PostgreSQL and Redis. Screenshots (light, dark,
// phone) land in .screenshots/.
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, look, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

interface Tx {
  id: string;
  payee: string;
  accountId: string;
  categoryId: string | null;
  status: string;
}

/** More coffees than the register's first page (500) holds. */
const COFFEES = 620;

describe("the register of every account", { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let pool: pg.Pool;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let checkingId = "";
  let cardId = "";
  let coffeeId = "";
  let lockedId = "";
  const pageErrors: string[] = [];

  const all = async (): Promise<Tx[]> => {
    const rows: Tx[] = [];
    let cursor: string | null = null;
    do {
      const path = `/transactions?limit=500${cursor ? `&cursor=${cursor}` : ""}`;
      const res: { data: Tx[]; nextCursor: string | null } = await apiCall(page, "GET", path);
      rows.push(...res.data);
      cursor = res.nextCursor;
    } while (cursor !== null);
    return rows;
  };
  const search = () => page.getByRole("searchbox", { name: "Search all transactions" });
  const summary = () => page.getByTestId("search-summary");
  const totals = () => page.getByTestId("register-totals");

  beforeAll(async () => {
    const app = await startApp(db.url);
    running = app.running;
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: app.base,
      locale: "en-US",
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      const expected = /status of (401|409|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await signUp(page, "Alma All", "alma@example.test");
    coffeeId = (
      await apiCall<{ id: string }>(page, "POST", "/categories", {
        name: "Coffee",
        kind: "expense",
      })
    ).id;
    checkingId = (
      await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Everyday checking",
        type: "checking",
        currency: "EUR",
        openingBalance: "5000",
      })
    ).id;
    cardId = (
      await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Holiday card",
        type: "credit_card",
        currency: "USD",
        openingBalance: "0",
      })
    ).id;
    const book = (accountId: string, date: string, payee: string, amount: string) =>
      apiCall(page, "POST", "/transactions", { accountId, date, payee, amount });
    await book(checkingId, "2026-03-01", "Salary Corp", "2000.00");
    await book(cardId, "2026-03-02", "Grand Hotel", "-200.00");
    await book(cardId, "2026-03-03", "Grand Hotel refund", "50.00");
    await book(cardId, "2026-03-04", "Coffee Corner", "-4.00");
    // The many coffees straight into the table: booking 620 through the API would take long.
    await pool.query(
      `insert into transactions (account_id, amount, currency, booking_date, payee)
       select $1, -350, 'EUR', date '2026-01-01' + (i % 59), 'Coffee Corner'
       from generate_series(1, $2::int) i`,
      [checkingId, COFFEES],
    );
    // The oldest coffee is reconciled: a bulk action by filter leaves it alone.
    const locked = (
      await pool.query<{ id: string }>(
        `update transactions set status = 'reconciled'
         where id = (select id from transactions where account_id = $1 and payee = 'Coffee Corner'
                     order by booking_date, id limit 1)
         returning id::text`,
        [checkingId],
      )
    ).rows[0];
    if (locked === undefined) throw new Error("no coffee to reconcile");
    lockedId = locked.id;
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await pool.end();
    await browser.close();
    await running.shutdown(1000);
  });

  it("lists every account's transactions with the account named, and no running balance", async () => {
    await page
      .getByRole("navigation")
      .getByRole("link", { name: "Transactions", exact: true })
      .first()
      .click();
    await page.getByRole("heading", { name: "Transactions", exact: true }).waitFor();
    await page.locator('[data-check="0"]').waitFor();
    await expect.poll(() => summary().textContent()).toMatch(/^624 transactions, total /);
    const top = page.locator(".register-rows > li").first();
    expect(await top.textContent()).toContain("Coffee Corner");
    expect(await top.locator(".c-account").textContent()).toContain("Holiday card");
    expect(await page.locator(".register-head .c-account").textContent()).toBe("Account");
    expect(await page.locator(".register-head .c-balance").count()).toBe(0);
    expect(await page.locator(".register-rows .c-balance").count()).toBe(0);
    await look(page, "register-all");
  });

  it("searches with account: and totals money in, money out and net per currency", async () => {
    await search().fill('account:"holiday card"');
    await expect.poll(() => summary().textContent()).toBe("3 transactions, total -$154.00");
    await expect.poll(() => page.locator(".register-rows > li").count()).toBe(3);
    expect(await totals().textContent()).toBe("In +$50.00Out -$204.00Net -$154.00");
    const accounts = await page.locator(".register-rows .c-account").allTextContents();
    expect(accounts.map((a) => a.replace("account ", ""))).toEqual(Array(3).fill("Holiday card"));

    await search().fill("payee:coffee");
    await expect
      .poll(() => totals().textContent())
      .toBe("In €0.00Out -€2,170.00Net -€2,170.00In $0.00Out -$4.00Net -$4.00");
    await look(page, "register-all-totals");
  });

  it("saves a search under a name and picks it again later", async () => {
    await search().fill('payee:coffee -account:"Holiday card"');
    await expect
      .poll(() => summary().textContent())
      .toBe(`${COFFEES} transactions, total -€2,170.00`);
    await page.getByRole("button", { name: "Save search…" }).click();
    const form = page.getByRole("form", { name: "Save this search" });
    await form.getByLabel("Name of the search").fill("Coffee at home");
    await form.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.locator(".saved-status").textContent())
      .toBe("Saved as “Coffee at home”.");
    await look(page, "register-all-saved");

    await search().fill("");
    await expect.poll(() => summary().textContent()).toMatch(/^624 transactions/);
    const picker = page.getByLabel("Saved searches");
    await picker.selectOption({ label: "Coffee at home" });
    expect(await search().inputValue()).toBe('payee:coffee -account:"Holiday card"');
    await expect
      .poll(() => summary().textContent())
      .toBe(`${COFFEES} transactions, total -€2,170.00`);
  });

  it("categorises every matching transaction, beyond the loaded page, leaving the reconciled one", async () => {
    await page.locator('[data-check="0"]').waitFor();
    await page.getByLabel("Select all 500 loaded").check();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await expect.poll(() => bar.textContent()).toContain("500 transactions selected");
    await bar.getByRole("button", { name: `Select all ${COFFEES} matching` }).click();
    await expect
      .poll(() => bar.textContent())
      .toContain(`All ${COFFEES} matching transactions selected`);
    await look(page, "register-all-matching");

    // A delete asks first, naming how many it would delete; cancelled here.
    await bar.getByRole("button", { name: "Delete…" }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByRole("heading").textContent()).toBe(
      `Delete all ${COFFEES} matching transactions?`,
    );
    await look(page, "register-all-delete-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await bar.getByLabel("Category").selectOption(coffeeId);
    await bar.getByRole("button", { name: "Categorise" }).click();
    expect(await dialog.getByRole("heading").textContent()).toBe(
      `Categorise all ${COFFEES} matching transactions as Coffee?`,
    );
    await dialog.getByRole("button", { name: `Categorise ${COFFEES} transactions` }).click();
    await expect
      .poll(() => page.locator(".bulk-notice").textContent(), { timeout: 10_000 })
      .toBe(`Categorised ${String(COFFEES - 1)} transactions. 1 transaction left alone.`);

    const rows = await all();
    const coffees = rows.filter((t) => t.payee === "Coffee Corner" && t.accountId === checkingId);
    expect(coffees).toHaveLength(COFFEES);
    const uncategorised = coffees.filter((t) => t.categoryId !== coffeeId).map((t) => t.id);
    expect(uncategorised).toEqual([lockedId]);
    // Outside the search: the card's coffee and the salary are as they were.
    expect(rows.filter((t) => t.categoryId === coffeeId)).toHaveLength(COFFEES - 1);
    // The list was loaded again: its rows show the category.
    await expect
      .poll(() => page.locator(".register-rows > li").first().textContent())
      .toContain("Coffee");
  });

  it("fits a phone without horizontal scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await search().fill('account:"holiday card"');
    await expect.poll(() => summary().textContent()).toBe("3 transactions, total -$154.00");
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await look(page, "phone-register-all");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
