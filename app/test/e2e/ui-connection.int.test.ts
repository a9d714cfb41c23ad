// A lost connection and a new version, end to end in real Chromium against the real app: the
// UI says it is offline in words (never the browser's "Failed to fetch"), reloads what failed
// once the connection is back, sends a change whose answer was lost again with the same
// Idempotency-Key (so it is made exactly once), and asks for a reload when a screen's code is
// gone after a deploy. Screenshots land in .screenshots/.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, look, startApp, signUp } from "./ui-helpers.ts";

describe("the web UI without a connection", { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const banner = () => page.getByRole("status").filter({ hasText: "You are offline" });

  beforeAll(async () => {
    const app = await startApp(db.url);
    running = app.running;
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: app.base,
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    await signUp(page, "Otto Offline", "otto@example.test");
  }, 90_000);

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("says it is offline in words and loads by itself once the connection is back", async () => {
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("button", { name: "New account" }).waitFor();
    await context.setOffline(true);
    // The dashboard loads its cards afresh on every visit: offline, each says why in words.
    await page.getByRole("link", { name: "Dashboard" }).click();
    await banner().waitFor();
    await page.getByText("You are offline, so this could not load").first().waitFor();
    expect(await page.locator("body").textContent()).not.toMatch(/failed to fetch/i);
    await look(page, "offline");

    await context.setOffline(false);
    await banner().waitFor({ state: "detached" });
    // The cards loaded again on their own.
    await expect.poll(() => page.getByText("could not load").count()).toBe(0);
    await page.getByRole("link", { name: "Accounts" }).click();
  });

  it("makes a change whose answer was lost exactly once, when the connection is back", async () => {
    await page.getByRole("button", { name: "New account" }).click();
    await page.getByLabel("Name").fill("Made offline");
    await page.getByLabel("Opening balance").fill("250");
    await context.setOffline(true);
    await page.getByRole("button", { name: "Create account" }).click();
    await banner().waitFor();
    await page.waitForTimeout(1000);
    await context.setOffline(false);
    await page
      .getByRole("heading", { name: "Made offline" })
      .waitFor()
      .catch(async (error: unknown) => {
        await look(page, "offline-debug").catch(() => undefined);
        throw new Error(`${String(error)}\n${(await page.locator("main").textContent()) ?? ""}`);
      });
    const accounts = await apiCall<{ data: { name: string }[] }>(page, "GET", "/accounts");
    expect(accounts.data.filter((a) => a.name === "Made offline")).toHaveLength(1);
  });

  it("asks for a reload when a screen's code is gone after a deploy", async () => {
    // A new version replaced the assets: the old page's chunk for Reports answers 404.
    await page.route(/\/assets\/reports-[^/]*\.js$/, (route) => route.fulfill({ status: 404 }));
    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByText("fintrack has been updated since this page was opened").waitFor();
    await look(page, "new-version");
    await page.unroute(/\/assets\/reports-[^/]*\.js$/);
    await page.getByRole("button", { name: "Reload" }).click();
    await page.getByRole("heading", { name: "Reports" }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
