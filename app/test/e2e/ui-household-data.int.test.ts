// Settings -> Household data (the owner's full export and its load into an empty instance) and
// the import wizard's errors (a refused commit, an interrupted one, a lost answer), in real
// Chromium against two real app instances on real PostgreSQL and Redis. Screenshots (light,
// dark, phone) land in .screenshots/.
import { readFile } from "node:fs/promises";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { starterCategories } from "../../src/domain/default-categories.ts";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser, saveScreenshot } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import {
  apiCall,
  categoryId,
  look,
  PASSWORD,
  seriousViolations,
  sidewaysOverflow,
  startApp,
  signUp,
} from "./ui-helpers.ts";

/**
 * The source household's categories: the English starter tree its sign-up added. The empty
 * instance's own untouched tree is replaced by the load.
 */
const starterTreeSize = starterCategories("en").reduce((n, top) => n + 1 + top.children.length, 0);

interface HouseholdDocument {
  formatVersion: number;
  exportedAt: string;
  baseCurrency: string;
  accounts: { name: string; currency: string; openingBalance: string }[];
  transactions: { ref: number; account: string; amount: string; payee: string }[];
}

interface ImportJson {
  id: string;
  filename: string;
  status: string;
  error: string | null;
}

/** The CSV header the wizard's tests upload, read with its suggested mapping. */
const CSV_HEADER = "Date,Payee,Amount\n";

