// The demo household as a newcomer first sees it, in real Chromium against the real app on real
// PostgreSQL and Redis: seeded as `make demo` seeds it, signed in with the published login, the
// dashboard is full (net worth, budgets, upcoming bills, recent transactions) and no screen
// warns of missing exchange rates or overdue bills. Screenshots (light, dark) land in
// .screenshots/.
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "../../src/demo/seed-data.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { look, startApp } from "./ui-helpers.ts";

describe("the demo household in the web UI", { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const section = (name: string) => page.getByRole("region", { name });

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await migrate(pool);
    await seedDemo(pool, new Date().toISOString().slice(0, 10));
    await pool.end();
    const app = await startApp(db.url);
    running = app.running;
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      baseURL: app.base,
      locale: "en-US",
      timezoneId: "UTC",
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      // The sign-in screen asks who is signed in first: 401 until someone is.
      const expected = message.text().includes("status of 401");
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO_USERS[0]?.email ?? "");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  });
  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("shows a full dashboard: net worth, budgets, upcoming bills, recent transactions", async () => {
    await section("Budget progress").getByRole("listitem").first().waitFor();
    await section("Upcoming bills").getByRole("listitem").first().waitFor();
    await section("Recent transactions").getByRole("listitem").first().waitFor();
    await section("Net worth, last 12 months").getByRole("table").waitFor();
    await page.waitForLoadState("networkidle");
    expect(await section("Budget progress").getByRole("listitem").count()).toBe(10);
    await expect.poll(() => page.getByTestId("missing-rates").count()).toBe(0);
    await expect.poll(() => page.getByText("due now").count()).toBe(0);
    await look(page, "demo-dashboard");
    expect(pageErrors).toEqual([]);
  });

  it("warns of nothing on the reports, budgets, bills and import screens", async () => {
    for (const path of ["/reports", "/budgets", "/bills", "/import"]) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      expect(await page.getByTestId("missing-rates").count(), path).toBe(0);
      expect(await page.locator(".overdue").count(), path).toBe(0);
    }
    await expect
      .poll(() =>
        section("Past imports")
          .getByText(/checking-.*\.csv/)
          .count(),
      )
      .toBeGreaterThan(0);
    await look(page, "demo-import");
    expect(pageErrors).toEqual([]);
  });
});
