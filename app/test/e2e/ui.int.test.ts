// The web UI end to end: real Chromium (playwright-core) against the real app on real PostgreSQL
// and Redis. One household's story in order: sign-up, an account, a split transaction with a
// receipt, a viewer who cannot edit, two-factor sign-in, a phone, axe-core on every screen.
// Screenshots of each screen, light and dark, land in .screenshots/ for a person to look at.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Secret, TOTP } from "otpauth";
import pg from "pg";
import { pino } from "pino";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { migrate } from "../../src/db/migrate.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { launchBrowser, saveScreenshot } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { freePort } from "../harness/process.ts";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);
const PASSWORD = "plum-orbit-47-lantern";
/** A 1x1 PNG: a receipt photo as far as the magic bytes go. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** How far the page is wider than the viewport (positive: it scrolls sideways). */
const sidewaysOverflow =
  "document.documentElement.scrollWidth - document.documentElement.clientWidth";

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (evaluated over CDP: the app's CSP forbids inline scripts). */
async function seriousViolations(page: Page): Promise<string[]> {
  // Expressions as strings: this file is type-checked for Node, without the DOM's types.
  const loaded = await page.evaluate<boolean>("'axe' in window");
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(
    "axe.run({ resultTypes: ['violations'] }).then((r) => r.violations)",
  );
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Screenshots the screen in light and dark and checks both with axe-core. */
async function look(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Polled with evaluate (CDP): waitForFunction with a string would need the page's eval.
    await expect
      .poll(() => page.evaluate<string>("document.documentElement.dataset.theme"))
      .toBe(scheme);
    await page.waitForTimeout(150);
    await saveScreenshot(page, `ui-${name}-${scheme}`);
    expect(await seriousViolations(page), `${name} in ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

describe("the web UI", { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  let base = "";
  let inviteLink = "";
  let totpSecret = "";
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const pool = new pg.Pool({ connectionString: db.url });
    await migrate(pool);
    await pool.end();
    const port = await freePort();
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: inject("redis").url,
      VALIDATE_RESPONSES: "true",
      SESSION_SECRET: "e2e-".repeat(12),
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      BASE_URL: `http://127.0.0.1:${String(port)}`,
    });
    running = await startServer(config, pino({ level: "silent" }));
    base = `http://127.0.0.1:${String(port)}`;
    browser = await launchBrowser();
    owner = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    owner.setDefaultTimeout(10_000);
    page = await owner.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      // Answers the story provokes on purpose (401 before sign-in, 422 for a short password)
      // are logged by Chromium as failed resources; script errors are what this collects.
      const expected = /status of (401|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });
  }, 90_000);

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("serves the UI with immutable assets, a revalidated index and an SPA fallback", async () => {
    const index = await fetch(`${base}/accounts/1`, { headers: { accept: "text/html" } });
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? "";
    const js = await fetch(`${base}${asset}`);
    expect(js.headers.get("cache-control")).toContain("immutable");
    const api = await fetch(`${base}/api/v1/nothing`, { headers: { accept: "text/html" } });
    expect(api.headers.get("content-type")).toContain("problem+json");
  });

  it("signs up the household's owner", async () => {
    await page.goto("/signup");
    await look(page, "signup");
    await page.getByLabel("Your name").fill("Olivia Owner");
    await page.getByLabel("Email").fill("owner@example.test");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    // The API's problem+json names the field; the form shows it beside the password.
    await expect.poll(() => page.locator(".field-error").count()).toBeGreaterThan(0);
    await saveScreenshot(page, "ui-signup-error");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await look(page, "dashboard-empty");
  });

  it("starts the new household with the starter categories, adds its own and an account", async () => {
    await page.getByRole("link", { name: "Categories" }).click();
    // The sign-up gave the household the starter tree in the browser's language (English here).
    // A tree row reads "└Groceries (in Food)": the branch mark and the screen reader's parent.
    const treeNames = async () =>
      (await page.locator(".tree-name").allTextContents()).map((text) =>
        text.replace(/^└/, "").replace(/ \(in [^)]*\)$/, ""),
      );
    await expect
      .poll(treeNames)
      .toEqual(expect.arrayContaining(["Housing", "Household", "Food", "Groceries", "Salary"]));
    await page.getByLabel("Name").fill("Pets");
    await page.getByRole("button", { name: "Add category" }).click();
    await page.locator(".tree-name", { hasText: "Pets" }).waitFor();
    await page.getByLabel("Name").fill("Pet food");
    await page.getByLabel("Inside").selectOption({ label: "Pets" });
    await page.getByRole("button", { name: "Add category" }).click();
    await page.locator(".tree-name", { hasText: "Pet food" }).waitFor();
    await look(page, "categories");

    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("button", { name: "New account" }).click();
    await page.getByLabel("Name").fill("Everyday checking");
    await page.getByLabel("Opening balance").fill("1000");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Everyday checking" }).waitFor();
    await expect.poll(() => page.locator(".balance-label").textContent()).toContain("1,000.00");
  });

  it("adds a transaction with Enter, then edits it into a split", async () => {
    await page.getByRole("button", { name: "Add transaction" }).click();
    await page.getByLabel("Payee").fill("Corner Grocer");
    await page.getByLabel("Outflow (EUR)").fill("42.5");
    await page.getByLabel("Outflow (EUR)").press("Enter");
    const row = page.locator(".register-row", { hasText: "Corner Grocer" });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain("-€42.50");
    await expect.poll(() => row.textContent()).toContain("+€957.50"); // running balance

    await row.click();
    const editor = page.getByRole("form", { name: "Edit transaction" });
    await editor.getByRole("button", { name: "More details" }).click();
    await editor.getByLabel("Tags").fill("weekly, market");
    await editor.getByRole("button", { name: "Add split line" }).click();
    await editor.getByLabel("Line 1 category").selectOption({ label: "\u00a0\u00a0Groceries" });
    await editor.getByLabel("Line 1 amount").fill("-30");
    await editor.getByRole("button", { name: "Add split line" }).click();
    await expect.poll(() => editor.getByLabel("Line 2 amount").inputValue()).toBe("-12.50");
    await editor.getByLabel("Line 2 category").selectOption({ label: "\u00a0\u00a0Pet food" });
    await look(page, "register-editor");
    await editor.getByLabel("Line 2 memo").press("Enter");
    await expect.poll(() => row.textContent()).toContain("Split (2)");
    await expect.poll(() => row.textContent()).toContain("#weekly");
  });

  it("attaches a receipt and shows its preview and download", async () => {
    await page.locator(".register-row", { hasText: "Corner Grocer" }).click();
    const editor = page.getByRole("form", { name: "Edit transaction" });
    await editor.locator("input[type=file]").setInputFiles({
      name: "receipt.png",
      mimeType: "image/png",
      buffer: PNG,
    });
    await editor.getByRole("img", { name: "Preview of receipt.png" }).waitFor();
    const download = editor.getByRole("link", { name: "Download receipt.png" });
    expect(await download.getAttribute("href")).toMatch(
      /\/api\/v1\/transactions\/\d+\/attachments\/\d+$/,
    );
    await look(page, "register-receipt");
    await editor.press("Escape");
    await page.getByRole("form", { name: "Edit transaction" }).waitFor({ state: "detached" });
    await look(page, "register");
  });

  it("shows the dashboard with net worth and recent transactions", async () => {
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.locator(".list-title", { hasText: "Corner Grocer" }).waitFor();
    await page.locator(".chart canvas").waitFor();
    const table = page.getByRole("table", { name: /Net worth at each month end/ });
    expect(await table.textContent()).toContain("957.50");
    await look(page, "dashboard");
  });

  it("invites a viewer who can read but not edit", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    inviteLink = (await page.getByTestId("invite-link").textContent()) ?? "";
    expect(inviteLink).toMatch(/\/invite\/.+/);
    await look(page, "settings");

    const viewer = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: base,
    });
    const vpage = await viewer.newPage();
    await vpage.goto(new URL(inviteLink).pathname);
    await look(vpage, "invite");
    await vpage.getByLabel("Your name").fill("Vic Viewer");
    await vpage.getByLabel("Email").fill("viewer@example.test");
    await vpage.getByLabel("Password").fill(PASSWORD);
    await vpage.getByRole("button", { name: "Accept invitation" }).click();
    await vpage.getByRole("heading", { name: "Dashboard" }).waitFor();
    await vpage.getByRole("link", { name: "Accounts" }).click();
    await vpage.getByRole("link", { name: /Everyday checking/ }).click();
    await vpage.locator(".register-row", { hasText: "Corner Grocer" }).click();
    const editor = vpage.getByRole("form", { name: "Edit transaction" });
    await editor.waitFor();
    expect(await vpage.getByRole("button", { name: "Add transaction" }).count()).toBe(0);
    expect(await editor.getByRole("button", { name: /Save/ }).count()).toBe(0);
    expect(await editor.getByLabel("Payee").isDisabled()).toBe(true);
    expect(await editor.locator("input[type=file]").count()).toBe(0);
    await look(vpage, "register-viewer");
    await viewer.close();
  });

  it("turns on two-factor sign-in and signs in with a code", async () => {
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    totpSecret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    await page.getByRole("img", { name: /QR code/ }).waitFor();
    const totp = new TOTP({ secret: Secret.fromBase32(totpSecret) });
    await page.getByLabel("Code from the app").fill(totp.generate());
    await look(page, "settings-totp-setup");
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("Keep these recovery codes").waitFor();
    await look(page, "settings-recovery-codes");

    await page.getByRole("button", { name: /Olivia Owner/ }).click();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await look(page, "login");
    await page.getByLabel("Email").fill("owner@example.test");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("Authentication code").waitFor();
    await look(page, "login-totp");
    // The next step's code: the one used to turn it on may not be replayed.
    await page
      .getByLabel("Authentication code")
      .fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  });

  it("fits a phone without horizontal scrolling on every screen", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [name, path] of [
      ["dashboard", "/"],
      ["accounts", "/accounts"],
      ["categories", "/categories"],
      ["settings", "/settings"],
    ] as const) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate<number>(sidewaysOverflow);
      expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
      await look(page, `phone-${name}`);
    }
    await page.goto("/accounts");
    await page.getByRole("link", { name: /Everyday checking/ }).click();
    await page.locator(".register-row").first().waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await look(page, "phone-register");
    // Touch targets: every link and button shown in the bottom bar is at least 44 px tall (the
    // sections behind "More" are not displayed there).
    const heights = await page.evaluate<number[]>(
      "[...document.querySelectorAll('nav a, nav button')].filter((a) => a.offsetParent !== null)" +
        ".map((a) => a.getBoundingClientRect().height)",
    );
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
