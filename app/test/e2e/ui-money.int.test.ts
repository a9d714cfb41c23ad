// The money screens end to end (budgets, import, reports, reconcile, rules) in real Chromium
// against the real app on real PostgreSQL and Redis. A household signs up, gets an account and
// a grocery purchase through the API, then works through each screen; screenshots of each
// (light, dark, phone) land in .screenshots/ for a person to look at.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser, saveScreenshot } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import {
  apiCall,
  look,
  PASSWORD,
  seriousViolations,
  sidewaysOverflow,
  startApp,
} from "./ui-helpers.ts";

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(now.getFullYear())}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * A local stand-in for the ECB's daily feed, dated today (1 EUR = 1.25 USD): the app under test
 * reads its reference rates here, never from the internet.
 */
async function dailyFeed(): Promise<{ url: string; close: () => void }> {
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { "Content-Type": "text/xml" })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">` +
          `<Cube><Cube time="${today()}"><Cube currency="USD" rate="1.25"/><Cube currency="GBP" rate="0.8"/></Cube></Cube></gesmes:Envelope>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/eurofxref-daily.xml`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe("the web UI's money screens", { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let feed: Awaited<ReturnType<typeof dailyFeed>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let accountId = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    feed = await dailyFeed();
    const app = await startApp(db.url, { FINTRACK_FX_SOURCE_URL: feed.url });
    running = app.running;
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: app.base,
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      const expected = /status of (401|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await page.goto("/signup");
    await page.getByLabel("Your name").fill("Mia Money");
    await page.getByLabel("Email").fill("mia@example.test");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const food = await apiCall<{ id: string }>(page, "POST", "/categories", {
      name: "Food",
      kind: "expense",
    });
    const groceries = await apiCall<{ id: string }>(page, "POST", "/categories", {
      name: "Groceries",
      kind: "expense",
      parentId: food.id,
    });
    await apiCall(page, "POST", "/categories", { name: "Transport", kind: "expense" });
    const account = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Everyday checking",
      type: "checking",
      currency: "EUR",
      openingBalance: "1000",
    });
    accountId = account.id;
    await apiCall(page, "POST", "/transactions", {
      accountId,
      date: today(),
      amount: "-42.50",
      payee: "Corner Grocer",
      categoryId: groceries.id,
    });
    // A monthly rent due in ten days shows among the upcoming bills.
    const soon = new Date(Date.now() + 10 * 86_400_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    await apiCall(page, "POST", "/recurring", {
      name: "Rent",
      accountId,
      amount: "-850.00",
      payee: "Landlord Ltd",
      unit: "month",
      startDate: `${String(soon.getFullYear())}-${pad(soon.getMonth() + 1)}-${pad(soon.getDate())}`,
    });
    // The UI caches categories and accounts; a fresh load sees what the API just made.
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
    feed.close();
  });

  it("sets a budget in place and shows what is left, here and on the dashboard", async () => {
    await page.getByRole("link", { name: "Budgets" }).click();
    await page.getByRole("heading", { name: "Budgets" }).waitFor();
    const input = page.getByLabel("Budgeted for Food");
    await input.fill("200");
    await input.press("Enter");
    const row = page.locator("tr", { has: page.getByRole("rowheader", { name: /Food/ }) });
    await expect.poll(() => row.textContent()).toContain("+€157.50");
    await expect
      .poll(() =>
        page.getByRole("progressbar", { name: "Food budget used" }).getAttribute("aria-valuenow"),
      )
      .toBe("21");
    // Groceries has no budget of its own: its row still shows what went out (it showed 0.00).
    const groceriesRow = page.locator("tr", {
      has: page.getByRole("rowheader", { name: /Groceries/ }),
    });
    await expect.poll(() => groceriesRow.textContent()).toContain("-€42.50");
    await look(page, "budgets");

    // Next month has no budget for Food; the previous month brings it back.
    const label = await page.locator(".month-label").textContent();
    await page.getByRole("button", { name: "Next month" }).click();
    await expect.poll(() => page.locator(".month-label").textContent()).not.toBe(label);
    await expect.poll(() => page.getByLabel("Budgeted for Food").inputValue()).toBe("0");
    await page.getByRole("button", { name: "Previous month" }).click();
    await expect.poll(() => page.getByLabel("Budgeted for Food").inputValue()).toBe("200.00");

    await page.getByRole("link", { name: "Dashboard" }).click();
    const progress = page.getByRole("progressbar", { name: "Food budget used" });
    await progress.waitFor();
    expect(await progress.getAttribute("aria-valuenow")).toBe("21");
    const bills = page.getByRole("region", { name: "Upcoming bills" });
    await expect.poll(() => bills.textContent()).toContain("Rent");
    expect(await bills.textContent()).toContain("-€850.00");
    await look(page, "dashboard-budgets");
  });

  it("imports a CSV through the wizard and skips the duplicates on a second import", async () => {
    // Last month's statement: this month's reports keep only the grocery purchase.
    const now = new Date();
    const last = new Date(now.getFullYear(), now.getMonth() - 1, 1);
    const month = `${String(last.getFullYear())}-${String(last.getMonth() + 1).padStart(2, "0")}`;
    const rows = [
      `${month}-02,Bakery Sun,-4.20`,
      `${month}-03,Salary Corp,2500.00`,
      `${month}-05,Fuel Stop,-61.15`,
    ];
    const csv = (lines: string[]) => Buffer.from(["Date,Payee,Amount", ...lines, ""].join("\n"));
    await page.getByRole("link", { name: "Import" }).click();
    await page.getByRole("heading", { name: "Import", exact: true }).waitFor();
    await look(page, "import-choose");
    await page.getByLabel("Bank file", { exact: true }).setInputFiles({
      name: "bank-november.csv",
      mimeType: "text/csv",
      buffer: csv(rows),
    });
    await page.getByTestId("import-format").waitFor();
    expect(await page.getByTestId("import-format").textContent()).toBe("CSV");
    expect(await page.getByTestId("import-encoding").textContent()).toMatch(/utf-?8/i);
    // The live preview follows the mapping: a wrong date format marks every date unreadable.
    const preview = page.getByRole("table", { name: "How the first rows will be read" });
    await expect.poll(() => preview.textContent()).toContain("+€2,500.00");
    await page.getByLabel("Date format").selectOption("DD.MM.YYYY");
    await expect.poll(() => preview.textContent()).toContain("not a date");
    await page.getByLabel("Date format").selectOption("YYYY-MM-DD");
    await expect.poll(() => preview.textContent()).not.toContain("not a date");
    await look(page, "import-mapping");
    await page.getByRole("button", { name: /^Import 3 rows/ }).click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("3");
    expect(await page.getByTestId("duplicates").textContent()).toBe("0");
    await look(page, "import-result");

    await page.getByRole("button", { name: "Import another file" }).click();
    await page.getByLabel("Bank file", { exact: true }).setInputFiles({
      name: "bank-november-later.csv",
      mimeType: "text/csv",
      buffer: csv([...rows, `${month}-07,Book Nook,-18.00`]),
    });
    await page.getByRole("button", { name: /^Import 4 rows/ }).click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("1");
    expect(await page.getByTestId("duplicates").textContent()).toBe("3");
    await page.getByText("Line 2:").waitFor();
    await look(page, "import-duplicates");

    await page.getByRole("button", { name: "Undo this import" }).click();
    await page.getByText("Undone: the 1 imported transactions were removed.").waitFor();
    const left = await apiCall<{ data: { payee: string }[] }>(
      page,
      "GET",
      `/transactions?accountId=${accountId}`,
    );
    expect(left.data.map((t) => t.payee).sort()).toEqual([
      "Bakery Sun",
      "Corner Grocer",
      "Fuel Stop",
      "Salary Corp",
    ]);
  });

  it("reports spending with drill-down, cash flow, net worth and budgets, each as CSV", async () => {
    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "Reports" }).waitFor();
    const spending = page.getByRole("table", { name: /^Spending by category, in EUR/ });
    await expect.poll(() => spending.textContent()).toContain("-€42.50");
    await spending.getByRole("button", { name: "Food ›" }).click();
    const inFood = page.getByRole("table", { name: /^Spending by category in Food/ });
    await expect.poll(() => inFood.textContent()).toContain("Groceries");
    const downloading = page.waitForEvent("download");
    await page
      .getByRole("button", { name: /Download CSV of Spending by category in Food/ })
      .click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^spending-.*\.csv$/);
    expect(readFileSync(await download.path(), "utf8")).toBe("Category,Amount\r\nGroceries,-42.50");
    await page.getByRole("button", { name: "‹ All categories" }).click();

    const cashflow = page.getByRole("table", { name: /^Cash flow per month/ });
    await expect.poll(() => cashflow.textContent()).toContain("-€42.50");
    const netWorth = page.getByRole("table", { name: /^Net worth at each month end/ });
    await expect.poll(() => netWorth.textContent()).toContain("+€3,392.15");
    const budget = page.getByRole("table", { name: /^Budget against actual/ });
    await expect.poll(() => budget.textContent()).toContain("+€157.50");
    await look(page, "reports");

    await page.getByLabel("Period").selectOption("12m");
    await expect.poll(() => netWorth.locator("tbody tr").count()).toBe(12);
  });

  it("reconciles the account against a statement", async () => {
    await page.goto(`/accounts/${accountId}`);
    await page.getByRole("link", { name: "Reconcile" }).click();
    await page.getByRole("heading", { name: "Reconcile Everyday checking" }).waitFor();
    // Opening 1,000.00, the grocery purchase and last month's three imported rows: 3,392.15.
    await page.getByLabel("Closing balance on the statement").fill("3392.15");
    await page.getByRole("button", { name: "Start reconciling" }).click();
    const difference = page.getByTestId("difference");
    await expect.poll(() => difference.textContent()).toContain("+€2,392.15");
    for (const payee of ["Corner Grocer", "Bakery Sun", "Salary Corp", "Fuel Stop"]) {
      await page.locator(".recon-row", { hasText: payee }).getByRole("checkbox").check();
    }
    await expect.poll(() => difference.textContent()).toContain("balanced");
    await look(page, "reconcile");
    await page.getByRole("button", { name: "Finish", exact: true }).click();
    await page.getByRole("heading", { name: "Everyday checking", exact: true }).waitFor();
    const txs = await apiCall<{ data: { status: string }[] }>(
      page,
      "GET",
      `/transactions?accountId=${accountId}`,
    );
    expect(txs.data.map((t) => t.status)).toEqual(txs.data.map(() => "reconciled"));
  });

  it("fits a phone without horizontal scrolling on the money screens", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [name, path] of [
      ["budgets", "/budgets"],
      ["dashboard-budgets", "/"],
      ["import", "/import"],
      ["reports", "/reports"],
      ["reconcile", `/accounts/${accountId}/reconcile`],
    ] as const) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      expect(
        await page.evaluate<number>(sidewaysOverflow),
        `${name} scrolls sideways`,
      ).toBeLessThanOrEqual(0);
      await look(page, `phone-${name}`);
      if (name === "budgets") {
        // Every figure of a category and its rollover switch are on screen, not cut off.
        const food = page.locator("tr", { has: page.getByRole("rowheader", { name: /^Food/ }) });
        const available = food.locator('td[data-label="Available"]');
        const box = await available.boundingBox();
        expect(box && box.x + box.width).toBeLessThanOrEqual(360);
        await food.getByRole("checkbox", { name: "Roll over leftover of Food" }).waitFor();
      }
    }
    // The sections that do not fit the bottom bar open from "More".
    await page.getByRole("button", { name: "More" }).click();
    await saveScreenshot(page, "ui-phone-more-menu");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Import" }).click();
    await page.getByRole("heading", { name: "Import", exact: true }).waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("says which totals leave out dollars for want of a rate, and fetches the rates in one step", async () => {
    await apiCall(page, "POST", "/accounts", {
      name: "Dollar savings",
      type: "savings",
      currency: "USD",
      openingDate: today(),
      openingBalance: "100",
    });
    await page.goto("/reports");
    const reportNotice = page
      .getByRole("region", { name: "Net worth", exact: true })
      .getByTestId("missing-rates");
    await expect.poll(() => reportNotice.textContent()).toContain("Net worth is incomplete");
    expect(await reportNotice.textContent()).toContain("USD");

    await page.goto("/");
    const card = page.getByRole("region", { name: "Net worth, last 12 months" });
    const notice = card.getByTestId("missing-rates");
    await expect.poll(() => notice.textContent()).toContain("Net worth is incomplete");
    expect(await notice.textContent()).toMatch(/USD, /);
    expect(
      await notice
        .getByRole("link", { name: "Enter or upload rates in Settings" })
        .getAttribute("href"),
    ).toBe("/settings");
    await look(page, "missing-rates");

    await notice.getByRole("button", { name: "Fetch reference rates" }).click();
    const fixed = card.getByTestId("missing-rates-fixed");
    await expect.poll(() => fixed.textContent()).toContain("Net worth is complete now");
    expect(await fixed.textContent()).toContain("Stored 2 reference rates (GBP, USD) for 1 day");
    expect(await card.getByTestId("missing-rates").count()).toBe(0);
    // 100 USD at 1 / 1.25 = 0.8 EUR each: 80.00 more than the euro account's 3,392.15.
    const table = card.getByRole("table", { name: /^Net worth at each month end/ });
    await expect.poll(() => table.textContent()).toContain("+€3,472.15");
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
