// Settings in groups with deep links, sessions named by browser and system, copy buttons for
// secrets, a viewer's read-only note, and renaming, archiving and closing accounts: in real
// Chromium against the real app on real PostgreSQL and Redis. Screenshots land in .screenshots/.
import { Secret, TOTP } from "otpauth";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, look, PASSWORD, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

const FIREFOX_WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1";

describe(
  "the web UI's settings groups, copy buttons, read-only note and account closing",
  {
    timeout: 90_000,
  },
  () => {
    const db = useTestDatabase();
    let running: RunningServer;
    let base = "";
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const pageErrors: string[] = [];

    const watch = (p: Page) => {
      p.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
      p.on("console", (message) => {
        const expected = /status of (401|409|422)/.test(message.text());
        if (message.type() === "error" && !expected) pageErrors.push(message.text());
      });
    };
    const focusedId = (p: Page) => p.evaluate<string>("document.activeElement?.id ?? ''");
    const clipboard = () => page.evaluate<string>("navigator.clipboard.readText()");
    const phone = async (p: Page, name: string) => {
      await p.setViewportSize({ width: 390, height: 844 });
      try {
        await look(p, `${name}-phone`);
        expect(await p.evaluate<number>(sidewaysOverflow), name).toBeLessThanOrEqual(0);
      } finally {
        await p.setViewportSize({ width: 1280, height: 860 });
      }
    };

    beforeAll(async () => {
      const app = await startApp(db.url);
      running = app.running;
      base = app.base;
      browser = await launchBrowser();
      context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        baseURL: base,
        locale: "en-US",
        userAgent: FIREFOX_WINDOWS,
      });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      context.setDefaultTimeout(10_000);
      page = await context.newPage();
      watch(page);
      await signUp(page, "Sam Settings", "sam@example.test");
    });

    afterAll(async () => {
      await browser.close();
      await running.shutdown(1000);
      expect(pageErrors).toEqual([]);
    });

    it("splits settings into groups with a section nav, and deep-links to one", async () => {
      await page.goto("/settings/security");
      const security = page.getByRole("heading", { name: "Security", level: 2 });
      await expect.poll(() => focusedId(page)).toBe("settings-security");
      expect(await security.isVisible()).toBe(true);
      const nav = page.getByRole("navigation", { name: "Settings sections" });
      expect(await nav.getByRole("link").allTextContents()).toEqual([
        "Profile",
        "Security",
        "Household",
        "Tokens",
        "Data",
        "Exchange rates",
      ]);
      expect(await nav.getByRole("link", { name: "Security" }).getAttribute("aria-current")).toBe(
        "location",
      );
      const group = page.getByRole("region", { name: "Security" });
      for (const card of ["Password", "Two-factor sign-in", "Sessions"]) {
        expect(await group.getByRole("heading", { name: card, level: 3 }).count()).toBe(1);
      }

      await nav.getByRole("link", { name: "Tokens" }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe("/settings/tokens");
      await expect.poll(() => focusedId(page)).toBe("settings-tokens");
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate<string>("document.activeElement?.getAttribute('name') ?? ''"),
      ).toBe("name");

      await page.goto("/settings?section=exchange-rates");
      await expect.poll(() => focusedId(page)).toBe("settings-exchange-rates");
      await page.goto("/settings");
      await look(page, "settings-sections");
      await phone(page, "settings-sections");
    });

    it("names each session by browser and system, marks this one and keeps the raw header", async () => {
      const other = await browser.newContext({ baseURL: base, userAgent: SAFARI_IPHONE });
      const otherPage = await other.newPage();
      await otherPage.goto("/login");
      await otherPage.getByLabel("Email").fill("sam@example.test");
      await otherPage.getByLabel("Password").fill(PASSWORD);
      await otherPage.getByRole("button", { name: "Sign in" }).click();
      await otherPage.getByRole("heading", { name: "Dashboard" }).waitFor();

      await page.goto("/settings/security");
      const sessions = page.getByRole("region", { name: "Sessions" });
      const rows = sessions.getByRole("listitem");
      await expect.poll(() => rows.count()).toBe(2);
      const mine = rows.filter({ hasText: "Firefox on Windows" });
      expect(await mine.textContent()).toContain("this device");
      expect(await mine.locator(".list-title").getAttribute("title")).toBe(FIREFOX_WINDOWS);
      const phoneRow = rows.filter({ hasText: "Safari on iPhone" });
      expect(await phoneRow.textContent()).not.toContain("this device");
      expect(await sessions.textContent()).not.toContain("Mozilla/5.0");
      await look(page, "settings-sessions");
      await other.close();
    });

    it("copies a new token and an invitation link, saying Copied", async () => {
      await page.goto("/settings/tokens");
      const tokens = page.getByRole("region", { name: "Personal access tokens" });
      await tokens.getByLabel("Token name").fill("Backup script");
      await tokens.getByRole("button", { name: "Create token" }).click();
      const token = (await tokens.getByTestId("new-token").textContent()) ?? "";
      expect(token.length).toBeGreaterThan(20);
      await tokens.getByRole("button", { name: "Copy token" }).click();
      await expect.poll(() => tokens.locator(".copy-outcome").textContent()).toBe("Copied");
      expect(await clipboard()).toBe(token);
      await look(page, "settings-token-copied");

      await page.goto("/settings/household");
      const household = page.getByRole("region", { name: "Members and invitations" });
      await household.getByLabel("Role", { exact: true }).selectOption("viewer");
      await household.getByRole("button", { name: "Create invitation link" }).click();
      const link = (await household.getByTestId("invite-link").textContent()) ?? "";
      await household.getByRole("button", { name: "Copy link" }).click();
      await expect.poll(() => household.locator(".copy-outcome").textContent()).toBe("Copied");
      expect(await clipboard()).toBe(link);
      expect(link).toMatch(/\/invite\/.+/);
    });

    it("shows a viewer a quiet read-only note and no write controls", async () => {
      const link = await clipboard();
      const viewer = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        baseURL: base,
        locale: "en-US",
      });
      const vpage = await viewer.newPage();
      watch(vpage);
      await vpage.goto(new URL(link).pathname);
      await vpage.getByLabel("Your name").fill("Vera Viewer");
      await vpage.getByLabel("Email").fill("vera@example.test");
      await vpage.getByLabel("Password").fill(PASSWORD);
      await vpage.getByRole("button", { name: "Accept invitation" }).click();
      await vpage.getByRole("heading", { name: "Dashboard" }).waitFor();
      const note = vpage.getByTestId("read-only-note");
      expect(await note.textContent()).toBe(
        "Read-only: you can view but not change this household",
      );
      await vpage.getByRole("link", { name: "Accounts" }).first().click();
      await vpage.getByRole("heading", { name: "Accounts" }).waitFor();
      expect(await vpage.getByRole("button", { name: "New account" }).count()).toBe(0);
      expect(await vpage.getByRole("button", { name: /^Manage/ }).count()).toBe(0);
      await look(vpage, "viewer-read-only");
      await phone(vpage, "viewer-read-only");
      // On a phone the short form stays visible and the whole sentence is still read out.
      expect(await note.isVisible()).toBe(true);
      expect(await note.textContent()).toContain("you can view but not change");
      expect(
        await page.evaluate<number>(
          "document.querySelectorAll('[data-testid=read-only-note]').length",
        ),
      ).toBe(0);
      await viewer.close();
    });

    it("renames, archives, unarchives and closes accounts from the accounts screen", async () => {
      const savings = await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Old savings",
        type: "savings",
        currency: "EUR",
        openingBalance: "25.00",
        openingDate: "2026-01-01",
      });
      const fund = await apiCall<{ id: string }>(page, "POST", "/accounts", {
        name: "Holiday fund",
        type: "savings",
        currency: "EUR",
        openingDate: "2026-01-01",
      });
      for (const [date, amount] of [
        ["2026-01-10", "40.00"],
        ["2026-01-20", "-40.00"],
      ] as const) {
        await apiCall(page, "POST", "/transactions", { accountId: fund.id, date, amount });
      }
      expect(savings.id).not.toBe("");

      await page.goto("/accounts");
      const status = page.locator(".account-done");
      await page.getByRole("button", { name: "Manage Old savings" }).click();
      const panel = page.locator(".account-manage");
      await panel.getByLabel("Name", { exact: true }).fill("Rainy day");
      await panel.getByRole("button", { name: "Rename" }).click();
      await expect.poll(() => status.textContent()).toBe("Renamed to Rainy day.");
      await page.getByRole("link", { name: /Rainy day/ }).waitFor();

      await page.getByRole("button", { name: "Manage Rainy day" }).click();
      expect(await panel.textContent()).toContain("bring its balance to zero first");
      expect(await panel.getByRole("button", { name: "Close account" }).count()).toBe(0);
      await look(page, "accounts-manage");
      await phone(page, "accounts-manage");
      await panel.getByRole("button", { name: "Archive" }).click();
      await expect.poll(() => status.textContent()).toBe("Archived Rainy day.");
      expect(await page.getByRole("link", { name: /Rainy day/ }).count()).toBe(0);
      await page.getByLabel("Show archived accounts").check();
      const archivedRow = page.getByRole("link", { name: /Rainy day/ });
      expect(await archivedRow.textContent()).toContain("archived");
      await page.getByRole("button", { name: "Manage Rainy day" }).click();
      await panel.getByRole("button", { name: "Unarchive" }).click();
      await expect.poll(() => status.textContent()).toBe("Unarchived Rainy day.");
      // Nothing is archived any more, so the switch itself is gone.
      await page.getByRole("link", { name: /Rainy day/ }).waitFor();
      expect(await page.getByLabel("Show archived accounts").count()).toBe(0);

      await page.getByRole("button", { name: "Manage Holiday fund" }).click();
      await panel.getByLabel("Closing date").fill("2026-01-15");
      await panel.getByRole("button", { name: "Close account" }).click();
      await expect
        .poll(() => panel.locator(".field-error").textContent())
        .toContain("before the account's last transaction");
      await look(page, "accounts-close-error");
      await panel.getByLabel("Closing date").fill("2026-01-31");
      await panel.getByRole("button", { name: "Close account" }).click();
      await expect
        .poll(() => status.textContent())
        .toBe("Closed Holiday fund; it is archived now.");
      // Archived accounts are still shown (the switch kept its state while it was hidden).
      expect(await page.getByLabel("Show archived accounts").isChecked()).toBe(true);
      expect(await page.getByRole("link", { name: /Holiday fund/ }).textContent()).toMatch(
        /closed 1\/31\/26/,
      );
      const account = await apiCall<{ closedOn: string; archived: boolean }>(
        page,
        "GET",
        `/accounts/${fund.id}`,
      );
      expect(account).toMatchObject({ closedOn: "2026-01-31", archived: true });
      await look(page, "accounts-closed");
    });

    it("copies the recovery codes when two-factor sign-in is turned on", async () => {
      await page.goto("/settings/security");
      await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
      const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
      const totp = new TOTP({ secret: Secret.fromBase32(secret) });
      await page.getByLabel("Code from the app").fill(totp.generate());
      await page.getByRole("button", { name: "Turn on" }).click();
      await page.getByText("Keep these recovery codes").waitFor();
      const codes = await page.locator(".codes code").allTextContents();
      expect(codes.length).toBeGreaterThan(5);
      await page.getByRole("button", { name: "Copy recovery codes" }).click();
      const group = page.getByRole("region", { name: "Two-factor sign-in" });
      await expect.poll(() => group.locator(".copy-outcome").textContent()).toBe("Copied");
      expect(await clipboard()).toBe(codes.join("\n"));
      await look(page, "settings-recovery-copied");
    });
  },
);
