// The money screens end to end (budgets, import, reports, reconcile, rules) in real Chromium
// against the real app on real PostgreSQL and Redis. A household signs up, gets an account and
// a grocery purchase through the API, then works through each screen; screenshots of each
// (light, dark, phone) land in .screenshots/ for a person to look at.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser, saveScreenshot, screenshotDir } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import {
  apiCall,
  categoryId,
  look,
  seriousViolations,
  sidewaysOverflow,
  startApp,
  signUp,
} from "./ui-helpers.ts";

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(now.getFullYear())}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A month as the app's tables write it in `locale`: "Mar 2026". */
function monthLabel(locale: string, date: string): string {
  const [y = 1970, m = 1] = date.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/**
 * `available` euro cents spread over the days left of this calendar month, today included,
 * rounded down, as en-US writes it ("€9.26"): what the dashboard's month card promises a day.
 */
function perDay(availableCents: bigint): string {
  const now = new Date();
  const days = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate() - now.getDate() + 1;
  const cents = availableCents / BigInt(days);
  return `€${String(cents / 100n)}.${String(cents % 100n).padStart(2, "0")}`;
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

    await signUp(page, "Mia Money", "mia@example.test");
    // The starter tree the sign-up gave the household: Food › Groceries, Transport and more.
    const groceries = { id: await categoryId(page, "Groceries") };
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
    // 100.00 moved to savings today: the ledger books two sides, recent activity shows one.
    const savings = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Holiday savings",
      type: "savings",
      currency: "EUR",
      openingBalance: "0",
    });
    await apiCall(page, "POST", "/transactions", {
      accountId,
      date: today(),
      amount: "-100.00",
      transfer: { accountId: savings.id },
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

    // The month: 42.50 of 200.00 spent, 157.50 left over the days left.
    const month = page.getByRole("region", { name: "This month" });
    await expect
      .poll(() => month.getByTestId("left-per-day").textContent())
      .toContain(`${perDay(15750n)} a day left to spend`);
    expect(await month.getByTestId("month-spent").textContent()).toBe("€42.50 of €200.00 budgeted");
    // The transfer is one line, from checking to savings, beside the grocery purchase.
    const recent = page.getByRole("region", { name: "Recent transactions" });
    await expect.poll(() => recent.getByRole("listitem").count()).toBe(2);
    expect(await recent.textContent()).toContain("From Everyday checking to Holiday savings");
    expect(await recent.getByText(/From .* to /).count()).toBe(1);
    expect(await recent.textContent()).toContain("€100.00");
    await look(page, "dashboard-budgets");
    await page.setViewportSize({ width: 390, height: 844 });
    await look(page, "phone-dashboard-month");
    await page.setViewportSize({ width: 1280, height: 860 });
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
    // The household has several accounts: the file goes where the person says, never a default.
    await page.getByLabel("Into account").selectOption({ label: "Everyday checking (EUR)" });
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
    await page.getByRole("button", { name: /^Import 3 rows into Everyday checking/ }).click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("3");
    expect(await page.getByTestId("duplicates").textContent()).toBe("0");
    await look(page, "import-result");

    await page.getByRole("button", { name: "Import another file" }).click();
    await page.getByLabel("Into account").selectOption({ label: "Everyday checking (EUR)" });
    await page.getByLabel("Bank file", { exact: true }).setInputFiles({
      name: "bank-november-later.csv",
      mimeType: "text/csv",
      buffer: csv([...rows, `${month}-07,Book Nook,-18.00`]),
    });
    // Only the new row is booked; the preview marks the three others as duplicates first.
    await page.getByRole("button", { name: /^Import 1 row into Everyday checking/ }).click();
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
    // The transfer to savings has no payee of its own.
    expect(left.data.map((t) => t.payee).sort()).toEqual([
      "",
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

    // The last 12 months by default, the newest month first in the table.
    await expect.poll(() => netWorth.locator("tbody tr").count()).toBe(12);
    expect(await netWorth.locator("tbody tr").first().getByRole("rowheader").textContent()).toBe(
      monthLabel("en-US", today()),
    );
    await page.getByRole("button", { name: "This month", exact: true }).click();
    await expect.poll(() => netWorth.locator("tbody tr").count()).toBe(1);
  });

  it("reconciles against a statement typed the German way, cleared rows ticked from the start", async () => {
    // A parking ticket the bank has not cleared yet: on the statement, but not ticked at first.
    await apiCall(page, "POST", "/transactions", {
      accountId,
      date: today(),
      amount: "-10.00",
      payee: "Parking meter",
      status: "pending",
    });
    await page.goto(`/accounts/${accountId}`);
    await page.getByRole("link", { name: "Reconcile" }).click();
    await page.getByRole("heading", { name: "Reconcile Everyday checking" }).waitFor();
    const balance = page.getByLabel("Closing balance on the statement");
    await balance.fill("3.282,1x");
    await page.getByRole("button", { name: "Start reconciling" }).click();
    await page.getByText("Not an amount: type digits, such as 1,234.56 or -12.50.").waitFor();
    expect(await balance.getAttribute("aria-invalid")).toBe("true");
    // Opening 1,000.00, the grocery purchase, last month's three imported rows, 100.00 to
    // savings and the parking ticket: 3,282.15.
    await balance.fill("3.282,15");
    await page.getByText("Reads as +€3,282.15").waitFor();
    await page.getByRole("button", { name: "Start reconciling" }).click();
    const difference = page.getByTestId("difference");
    await expect.poll(() => difference.textContent()).toContain("-€10.00");
    expect(await difference.textContent()).toContain("Not balanced yet");
    const box = (name: string) =>
      page.locator(".recon-row", { hasText: name }).getByRole("checkbox");
    for (const name of [
      "Corner Grocer",
      "Bakery Sun",
      "Salary Corp",
      "Fuel Stop",
      "Transfer to Holiday savings",
    ]) {
      expect(await box(name).isChecked(), name).toBe(true);
    }
    expect(await box("Parking meter").isChecked()).toBe(false);
    const finish = page.getByRole("button", { name: "Finish", exact: true });
    expect(await finish.isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Untick all" }).click();
    await expect.poll(() => difference.textContent()).toContain("+€2,282.15");
    // From the keyboard: Tick all, then Finish once balanced.
    await page.getByRole("button", { name: "Tick all", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => difference.textContent()).toContain("Balanced");
    expect(await box("Parking meter").isChecked()).toBe(true);
    expect(await finish.isEnabled()).toBe(true);
    await look(page, "reconcile");

    // On a phone the difference sits above the tab bar with the page scrolled to the top.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: join(screenshotDir, "ui-phone-reconcile-viewport.png") });
    const bar = await page.locator(".recon-bar").boundingBox();
    expect(bar === null ? Infinity : bar.y + bar.height).toBeLessThanOrEqual(844 - 60);
    await look(page, "phone-reconcile-work");
    await page.setViewportSize({ width: 1280, height: 860 });

    await finish.focus();
    await page.keyboard.press("Enter");
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
    // 100 USD at 1 / 1.25 = 0.8 EUR each: 80.00 more than the euro accounts' 3,382.15 (after
    // the 10.00 parking ticket).
    const table = card.getByRole("table", { name: /^Net worth at each month end/ });
    await expect.poll(() => table.textContent()).toContain("+€3,462.15");
  });

  it("narrows the reports to a range and an account, in the user's locale, expenses not green", async () => {
    // An account of its own, so its sums are known whatever the other tests booked: a ferry on
    // the first of last month (-30.00, uncategorised) and a train ticket today (-100.00).
    const categories = await apiCall<{ data: { id: string; name: string }[] }>(
      page,
      "GET",
      "/categories",
    );
    const transport = categories.data.find((c) => c.name === "Transport");
    const card = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Travel card",
      type: "checking",
      currency: "EUR",
    });
    const now = today();
    const [year = 0, month = 1] = now.split("-").map(Number);
    const pad = (n: number) => String(n).padStart(2, "0");
    const monthStart = (back: number) => {
      const d = new Date(Date.UTC(year, month - 1 - back, 1));
      return `${String(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-01`;
    };
    await apiCall(page, "POST", "/transactions", {
      accountId: card.id,
      date: monthStart(1),
      amount: "-30.00",
      payee: "Ferry",
    });
    await apiCall(page, "POST", "/transactions", {
      accountId: card.id,
      date: now,
      amount: "-100.00",
      payee: "Rail Co",
      categoryId: transport?.id,
    });
    await page.goto("/reports");
    await page.getByRole("heading", { name: "Reports" }).waitFor();
    // The last 12 months up to today unless another range is picked.
    expect(await page.getByLabel("From").inputValue()).toBe(monthStart(11));
    expect(await page.getByLabel("To").inputValue()).toBe(now);
    expect(
      await page.getByRole("button", { name: "Last 12 months" }).getAttribute("aria-pressed"),
    ).toBe("true");

    const total = page.getByTestId("spending-total");
    const cents = async () => {
      const text = (await total.textContent()) ?? "";
      return Math.round(Number(text.replace(/[^0-9.-]/g, "")) * 100);
    };
    const cashflow = page.getByRole("table", { name: /^Cash flow per month/ });
    const newestRow = cashflow.locator("tbody tr").first();
    await total.waitFor();
    await page.waitForLoadState("networkidle");
    const everything = await cents();
    await page.getByLabel("Account").selectOption({ label: "Travel card" });
    await expect.poll(() => total.textContent()).toBe("-€130.00");
    await expect.poll(() => newestRow.textContent()).toContain("-€100.00");
    // The other accounts make up the rest, to the cent.
    await page.getByLabel("Account").selectOption({ label: "Everyday checking" });
    await expect.poll(cents).toBe(everything + 130_00);

    // Last month: the ferry only.
    await page.getByLabel("Account").selectOption({ label: "Travel card" });
    await page.getByRole("button", { name: "Last month" }).click();
    expect(await page.getByLabel("From").inputValue()).toBe(monthStart(1));
    await expect.poll(() => total.textContent()).toBe("-€30.00");
    // A range typed by hand: today only.
    await page.getByLabel("From").fill(now);
    await page.getByLabel("To").fill(now);
    await expect.poll(() => total.textContent()).toBe("-€100.00");
    expect(
      await page.getByRole("button", { name: "This month" }).getAttribute("aria-pressed"),
    ).toBe(now.endsWith("-01") ? "true" : "false");
    await page.getByRole("button", { name: "Last 12 months" }).click();
    await expect.poll(() => total.textContent()).toBe("-€130.00");
    await look(page, "reports-filtered");

    // Expenses are never drawn green: the spending bars and the cash flow's expense bars.
    const isGreen = (rgb: string) => {
      const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      return g > r && g > b;
    };
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expect
        .poll(() => page.evaluate<string>("document.documentElement.dataset.theme"))
        .toBe(scheme);
      const bars = await page.evaluate<string[]>(
        "[...document.querySelectorAll('.hbars .hbar')].map((e) => getComputedStyle(e).backgroundColor)",
      );
      expect(bars.length, scheme).toBeGreaterThan(0);
      for (const colour of bars) expect(isGreen(colour), `${scheme} bar ${colour}`).toBe(false);
      const expense = await page.evaluate<string>(
        "(() => { const row = [...document.querySelectorAll('.u-legend .u-series')].find((r) => r.textContent.includes('Expense')); return getComputedStyle(row.querySelector('.u-marker')).borderColor; })()",
      );
      expect(isGreen(expense), `${scheme} expense series ${expense}`).toBe(false);
      expect(expense).not.toBe("rgba(0, 0, 0, 0)");
    }
    await page.emulateMedia({ colorScheme: "light" });

    // Hovering the chart reads the newest month out in the user's locale (German here).
    const money = (amount: number) =>
      new Intl.NumberFormat("de-DE", {
        style: "currency",
        currency: "EUR",
        signDisplay: "exceptZero",
      }).format(amount);
    await page.evaluate("localStorage.setItem('fintrack.locale', 'de-DE')");
    await page.reload();
    await page.getByLabel("Account").selectOption({ label: "Travel card" });
    const flow = page.getByRole("region", { name: "Cash flow" });
    await expect
      .poll(() => flow.getByRole("table").locator("tbody tr").first().textContent())
      .toContain(money(-100));
    const over = flow.locator(".u-over");
    const box = await over.boundingBox();
    if (box === null) throw new Error("the cash flow chart has no box");
    await over.hover({ position: { x: box.width / 2, y: box.height / 2 } });
    await over.hover({ position: { x: box.width - 2, y: box.height / 2 } });
    const legend = page.getByRole("region", { name: "Cash flow" }).locator(".u-legend");
    await expect.poll(() => legend.textContent()).toContain(money(-100));
    expect(await legend.textContent()).toContain(monthLabel("de-DE", now));
    expect(money(-100)).toBe("-100,00\u00a0€");
    await page.evaluate("localStorage.removeItem('fintrack.locale')");
    await page.reload();
    await page.getByTestId("spending-total").waitFor();

    // A phone 390 pixels wide: no sideways scrolling, the newest month first.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForLoadState("networkidle");
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await look(page, "phone-reports-filtered");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