describe("the household data section and import errors in the web UI", { timeout: 120_000 }, () => {
  // Two households: the source, which has data, and an empty instance the export is loaded into.
  const sourceDb = useTestDatabase();
  const targetDb = useTestDatabase();
  let source: RunningServer;
  let target: RunningServer;
  let sourceBase = "";
  let targetBase = "";
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let page: Page;
  /** The owner's page on the empty instance. */
  let empty: Page;
  let exportText = "";
  let accountId = "";
  const pageErrors: string[] = [];

  /** A context of its own per instance: cookies are per host, not per port. */
  async function openPage(baseURL: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL,
      locale: "en-US",
    });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const opened = await context.newPage();
    opened.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    opened.on("console", (message) => {
      // The refusals these tests provoke are logged by Chromium as failed resources.
      const expected = /status of (401|409|422|502|504)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });
    return opened;
  }

  const householdSection = (on: Page) => on.getByRole("region", { name: "Household data" });
  const loadForm = (on: Page) => on.getByRole("form", { name: "Load a full export" });

  async function loadFile(on: Page, name: string, content: string | Buffer): Promise<void> {
    await on.goto("/settings");
    const form = loadForm(on);
    await form.getByLabel("Export file (JSON)").setInputFiles({
      name,
      mimeType: "application/json",
      buffer: Buffer.isBuffer(content) ? content : Buffer.from(content),
    });
    await form.getByRole("button", { name: "Load into this household" }).click();
  }

  async function importsOf(on: Page): Promise<ImportJson[]> {
    return (await apiCall<{ data: ImportJson[] }>(on, "GET", "/imports")).data;
  }

  /** Uploads a CSV in the wizard and waits for step 2. */
  async function uploadCsv(name: string, csv: string): Promise<void> {
    await page.goto("/import");
    await page.getByLabel("Bank file", { exact: true }).setInputFiles({
      name,
      mimeType: "text/csv",
      buffer: Buffer.from(csv),
    });
    await page.getByTestId("import-format").waitFor();
  }

  beforeAll(async () => {
    const first = await startApp(sourceDb.url);
    source = first.running;
    sourceBase = first.base;
    const second = await startApp(targetDb.url);
    target = second.running;
    targetBase = second.base;
    browser = await launchBrowser();
    page = await openPage(sourceBase);
    await signUp(page, "Olga Owner", "olga@example.test");
    // Food is one of the starter categories the sign-up gave the household.
    const food = { id: await categoryId(page, "Food") };
    const account = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Everyday checking",
      type: "checking",
      currency: "EUR",
      openingBalance: "1000.00",
    });
    accountId = account.id;
    const rows: [string, string, string][] = [
      ["2026-03-01", "Corner Grocer", "-42.50"],
      ["2026-03-02", "Salary Corp", "2500.00"],
      ["2026-03-03", "Bakery Sun", "-4.20"],
    ];
    for (const [date, payee, amount] of rows) {
      await apiCall(page, "POST", "/transactions", {
        accountId: account.id,
        date,
        payee,
        amount,
        ...(amount.startsWith("-") ? { categoryId: food.id } : {}),
      });
    }
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await source.shutdown(1000);
    await target.shutdown(1000);
  });

  it("downloads the full export through a plain link, with receipts on request", async () => {
    await page.goto("/settings");
    const section = householdSection(page);
    const link = section.getByRole("link", { name: "Download full export" });
    expect(await link.getAttribute("href")).toBe("/api/v1/exports/full.json");
    expect(await link.getAttribute("download")).not.toBeNull();
    await section.getByLabel("Include receipts (makes the file larger)").check();
    expect(await link.getAttribute("href")).toBe("/api/v1/exports/full.json?attachments=true");
    await look(page, "settings-household-data");
    await section.getByLabel("Include receipts (makes the file larger)").uncheck();

    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^fintrack-household-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    exportText = await readFile(path, "utf8");
    const document = JSON.parse(exportText) as HouseholdDocument;
    expect(document.formatVersion).toBe(1);
    expect(document.baseCurrency).toBe("EUR");
    expect(document.accounts).toEqual([
      expect.objectContaining({ name: "Everyday checking", currency: "EUR" }),
    ]);
    expect(document.transactions.map((t) => [t.account, t.payee, t.amount])).toEqual([
      ["Everyday checking", "Corner Grocer", "-42.50"],
      ["Everyday checking", "Salary Corp", "2500.00"],
      ["Everyday checking", "Bakery Sun", "-4.20"],
    ]);
  });

  it("refuses to load into a household that has data, saying what it holds (409)", async () => {
    await loadFile(page, "household.json", exportText);
    const alert = householdSection(page).getByTestId("household-load-error");
    await expect.poll(() => alert.textContent()).toContain("this household is not empty");
    const text = (await alert.textContent()) ?? "";
    expect(text).toContain("The instance is not empty (it has accounts, categories, transactions)");
    expect(text).toContain("Load the file into a fresh fintrack instance");
    await look(page, "settings-household-not-empty");
  });

  it("names each problem of a broken file by its path, loading nothing (422)", async () => {
    empty = await openPage(targetBase);
    await signUp(empty, "Nina New", "nina@example.test");
    const broken = JSON.parse(exportText) as HouseholdDocument;
    const [, second, third] = broken.transactions;
    if (second === undefined || third === undefined) throw new Error("too few transactions");
    second.amount = "12.3.4";
    third.account = "No such account";
    await loadFile(empty, "broken.json", JSON.stringify(broken));
    const problems = householdSection(empty).getByTestId("household-problems");
    await expect.poll(() => problems.textContent()).toContain("body.transactions[2].account");
    const items = await problems.getByRole("listitem").allTextContents();
    expect(items.some((i) => i.startsWith("body.transactions[1].amount: "))).toBe(true);
    expect(await householdSection(empty).getByRole("alert").textContent()).toContain(
      "Nothing was loaded: the file has problems.",
    );
    await look(empty, "settings-household-problems");
    await empty.setViewportSize({ width: 360, height: 780 });
    expect(await empty.evaluate<number>(sidewaysOverflow), "problems").toBeLessThanOrEqual(0);
    await look(empty, "phone-settings-household-problems");
    await empty.setViewportSize({ width: 1280, height: 860 });

    await loadFile(empty, "notes.json", "this is not JSON");
    const alert = householdSection(empty).getByTestId("household-load-error");
    await expect.poll(() => alert.textContent()).toContain("body.file");
    expect(await alert.textContent()).toContain("not a JSON document");
    const accounts = await apiCall<{ data: unknown[] }>(empty, "GET", "/accounts");
    expect(accounts.data).toEqual([]);
  });

  it("loads the export into the empty instance, showing progress and then what it loaded", async () => {
    await empty.goto("/settings");
    // Hold the upload's answer, to see the page while the load runs.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await empty.route("**/api/v1/imports/full", async (route) => {
      await held;
      await route.continue();
    });
    const form = loadForm(empty);
    await form.getByLabel("Export file (JSON)").setInputFiles({
      name: "household.json",
      mimeType: "application/json",
      buffer: Buffer.from(exportText),
    });
    const button = form.getByRole("button", { name: "Load into this household" });
    await button.click();
    await expect.poll(() => button.isDisabled()).toBe(true);
    await form.getByRole("status").waitFor();
    expect(await form.getByRole("status").textContent()).toMatch(/upload|Loading the household/);
    await saveScreenshot(empty, "ui-settings-household-loading-light");
    expect(await seriousViolations(empty), "loading").toEqual([]);
    release();

    const loaded = form.getByTestId("household-loaded");
    await expect
      .poll(() => loaded.textContent())
      .toContain(
        `Loaded household.json: 1 account, 3 transactions, ${String(starterTreeSize)} categories.`,
      );
    await empty.unroute("**/api/v1/imports/full");
    await look(empty, "settings-household-loaded");
    // The load is exact: exporting the loaded instance gives the same document but its time.
    const again = await empty.request.get("/api/v1/exports/full.json");
    const withoutTime = (text: string) => text.replace(/"exportedAt":"[^"]+"/, "");
    expect(withoutTime(await again.text())).toBe(withoutTime(exportText));
    await loaded.getByRole("link", { name: "Open the dashboard" }).click();
    await empty
      .getByRole("region", { name: "Account balances" })
      .getByText("Everyday checking")
      .waitFor();
  });

  it("explains to a member that only the owner downloads or loads the household", async () => {
    const invitation = await apiCall<{ token: string }>(page, "POST", "/invitations", {
      role: "member",
    });
    const member = await openPage(sourceBase);
    await member.goto(`/invite/${invitation.token}`);
    await member.getByLabel("Your name").fill("Max Member");
    await member.getByLabel("Email").fill("max@example.test");
    await member.getByLabel("Password").fill(PASSWORD);
    await member.getByRole("button", { name: "Accept invitation" }).click();
    await member.getByRole("heading", { name: "Dashboard" }).waitFor();
    await member.goto("/settings");
    const section = householdSection(member);
    await expect
      .poll(() => section.getByTestId("household-data-owner-only").textContent())
      .toContain("Only the household's owner can download the full export or load one");
    expect(await section.getByRole("link", { name: "Download full export" }).count()).toBe(0);
    expect(await section.locator("input[type=file]").count()).toBe(0);
    await look(member, "settings-household-member");
  });

  it("shows a refused commit's error by the bad lines and in the past imports", async () => {
    const good = ["01", "02", "03", "04"].map((d) => `2026-04-${d},Shop ${d},-5.00\n`).join("");
    await uploadCsv("bad-amount.csv", `${CSV_HEADER}${good}2026-04-05,Shop 05,lots\n`);
    const hint = page.getByTestId("twin-hint");
    expect(await hint.textContent()).toContain("at most 3 days before or after");
    await page.getByRole("button", { name: /^Import 5 rows/ }).click();
    await expect.poll(() => page.getByTestId("bad-lines").textContent()).toMatch(/^line 6/);
    const past = page.getByTestId("past-imports");
    const row = past.getByRole("listitem").filter({ hasText: "bad-amount.csv" });
    await expect
      .poll(() => row.textContent())
      .toContain("Last commit failed: 1 row(s) cannot be imported; nothing was written");
    expect(await row.textContent()).toContain("not imported");
    await look(page, "import-refused-lines");
  });

  it("shows an interrupted commit's error on the result step, then commits it again", async () => {
    await uploadCsv("interrupted.csv", `${CSV_HEADER}2026-04-02,Night Shop,-7.00\n`);
    const [upload] = (await importsOf(page)).filter((i) => i.filename === "interrupted.csv");
    if (upload === undefined) throw new Error("the upload is not listed");
    // As if the server died mid-commit and the proxy gave up: the import is left 'committing'
    // long enough ago to be found stalled, and the browser gets a gateway error.
    const pool = new pg.Pool({ connectionString: sourceDb.url });
    const commitUrl = `**/api/v1/imports/${upload.id}/commit`;
    await page.route(commitUrl, async (route) => {
      await pool.query(
        `update imports set status = 'committing', updated_at = now() - interval '10 minutes'
         where id = $1`,
        [upload.id],
      );
      await route.fulfill({ status: 502, contentType: "text/html", body: "Bad gateway" });
    });
    const result = page.getByRole("region", { name: "3. Result" });
    const error = result.getByTestId("import-error");
    try {
      await page.getByRole("button", { name: /^Import 1 row/ }).click();
      await error.waitFor();
    } finally {
      await page.unroute(commitUrl);
      await pool.end();
    }
    expect(await error.textContent()).toContain("Nothing was imported.");
    expect(await error.textContent()).toContain("The last commit was interrupted");
    const row = page
      .getByTestId("past-imports")
      .getByRole("listitem")
      .filter({ hasText: "interrupted.csv" });
    await expect.poll(() => row.textContent()).toContain("Last commit failed: the last commit");
    await look(page, "import-interrupted");

    await result.getByRole("button", { name: "Try again" }).click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("1");
    await expect.poll(() => row.textContent()).toContain("1 imported, 0 duplicates skipped");
    expect(await row.textContent()).not.toContain("Last commit failed");
  });

  it("shows what a commit did when its answer was lost on the way", async () => {
    await uploadCsv("lost-answer.csv", `${CSV_HEADER}2026-04-03,Late Shop,-8.00\n`);
    await page.route("**/api/v1/imports/*/commit", async (route) => {
      // The commit runs and succeeds; only its answer never reaches the browser.
      await route.fetch();
      await route.fulfill({ status: 504, contentType: "text/html", body: "Gateway timeout" });
    });
    await page.getByRole("button", { name: /^Import 1 row/ }).click();
    await expect.poll(() => page.getByTestId("imported").textContent()).toBe("1");
    await page.unroute("**/api/v1/imports/*/commit");
    expect(await page.getByTestId("import-error").count()).toBe(0);
    const [lost] = (await importsOf(page)).filter((i) => i.filename === "lost-answer.csv");
    expect(lost).toMatchObject({ status: "committed", error: null });
  });

  it("keeps the register's rows working now that a row renders only when it changes", async () => {
    await page.goto(`/accounts/${accountId}`);
    const check = (payee: string) =>
      page.getByRole("checkbox", { name: new RegExp(`^Select ${payee},`) });
    await check("Late Shop").click();
    await check("Corner Grocer").click({ modifiers: ["Shift"] });
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await expect.poll(() => bar.textContent()).toContain("5 transactions selected");
    expect(await check("Salary Corp").isChecked()).toBe(true);
    await bar.getByRole("button", { name: "Clear selection" }).click();
    await expect.poll(() => check("Salary Corp").isChecked()).toBe(false);
    const row = page.locator(".register-row", { hasText: "Bakery Sun" });
    expect(await row.textContent()).toContain("Food");
    await row.focus();
    await page.keyboard.press("ArrowDown");
    expect(
      await page.evaluate<string | null>("document.activeElement?.textContent ?? null"),
    ).toContain("Salary Corp");
    await page.keyboard.press("Enter");
    await page.getByRole("form", { name: "Edit transaction" }).waitFor();
  });

  it("fits a phone without horizontal scrolling in the new states", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await loadFile(page, "household.json", exportText);
    await householdSection(page).getByTestId("household-load-error").waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow), "settings").toBeLessThanOrEqual(0);
    await look(page, "phone-settings-household-data");
    await page.goto("/import");
    await page.getByTestId("past-imports").waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow), "import").toBeLessThanOrEqual(0);
    await look(page, "phone-import-past");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
