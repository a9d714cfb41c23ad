// A new household's first screen of categories: the sign-up sends the browser's language and the
// household starts with the starter tree in it (English when the browser speaks none of the
// tree's languages), in real Chromium against a real app on real PostgreSQL and Redis.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { look, startApp, signUp } from "./ui-helpers.ts";

/** Signs the household's first owner up in a browser that speaks `locale`; answers its page. */
async function signUpIn(browser: Browser, base: string, locale: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: base,
    locale,
    viewport: { width: 1280, height: 860 },
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await signUp(page, "Camille Catégorie", "camille@example.test");
  return page;
}

/** The names the Categories screen lists, without the branch mark and the parent's name. */
async function listedCategories(page: Page): Promise<string[]> {
  return (await page.locator(".tree-name").allTextContents()).map((text) =>
    text.replace(/^└/, "").replace(/ \(in [^)]*\)$/, ""),
  );
}

describe("a new household's starter categories", { timeout: 120_000 }, () => {
  const french = useTestDatabase();
  const portuguese = useTestDatabase();
  const running: RunningServer[] = [];
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    for (const app of running) await app.shutdown(1000);
  });

  it("come in the browser's language, ready on the Categories screen", async () => {
    const app = await startApp(french.url);
    running.push(app.running);
    const page = await signUpIn(browser, app.base, "fr-CH");
    await page.getByRole("link", { name: "Categories" }).click();
    await page.getByRole("heading", { name: "Categories" }).waitFor();
    await expect
      .poll(() => listedCategories(page))
      .toEqual(expect.arrayContaining(["Revenus", "Salaire", "Alimentation", "Courses"]));
    const names = await listedCategories(page);
    expect(names).not.toContain("Food");
    // Nothing to offer any more: the household has its categories.
    expect(await page.getByRole("button", { name: "Add the starter categories" }).count()).toBe(0);
    await look(page, "categories-starter-fr");
  });

  it("are English when the browser speaks none of the tree's languages", async () => {
    const app = await startApp(portuguese.url);
    running.push(app.running);
    const page = await signUpIn(browser, app.base, "pt-BR");
    await page.getByRole("link", { name: "Categories" }).click();
    await expect
      .poll(() => listedCategories(page))
      .toEqual(expect.arrayContaining(["Income", "Salary", "Food", "Groceries"]));
  });
});
