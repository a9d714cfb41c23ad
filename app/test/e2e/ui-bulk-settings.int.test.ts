// The register's bulk actions and search, the settings' locale and exchange rates, and the
// import wizard's amount layouts and drop zone, in real Chromium against the real app on real
// PostgreSQL and Redis. Screenshots (light, dark, phone) land in .screenshots/.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, categoryId, look, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

interface Tx {
  id: string;
  payee: string;
  amount: string;
  categoryId: string | null;
  tags: string[];
}

describe(
  "the web UI's bulk actions, search, settings and import layouts",
  { timeout: 90_000 },
  () => {
    const db = useTestDatabase();
    let running: RunningServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let accountId = "";
    let groceriesId = "";
    const pageErrors: string[] = [];

    const transactions = () =>
      apiCall<{ data: Tx[] }>(page, "GET", `/transactions?accountId=${accountId}&limit=500`).then(
        (r) => r.data,
      );
    const byPayee = async (payee: string) =>
      (await transactions()).filter((t) => t.payee === payee);
    const checkbox = (payee: string) =>
      page.getByRole("checkbox", { name: new RegExp(`^Select ${payee},`) });
    const openRegister = async () => {
      await page.goto(`/accounts/${accountId}`);
      await page.getByRole("heading", { name: "Everyday checking", exact: true }).waitFor();
      await page.locator('[data-check="0"]').waitFor();
    };

    beforeAll(async () => {
      const app = await startApp(db.url);
      running = app.running;
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

      await signUp(page, "Bea Bulk", "bea@example.test");
      // The starter tree the sign-up gave the household has Food › Groceries.
      groceriesId = await categoryId(page, "Groceries");
      const account = await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Everyday checking",
        type: "checking",
        currency: "EUR",
        openingBalance: "1000",
      });
      accountId = account.id;
      // Newest first in the register: Fuel Stop on top, the oldest Amazon order at the bottom.
      const rows: [string, string, string][] = [
        ["2026-03-01", "Amazon Marketplace", "-130.00"],
        ["2026-03-02", "Salary Corp", "1234.56"],
        ["2026-03-03", "Amazon Marketplace", "-75.00"],
        ["2026-03-04", "Amazon Marketplace", "-20.00"],
        ["2026-03-05", "Corner Grocer", "-42.50"],
        ["2026-03-06", "Bakery Sun", "-4.20"],
        ["2026-03-07", "Book Nook", "-18.00"],
        ["2026-03-08", "Fuel Stop", "-61.15"],
      ];
      for (const [date, payee, amount] of rows) {
        await apiCall(page, "POST", "/transactions", { accountId, date, payee, amount });
      }
      // The UI caches categories and accounts; a fresh load sees what the API just made.
      await page.reload();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    }, 90_000);

    afterAll(async () => {
      await browser.close();
      await running.shutdown(1000);
    });

    it("bulk-categorises three transactions picked with a click and a shift-click", async () => {
      await openRegister();
      await checkbox("Book Nook").click();
      await checkbox("Corner Grocer").click({ modifiers: ["Shift"] });
      const bar = page.getByRole("region", { name: "Bulk actions" });
      await expect.poll(() => bar.textContent()).toContain("3 transactions selected");
      expect(await checkbox("Bakery Sun").isChecked()).toBe(true);
      expect(await checkbox("Fuel Stop").isChecked()).toBe(false);
      await bar.getByLabel("Category").selectOption(groceriesId);
      await bar.getByRole("button", { name: "Categorise" }).click();
      const dialog = page.getByRole("dialog", {
        name: "Categorise 3 transactions as Food › Groceries?",
      });
      await dialog.waitFor();
      await look(page, "bulk-confirm");
      await dialog.getByRole("button", { name: "Categorise 3 transactions" }).click();
      await expect
        .poll(() => bar.getByRole("status").textContent())
        .toBe("Categorised 3 transactions.");
      for (const payee of ["Book Nook", "Bakery Sun", "Corner Grocer"]) {
        const row = page.locator(".register-rows > li", { hasText: payee });
        await expect.poll(() => row.textContent()).toContain("Food › Groceries");
        expect((await byPayee(payee))[0]?.categoryId).toBe(groceriesId);
      }
      expect((await byPayee("Fuel Stop"))[0]?.categoryId).toBeNull();
      await look(page, "bulk-selected");
      await bar.getByRole("button", { name: "Clear selection" }).click();
      await expect.poll(() => bar.count()).toBe(0);
    });

    it("selects with the keyboard and tags after the confirmation", async () => {
      await openRegister();
      await checkbox("Fuel Stop").focus();
      await page.keyboard.press("Space");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      // Shift+Space ticks the range from the last ticked row, as a shift-click does.
      await page.keyboard.press("Shift+Space");
      const bar = page.getByRole("region", { name: "Bulk actions" });
      await expect.poll(() => bar.textContent()).toContain("3 transactions selected");
      await bar.getByLabel("Tag", { exact: true }).fill("trip");
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Add the tag #trip to 3 transactions?" });
      await dialog.waitFor();
      // Focus starts on Cancel: Enter alone never confirms by accident.
      await page.keyboard.press("Escape");
      await expect.poll(() => dialog.count()).toBe(0);
      await bar.getByRole("button", { name: "Add tag" }).click();
      await dialog.getByRole("button", { name: "Tag 3 transactions" }).click();
      await expect.poll(async () => (await byPayee("Book Nook"))[0]?.tags).toEqual(["trip"]);
      expect((await byPayee("Fuel Stop"))[0]?.tags).toEqual(["trip"]);
      expect((await byPayee("Bakery Sun"))[0]?.tags).toEqual(["trip"]);
      expect((await byPayee("Corner Grocer"))[0]?.tags).toEqual([]);
    });

    it("changes nothing when a selected row is reconciled, naming it, and deselects it on request", async () => {
      const [salary] = await byPayee("Salary Corp");
      const csrf = (await (await page.request.get("/api/v1/auth/csrf")).json()) as {
        token: string;
      };
      await page.request.fetch(`/api/v1/transactions/${salary?.id ?? ""}`, {
        method: "PATCH",
        headers: { "X-CSRF-Token": csrf.token, "Content-Type": "application/json" },
        data: JSON.stringify({ status: "reconciled" }),
      });
      await openRegister();
      await checkbox("Salary Corp").click();
      await checkbox("Bakery Sun").click();
      const bar = page.getByRole("region", { name: "Bulk actions" });
      await bar.getByRole("button", { name: "Delete…" }).click();
      await page.getByRole("button", { name: "Delete 2 transactions" }).click();
      const alert = bar.getByRole("alert");
      await expect.poll(() => alert.textContent()).toContain("Nothing was changed");
      expect(await alert.textContent()).toContain("Salary Corp");
      expect(await alert.textContent()).toContain("reconciled and locked");
      await look(page, "bulk-locked");
      await alert.getByRole("button", { name: "Deselect it" }).click();
      await expect.poll(() => bar.textContent()).toContain("1 transaction selected");
      expect(await byPayee("Bakery Sun")).toHaveLength(1);
      await bar.getByRole("button", { name: "Clear selection" }).click();
    });

    it("searches with the query language and shows the count and total of the results", async () => {
      await openRegister();
      const search = page.getByRole("searchbox", { name: "Search this account" });
      await search.fill("payee:amazon amount:<-50");
      const summary = page.getByTestId("search-summary");
      await expect.poll(() => summary.textContent()).toBe("2 transactions, total -€205.00");
      await expect.poll(() => page.locator(".register-rows > li").count()).toBe(2);
      await look(page, "register-search");

      await search.fill('payee:"amazon');
      const error = page.locator("#register-search-error");
      await expect
        .poll(() => error.textContent())
        .toMatch(/quote is never closed \(at character 7\)/);
      expect(await search.getAttribute("aria-invalid")).toBe("true");
      expect(await search.getAttribute("aria-describedby")).toBe("register-search-error");
      await look(page, "register-search-error");

      await search.fill("amazon");
      await expect.poll(() => summary.textContent()).toBe("3 transactions, total -€225.00");
      expect(await error.count()).toBe(0);
      await search.fill("");
      await expect.poll(() => summary.textContent()).toBe("8 transactions, total +€883.71");
    });

    it("formats numbers, dates and amounts for the chosen locale, and keeps it", async () => {
      await page.goto("/settings");
      const picker = page.getByLabel("Format numbers, dates and amounts for");
      await picker.selectOption("de-DE");
      const example = page.getByTestId("locale-example");
      await expect.poll(() => example.textContent()).toMatch(/-1\.234,56\s€ on 05\.03\.2026/);
      await page.reload();
      expect(await page.getByLabel("Format numbers, dates and amounts for").inputValue()).toBe(
        "de-DE",
      );
      await openRegister();
      const salary = page.locator(".register-rows > li", { hasText: "Salary Corp" });
      await expect.poll(() => salary.textContent()).toMatch(/\+1\.234,56\s€/);
      expect(await page.getByTestId("search-summary").textContent()).toMatch(/\+883,71\s€/);
      await look(page, "register-de");

      await page.goto("/settings");
      await page.getByLabel("Format numbers, dates and amounts for").selectOption("");
      await expect.poll(() => example.textContent()).toContain("-€1,234.56");
    });

    it("shows the base currency, adds and deletes a rate, and names the bad lines of a CSV", async () => {
      await page.goto("/settings");
      const section = page.getByRole("region", { name: "Currencies and exchange rates" });
      const base = section.getByLabel("Household base currency");
      await expect.poll(() => base.inputValue()).toBe("EUR");
      expect(await base.getAttribute("readonly")).not.toBeNull();
      const form = section.getByRole("form", { name: "Add an exchange rate" });
      await form.getByLabel("Currency").fill("usd");
      await form.getByLabel("From date").fill("2026-03-05");
      await form.getByLabel("Rate in EUR").fill("0.92");
      await form.getByRole("button", { name: "Add rate" }).click();
      const table = section.getByRole("table");
      await expect.poll(() => table.textContent()).toContain("1 USD = 0.92 EUR");

      await form.getByLabel("Currency").fill("EUR");
      await form.getByLabel("Rate in EUR").fill("1");
      await form.getByRole("button", { name: "Add rate" }).click();
      await expect.poll(() => form.textContent()).toContain("is the base currency EUR");

      const upload = section.getByLabel("Upload rates as CSV");
      await upload.setInputFiles({
        name: "rates.csv",
        mimeType: "",
        buffer: Buffer.from("date,currency,rate\n2026-03-01,GBP,1.17\n2026-03-02,GBP,abc\n"),
      });
      const errors = section.getByTestId("rate-csv-errors");
      await expect.poll(() => errors.textContent()).toMatch(/^Line 3: /);
      expect(await table.textContent()).not.toContain("GBP");
      await look(page, "settings-rates-errors");
      await upload.setInputFiles({
        name: "rates.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("2026-03-01,GBP,1.17\n2026-03-02,GBP,1.18\n"),
      });
      await expect.poll(() => section.textContent()).toContain("Stored 2 rates from rates.csv.");
      await expect.poll(() => table.textContent()).toContain("1 GBP = 1.18 EUR");

      await table.getByRole("button", { name: /^Delete the USD rate of/ }).click();
      await expect.poll(() => table.textContent()).not.toContain("USD");
      await look(page, "settings-rates");
    });

    it("imports a CSV with debit and credit columns dropped on the wizard's drop zone", async () => {
      const csv = [
        "Date,Payee,Debit,Credit",
        "2026-02-02,Bakery Sun,4.20,",
        "2026-02-03,Salary Corp,,2500.00",
        "2026-02-05,Fuel Stop,61.15,",
        "",
      ].join("\n");
      await page.goto("/import");
      await page.getByRole("heading", { name: "Import", exact: true }).waitFor();
      const dataTransfer = await page.evaluateHandle(
        `(() => { const dt = new DataTransfer(); dt.items.add(new File([${JSON.stringify(csv)}], "statement.csv", { type: "text/csv" })); return dt; })()`,
      );
      const zone = page.locator(".dropzone");
      await zone.dispatchEvent("dragover", { dataTransfer });
      await expect.poll(() => zone.getAttribute("class")).toContain("dragging");
      await zone.dispatchEvent("drop", { dataTransfer });
      await page.getByTestId("import-format").waitFor();

      const layout = page.getByLabel("Amounts are in");
      expect(await layout.inputValue()).toBe("split");
      expect(await page.getByLabel("Debit column (money out)").inputValue()).toBe("2");
      expect(await page.getByLabel("Credit column (money in)").inputValue()).toBe("3");
      const preview = page.getByRole("table", { name: "How the first rows will be read" });
      await expect.poll(() => preview.textContent()).toContain("-€4.20");
      expect(await preview.textContent()).toContain("+€2,500.00");
      await look(page, "import-debit-credit");
      // The preview follows the layout: as one signed column the debits would read as money in.
      await layout.selectOption("signed");
      await expect.poll(() => preview.textContent()).toContain("+€4.20");
      await layout.selectOption("split");
      await expect.poll(() => preview.textContent()).toContain("-€4.20");

      await page.getByRole("button", { name: /^Import 3 rows/ }).click();
      await expect.poll(() => page.getByTestId("imported").textContent()).toBe("3");
      const amounts = (await transactions())
        .filter((t) => ["Bakery Sun", "Salary Corp", "Fuel Stop"].includes(t.payee))
        .map((t) => t.amount)
        .sort();
      expect(amounts).toEqual(["-4.20", "-61.15", "-61.15", "-4.20", "1234.56", "2500.00"].sort());
    });

    it("imports an amount with a credit/debit column, the preview following the values", async () => {
      const csv = [
        "Date,Payee,Amount,Kind",
        "2026-02-10,Book Nook,18.00,DR",
        "2026-02-11,Refund Shop,25.00,CR",
        "",
      ].join("\n");
      await page.goto("/import");
      await page.getByLabel("Bank file", { exact: true }).setInputFiles({
        name: "kinds.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(csv),
      });
      const layout = page.getByLabel("Amounts are in");
      await expect.poll(() => layout.inputValue()).toBe("signed");
      const preview = page.getByRole("table", { name: "How the first rows will be read" });
      await expect.poll(() => preview.textContent()).toContain("+€18.00");
      await layout.selectOption("direction");
      expect(await page.getByLabel("Credit/debit column").inputValue()).toBe("3");
      await expect.poll(() => preview.textContent()).toContain("-€18.00");
      expect(await preview.textContent()).toContain("+€25.00");
      const credits = page.getByLabel("Values meaning money in");
      await credits.fill("in, incoming");
      await expect
        .poll(() => preview.textContent())
        .toContain('"cr" is neither a credit nor a debit value');
      await look(page, "import-direction");
      await credits.fill("CR");
      await expect.poll(() => preview.textContent()).toContain("+€25.00");
      await page.getByRole("button", { name: /^Import 2 rows/ }).click();
      await expect.poll(() => page.getByTestId("imported").textContent()).toBe("2");
      expect((await byPayee("Refund Shop"))[0]?.amount).toBe("25.00");
      expect((await byPayee("Book Nook")).map((t) => t.amount).sort()).toEqual([
        "-18.00",
        "-18.00",
      ]);
    });

    it("fits a phone without horizontal scrolling on the new screens and states", async () => {
      await page.setViewportSize({ width: 360, height: 780 });
      await openRegister();
      // The imports above made some payees appear twice; these two are still unique.
      await checkbox("Corner Grocer").click();
      await checkbox("Refund Shop").click();
      await page.getByRole("region", { name: "Bulk actions" }).waitFor();
      expect(await page.evaluate<number>(sidewaysOverflow), "register").toBeLessThanOrEqual(0);
      await look(page, "phone-register-bulk");
      await page.getByRole("searchbox", { name: "Search this account" }).fill("amount:<<");
      await page.locator("#register-search-error").waitFor();
      expect(await page.evaluate<number>(sidewaysOverflow), "search").toBeLessThanOrEqual(0);
      await look(page, "phone-register-search-error");
      await page.goto("/settings");
      await page
        .getByRole("region", { name: "Currencies and exchange rates" })
        .getByRole("table")
        .waitFor();
      expect(await page.evaluate<number>(sidewaysOverflow), "settings").toBeLessThanOrEqual(0);
      await look(page, "phone-settings");
      await page.goto("/import");
      await page.getByLabel("Bank file", { exact: true }).setInputFiles({
        name: "phone.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("Date,Payee,Debit,Credit\n2026-01-02,Phone Shop,9.99,\n"),
      });
      await page.getByLabel("Amounts are in").waitFor();
      expect(await page.evaluate<number>(sidewaysOverflow), "import").toBeLessThanOrEqual(0);
      await look(page, "phone-import-debit-credit");
      await page.setViewportSize({ width: 1280, height: 860 });
    });

    it("logged no script errors", () => {
      expect(pageErrors).toEqual([]);
    });
  },
);
