// Fast entry in the register: the always-open entry row driven by the keyboard alone (Enter
// saves and starts the next), payee suggestions that fill the category, a receipt attached before
// the first save, a transfer across currencies with both amounts, and the phone's quick-add
// button, in real Chromium against the real app on real PostgreSQL and Redis. Screenshots
// (light, dark, phone) land in .screenshots/.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { pngBytes } from "../fixtures/attachments.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, categoryId, look, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

interface Tx {
  id: string;
  payee: string;
  amount: string;
  notes: string;
  categoryId: string | null;
  transfer: { accountId: string; amount: string } | null;
}

describe("fast entry", { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let checkingId = "";
  let groceriesId = "";
  const pageErrors: string[] = [];

  const entry = () => page.getByRole("form", { name: "Enter a transaction" });
  const focusedName = (p: Page) => p.evaluate<string>("document.activeElement?.name ?? ''");
  const transactions = async (accountId: string) =>
    (await apiCall<{ data: Tx[] }>(page, "GET", `/transactions?accountId=${accountId}`)).data;

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
      const expected = /status of (401|409|415|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await signUp(page, "Fenna Fast", "fenna@example.test");
    // One of the starter categories the sign-up gave the household.
    groceriesId = await categoryId(page, "Groceries");
    checkingId = (
      await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Checking",
        type: "checking",
        currency: "EUR",
        openingDate: "2025-01-01",
        openingBalance: "1000.00",
      })
    ).id;
    // History the suggestions learn from: one shop under three spellings, last as Groceries.
    for (const payee of ["REWE", "Rewe", "REWE Markt", "REWE Markt"]) {
      await apiCall(page, "POST", "/transactions", {
        accountId: checkingId,
        date: "2026-01-10",
        amount: "-10.00",
        payee,
        categoryId: payee === "REWE Markt" ? groceriesId : null,
      });
    }
  });

  afterAll(async () => {
    await context.close();
    await browser.close();
    await running.shutdown(1000);
    expect(pageErrors).toEqual([]);
  });

  it("enters three transactions with the keyboard, a suggestion filling the category and a receipt going along", async () => {
    await page.goto(`/accounts/${checkingId}`);
    await page.getByRole("heading", { name: "Checking" }).waitFor();
    await page.getByRole("button", { name: "Add transaction" }).press("Enter");
    // Focus and the row's state follow the key press in a later frame: polled, not read once.
    await expect.poll(() => focusedName(page)).toBe("payee");
    expect(await entry().getByLabel("Date").inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // One: payee, past Category (Transfer is off with one account), a memo, an outflow, Enter.
    await expect
      .poll(() => entry().getByRole("checkbox", { name: "Transfer" }).isDisabled())
      .toBe(true);
    await page.keyboard.type("Bakery Lind");
    await page.keyboard.press("Tab"); // Category
    await page.keyboard.press("Tab"); // Memo
    await page.keyboard.type("rolls");
    await page.keyboard.press("Tab"); // Outflow
    await page.keyboard.type("4.20");
    await page.keyboard.press("Enter");
    const bakery = page.locator(".register-row", { hasText: "Bakery Lind" });
    await bakery.waitFor();
    await expect.poll(() => bakery.textContent()).toContain("-€4.20");
    // The next empty row, payee focused, date kept.
    await expect.poll(() => focusedName(page)).toBe("payee");
    expect(await entry().getByLabel("Payee").inputValue()).toBe("");
    expect(await entry().getByLabel("Outflow (EUR)").inputValue()).toBe("");

    // Two: "rew" suggests REWE once (three spellings), with its last category; taking it fills
    // the category. A receipt is attached before the first save.
    await page.keyboard.type("rew");
    const suggestions = page.getByRole("listbox", { name: "Suggestions" });
    await suggestions.getByRole("option", { name: /REWE Markt/ }).waitFor();
    expect(await suggestions.getByRole("option").count()).toBe(1);
    expect(await suggestions.textContent()).toContain("Groceries");
    await page.keyboard.press("ArrowDown");
    await look(page, "entry-suggestions");
    await page.keyboard.press("Enter");
    await expect.poll(() => entry().getByLabel("Payee").inputValue()).toBe("REWE Markt");
    await expect.poll(() => entry().getByLabel("Category").inputValue()).toBe(groceriesId);
    await entry()
      .locator("input[type=file]")
      .setInputFiles({ name: "rewe-receipt.png", mimeType: "image/png", buffer: pngBytes() });
    await entry()
      .getByRole("list", { name: "Receipts to attach" })
      .getByRole("button", { name: "Remove rewe-receipt.png" })
      .waitFor();
    await entry().getByLabel("Outflow (EUR)").focus();
    await page.keyboard.type("23,10");
    await look(page, "entry-row");
    await page.keyboard.press("Enter");
    await page.getByText("Saved REWE Markt with 1 receipt.").waitFor();

    // Three: money in, Escape first clearing a half-typed row.
    await expect.poll(() => focusedName(page)).toBe("payee");
    await page.keyboard.type("Typo");
    await page.keyboard.press("Escape");
    await expect.poll(() => entry().getByLabel("Payee").inputValue()).toBe("");
    await page.keyboard.type("Employer");
    for (let i = 0; i < 4; i += 1) await page.keyboard.press("Tab"); // to Inflow
    await page.keyboard.type("1500");
    await expect.poll(() => focusedName(page)).toBe("inflow");
    await page.keyboard.press("Enter");
    await page.locator(".register-row", { hasText: "Employer" }).waitFor();

    const booked = await transactions(checkingId);
    const byPayee = (payee: string) => booked.find((t) => t.payee === payee);
    expect(byPayee("Bakery Lind")).toMatchObject({ amount: "-4.20", notes: "rolls" });
    expect(byPayee("Employer")).toMatchObject({ amount: "1500.00", categoryId: null });
    const rewe = booked.find((t) => t.payee === "REWE Markt" && t.amount === "-23.10");
    expect(rewe?.categoryId).toBe(groceriesId);
    const receipts = await apiCall<{ data: { filename: string }[] }>(
      page,
      "GET",
      `/transactions/${rewe?.id ?? ""}/attachments`,
    );
    expect(receipts.data.map((a) => a.filename)).toEqual(["rewe-receipt.png"]);
    await expect.poll(() => page.locator(".balance-label").textContent()).toContain("2,432.70");
  });

  it("keeps the transaction saved and says so when a receipt cannot be attached", async () => {
    await entry().getByLabel("Payee").fill("Kiosk");
    await entry().getByLabel("Outflow (EUR)").fill("2");
    await entry()
      .locator("input[type=file]")
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await entry().getByLabel("Outflow (EUR)").press("Enter");
    const alert = entry().getByRole("alert").filter({ hasText: "Kiosk" });
    await expect.poll(() => alert.textContent()).toContain("Kiosk was saved, but a receipt");
    expect(await alert.textContent()).toContain("notes.txt");
    await page.locator(".register-row", { hasText: "Kiosk" }).waitFor();
  });

  it("opens the entry row from the phone's quick-add button, the only account chosen", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      baseURL: new URL(page.url()).origin,
      locale: "en-US",
      storageState: await context.storageState(),
      isMobile: true,
      hasTouch: true,
    });
    phone.setDefaultTimeout(10_000);
    const mpage = await phone.newPage();
    await mpage.goto("/");
    await mpage.getByRole("heading", { name: "Dashboard" }).waitFor();
    await look(mpage, "entry-phone-dashboard");
    await mpage.getByRole("button", { name: "Add a transaction" }).click();
    await mpage.getByRole("heading", { name: "Transactions" }).waitFor();
    const row = mpage.getByRole("form", { name: "Enter a transaction" });
    expect(await row.getByLabel("Account").inputValue()).toBe(checkingId);
    await expect.poll(() => focusedName(mpage)).toBe("payee");
    expect(await row.getByLabel("Outflow (EUR)").getAttribute("inputmode")).toBe("decimal");
    await mpage.keyboard.type("Bus ticket");
    await row.getByLabel("Outflow (EUR)").fill("3.50");
    await look(mpage, "entry-phone");
    expect(await mpage.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await mpage.keyboard.press("Enter");
    await mpage.locator(".register-row", { hasText: "Bus ticket" }).waitFor();
    await phone.close();
  });

  it("makes a transfer across currencies with both amounts asked up front", async () => {
    const travelId = (
      await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Travel USD",
        type: "savings",
        currency: "USD",
        openingDate: "2025-01-01",
      })
    ).id;
    await page.goto("/transactions");
    await page.getByRole("heading", { name: "Transactions" }).waitFor();
    // Two accounts now: none is chosen for you.
    expect(await entry().getByLabel("Account").inputValue()).toBe("");
    await entry().getByLabel("Account").selectOption(checkingId);
    await entry().getByLabel("Payee").fill("Holiday money");
    await entry().getByRole("checkbox", { name: "Transfer" }).press("Space");
    await entry().getByLabel("To account").selectOption(travelId);
    await entry().getByLabel("Outflow (EUR)").fill("100");
    await entry().getByLabel("Received in Travel USD (USD)").fill("108.40");
    await look(page, "entry-transfer");
    await entry().getByLabel("Received in Travel USD (USD)").press("Enter");
    await page.getByText("Saved Holiday money.").waitFor();
    const [sent] = (await transactions(checkingId)).filter((t) => t.payee === "Holiday money");
    expect(sent).toMatchObject({
      amount: "-100.00",
      transfer: { accountId: travelId, amount: "108.40" },
    });
    const [received] = await transactions(travelId);
    expect(received).toMatchObject({ amount: "108.40", transfer: { accountId: checkingId } });
    await expect
      .poll(() => page.locator(".register-row", { hasText: "Holiday money" }).count())
      .toBe(2);
  });
});
