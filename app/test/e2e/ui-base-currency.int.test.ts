// A household that counts in CHF (FINTRACK_BASE_CURRENCY, set by the operator from
// spec.app.baseCurrency): its new accounts open in CHF even when the form is sent before the
// screen has learnt the base currency (a slow answer). The real node's end-to-end run found an
// account opened in EUR that way.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, startApp, signUp } from "./ui-helpers.ts";

describe("a CHF household's new account", { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const app = await startApp(db.url, { FINTRACK_BASE_CURRENCY: "CHF" });
    running = app.running;
    browser = await launchBrowser();
    page = await browser.newPage({ baseURL: app.base, viewport: { width: 1280, height: 860 } });
    await signUp(page, "Chiara Franc", "chiara@example.test");
  });

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("opens in CHF though the form was sent before the base currency loaded", async () => {
    // The answer naming the base currency is slow: the form is sent before it arrives.
    await page.route(/\/api\/v1\/exchange-rates\?limit=1$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("button", { name: "New account" }).click();
    await page.getByLabel("Name").fill("Konto");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Konto" }).waitFor();
    const accounts = await apiCall<{ data: { name: string; currency: string }[] }>(
      page,
      "GET",
      "/accounts",
    );
    expect(accounts.data.map((a) => [a.name, a.currency])).toEqual([["Konto", "CHF"]]);
  });

  it("offers no fetch of reference rates where fetching is off, only entering them", async () => {
    // This household's app runs with FINTRACK_FX_SOURCE_URL=off (startApp's default, and the
    // operator's unless spec.app.exchangeRates turns fetching on): a fetch could only fail.
    await apiCall(page, "POST", "/accounts", {
      name: "Euro savings",
      type: "savings",
      currency: "EUR",
      openingDate: "2026-01-01",
      openingBalance: "100",
    });
    await page.goto("/");
    const notice = page
      .getByRole("region", { name: "Net worth, last 12 months" })
      .getByTestId("missing-rates");
    await expect.poll(() => notice.getByTestId("rate-fetching-off").count()).toBe(1);
    expect(await notice.textContent()).toContain("EUR");
    expect(await notice.getByRole("button", { name: "Fetch reference rates" }).count()).toBe(0);
    expect(
      await notice
        .getByRole("link", { name: "Enter or upload rates in Settings" })
        .getAttribute("href"),
    ).toBe("/settings");
  });
});
