// The import wizard's preview end to end in real Chromium: the account chosen explicitly, what the
// commit will book (a duplicate and a rule match marked, with the counts), the commit into the
// account the button names, and the undo from the past imports. Screenshots (light, dark, phone)
// land in .screenshots/ for a person to look at.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import {
  apiCall,
  look,
  seriousViolations,
  sidewaysOverflow,
  startApp,
  signUp,
} from "./ui-helpers.ts";

describe("the import preview", { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let checkingId = "";
  let byHandId = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const app = await startApp(db.url);
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
      // The signed-out start asks who is signed in (401) before the sign-up; the file sent with
      // no account chosen, naming none itself, is refused (422).
      const expected = /status of (401|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await signUp(page, "Ina Import", "ina@example.test");
    const food = await apiCall<{ id: string }>(page, "POST", "/categories", {
      name: "Market food",
      kind: "expense",
    });
    await apiCall(page, "POST", "/rules", {
      name: "Markets are food",
      conditions: [{ field: "payee", op: "contains", value: "Market" }],
      actions: [{ type: "setCategory", categoryId: food.id }],
    });
    await apiCall(page, "POST", "/accounts", {
      name: "Holiday savings",
      type: "savings",
      currency: "EUR",
      openingDate: "2026-01-01",
    });
    const checking = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Everyday checking",
      type: "checking",
      currency: "EUR",
      openingDate: "2026-01-01",
    });
    checkingId = checking.id;
    // Typed in by hand on the day; the bank books it a day later: the file's row is its twin.
    const byHand = await apiCall<{ id: string }>(page, "POST", "/transactions", {
      accountId: checkingId,
      date: "2026-02-04",
      amount: "-20.00",
      payee: "Fuel by hand",
    });
    byHandId = byHand.id;
  });

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("marks the duplicate and the rule match, imports into the account named, and undoes it from the history", async () => {
    const csv = [
      "Date,Payee,Description,Amount",
      "2026-02-03,CITY MARKET 0042,Card payment 1234,-12.30",
      "2026-02-05,Fuel Stop,Pump 4,-20.00",
      "2026-02-06,Bakery Sun,Bread,-3.10",
      "",
    ].join("\n");
    await page.goto("/import");
    await page.getByRole("heading", { name: "Import", exact: true }).waitFor();
    // Two accounts: neither is chosen for the user, and a file without one is not taken.
    const into = page.getByLabel("Into account");
    expect(await into.inputValue()).toBe("");
    const file = { name: "statement.csv", mimeType: "text/csv", buffer: Buffer.from(csv) };
    await page.getByLabel("Bank file", { exact: true }).setInputFiles(file);
    await page.getByText("Choose the account this file goes into first").waitFor();
    await into.selectOption({ label: "Everyday checking (EUR)" });
    await look(page, "import-choose-account");
    await page.getByLabel("Bank file", { exact: true }).setInputFiles(file);

    await expect
      .poll(() => page.getByTestId("import-target").textContent())
      .toBe("Goes into Everyday checking");
    const counts = page.getByTestId("preview-counts");
    await expect
      .poll(() => counts.textContent())
      .toBe("2 new, 1 duplicate, 1 categorised by rules");
    const table = page.getByRole("table", { name: "What the import will book, line by line" });
    const market = table.getByRole("row").filter({ hasText: "CITY MARKET 0042" });
    expect(await market.textContent()).toContain("Card payment 1234");
    expect(await market.textContent()).toContain("Markets are food → category Market food");
    const fuel = table.getByRole("row").filter({ hasText: "Fuel Stop" });
    expect(await fuel.textContent()).toContain("Duplicate, skipped");
    expect(await fuel.textContent()).toContain("Fuel by hand");
    const bakery = table.getByRole("row").filter({ hasText: "Bakery Sun" });
    expect(await bakery.textContent()).toContain("New");
    const commit = page.getByRole("button", { name: "Import 2 rows into Everyday checking" });
    await commit.waitFor();
    await look(page, "import-preview");

    await page.setViewportSize({ width: 390, height: 844 });
    await look(page, "phone-import-preview");
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 860 });

    await commit.click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("2");
    expect(await page.getByTestId("duplicates").textContent()).toBe("1");
    const booked = await apiCall<{ data: { payee: string; categoryId: string | null }[] }>(
      page,
      "GET",
      `/transactions?accountId=${checkingId}`,
    );
    expect(booked.data.map((t) => t.payee).sort()).toEqual(
      ["Bakery Sun", "CITY MARKET 0042", "Fuel by hand"].sort(),
    );

    // The history offers the undo, asks first naming the count and the account, then shows it undone.
    const history = page.getByTestId("past-imports");
    await history.getByRole("button", { name: "Undo the import of statement.csv" }).click();
    const dialog = page.getByRole("dialog", { name: "Undo the import of statement.csv?" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(
      "removes the 2 rows it booked into Everyday checking",
    );
    await look(page, "import-undo-confirm");
    await dialog.getByRole("button", { name: "Remove 2 rows" }).click();
    await expect
      .poll(() => history.textContent())
      .toContain("undone: the 2 rows it booked were removed");
    expect(await history.getByRole("button", { name: /^Undo the import/ }).count()).toBe(0);
    // The result above it says so too, with no undo left to offer.
    await page.getByText("Undone: the 2 imported transactions were removed.").waitFor();
    expect(await page.getByRole("button", { name: "Undo this import" }).count()).toBe(0);
    await look(page, "import-history-undone");
    const left = await apiCall<{ data: { id: string }[] }>(
      page,
      "GET",
      `/transactions?accountId=${checkingId}`,
    );
    expect(left.data.map((t) => t.id)).toEqual([byHandId]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
