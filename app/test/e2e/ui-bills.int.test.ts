// The bills screen end to end in real Chromium against the real app on real PostgreSQL and
// Redis: a weekly bill is created through the form, its three occurrences of the last two weeks
// show as due, one is posted as scheduled, one with another amount and date, one is skipped;
// the register shows what was booked; the bill is edited and deleted. Screenshots of the screen
// (desktop 1440x900 and phone 390x844, light and dark) land in .screenshots/.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, look, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

/** The browser's local date `days` from today, as YYYY-MM-DD. */
function localDate(days = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

interface Tx {
  payee: string;
  amount: string;
  date: string;
}

describe("the web UI's bills screen", { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let accountId = "";
  const pageErrors: string[] = [];
  const due = () => page.getByRole("region", { name: "Due and upcoming" });
  const all = () => page.getByRole("region", { name: "All bills and recurring transactions" });

  /** Clicks, accepts the confirm() it opens and answers what the dialog asked. */
  async function confirming(click: () => Promise<void>): Promise<string> {
    const [asked] = await Promise.all([
      page.waitForEvent("dialog").then(async (dialog) => {
        const message = dialog.message();
        await dialog.accept();
        return message;
      }),
      click(),
    ]);
    return asked;
  }

  beforeAll(async () => {
    const app = await startApp(db.url);
    running = app.running;
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      baseURL: app.base,
      locale: "en-US",
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      // The form's refused amount answers 422 on purpose.
      const expected = /status of (401|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await signUp(page, "Bea Bills", "bea@example.test");
    // The bill below is booked on Health, one of the starter categories the sign-up added.
    const account = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Everyday checking",
      type: "checking",
      currency: "EUR",
      openingBalance: "1000",
      openingDate: localDate(-60),
    });
    accountId = account.id;
    // The UI caches categories and accounts; a fresh load sees what the API just made.
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("is in the navigation and starts empty", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Bills" })
      .click();
    await page.getByRole("heading", { name: "Bills", exact: true }).waitFor();
    await expect.poll(() => all().textContent()).toContain("No bills yet");
    await expect.poll(() => due().textContent()).toContain("Nothing due in the next 30 days");
    await look(page, "bills-empty");
  });

  it("creates a weekly bill through the form, with the amount's direction as a toggle", async () => {
    await page.getByRole("button", { name: "New bill" }).click();
    const form = page.getByRole("form", { name: "New bill" });
    await form.getByLabel("Name").fill("Gym");
    await form.getByLabel("Payee").fill("FitClub");
    await form.getByLabel("Category").selectOption({ label: "Health" });
    // Outflow is the default; a third decimal is refused by the API beside the field.
    expect(await form.getByRole("radio", { name: "Outflow" }).isChecked()).toBe(true);
    await form.getByLabel("Amount (EUR)").fill("39.905");
    await form.getByLabel("Repeats").selectOption("week");
    expect(await form.getByLabel("Day of the month").count()).toBe(0);
    await form.getByLabel("Starts on").fill(localDate(-14));
    // The schedule is said in words as it is typed.
    expect(await form.locator(".schedule-summary").textContent()).toMatch(
      /^Weekly on [A-Z]\w+day$/,
    );
    await look(page, "bills-form");
    await form.getByRole("button", { name: "Create bill" }).click();
    await expect.poll(() => form.locator(".field-error").textContent()).toBeTruthy();
    expect(await form.getByLabel("Amount (EUR)").getAttribute("aria-invalid")).toBe("true");
    await form.getByLabel("Amount (EUR)").fill("39.90");
    await form.getByRole("button", { name: "Create bill" }).click();
    await page.getByText("Created “Gym”.").waitFor();
    expect(await form.count()).toBe(0);

    const row = all().locator("li", { hasText: "Gym" });
    await expect.poll(() => row.textContent()).toContain("-€39.90");
    // The due date arrives with the occurrences, which reload after the list.
    await expect.poll(() => row.textContent()).toContain("Overdue since");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("FitClub");
    expect(text).toMatch(/Weekly on [A-Z][a-z]+day/);
    expect(text).toContain("Everyday checking");
    expect(text).toContain("Health");
    expect(text).toContain("Overdue since");
    const stored = await apiCall<{ data: { amount: string; unit: string; every: number }[] }>(
      page,
      "GET",
      "/recurring",
    );
    expect(stored.data).toEqual([expect.objectContaining({ amount: "-39.90", unit: "week" })]);
  });

  it("shows the last two weeks' occurrences as due, overdue first", async () => {
    const items = due().locator(".occurrence");
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(3);
    expect(await items.nth(0).textContent()).toContain("Overdue since");
    expect(await items.nth(1).textContent()).toContain("Overdue since");
    expect(await items.nth(2).textContent()).toContain("Due today");
    expect(await due().getByRole("heading", { name: "Due now" }).count()).toBe(1);
    await look(page, "bills");
  });

  it("skips one, posts one with another amount and date, posts one as scheduled", async () => {
    // The oldest first: each action takes the first row of what is still due.
    const skipQuestion = await confirming(() =>
      due()
        .getByRole("button", { name: /^Skip Gym of / })
        .first()
        .click(),
    );
    expect(skipQuestion).toMatch(/^Skip “Gym” of .*\? It will not be posted\.$/);
    await page.getByText(/^Skipped “Gym” of /).waitFor();
    await expect
      .poll(() => due().locator(".occurrence").first().textContent())
      .toContain("Overdue since");

    await due()
      .getByRole("button", { name: /^Change and post Gym of / })
      .first()
      .click();
    const change = page.getByRole("form", { name: /^Post Gym of .* with changes$/ });
    expect(await change.getByLabel("Amount (EUR)").inputValue()).toBe("39.90");
    await change.getByLabel("Amount (EUR)").fill("41.5");
    await change.getByLabel("Booking date").fill(localDate(-6));
    await look(page, "bills-post-changed");
    await change.getByRole("button", { name: "Post", exact: true }).click();
    await page.getByText(/^Posted “Gym” of /).waitFor();
    await expect.poll(() => change.count()).toBe(0);
    await expect
      .poll(() => due().locator(".occurrence").first().textContent())
      .toContain("Due today");

    await due()
      .getByRole("button", { name: /^Post Gym of / })
      .first()
      .click();
    await expect.poll(() => due().textContent()).not.toContain("Due now");
    expect(await due().textContent()).toContain("Next 30 days");

    const booked = await apiCall<{ data: Tx[] }>(
      page,
      "GET",
      `/transactions?accountId=${accountId}`,
    );
    expect(booked.data.map((t) => [t.payee, t.amount, t.date])).toEqual([
      ["FitClub", "-39.90", localDate(0)],
      ["FitClub", "-41.50", localDate(-6)],
    ]);
  });

  it("finds the posted transactions in the register, linked from the notice", async () => {
    await page.getByRole("link", { name: "Open Everyday checking" }).click();
    await page.getByRole("heading", { name: "Everyday checking", exact: true }).waitFor();
    const rows = page.locator(".register-rows > li", { hasText: "FitClub" });
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain("-€39.90");
    expect(await rows.nth(1).textContent()).toContain("-€41.50");
  });

  it("links the dashboard's upcoming bills to the screen", async () => {
    await page.getByRole("link", { name: "Dashboard" }).click();
    const card = page.getByRole("region", { name: "Upcoming bills" });
    await expect.poll(() => card.textContent()).toContain("Gym");
    await card.getByRole("link", { name: "All bills: post, skip or change them" }).click();
    await page.getByRole("heading", { name: "Bills", exact: true }).waitFor();
  });

  it("fits a phone without sideways scrolling, list and form alike", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/bills");
    await all().locator(".list-title", { hasText: "Gym" }).waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow), "bills").toBeLessThanOrEqual(0);
    await look(page, "phone-bills");
    await due()
      .getByRole("button", { name: /^Change and post Gym of / })
      .first()
      .click();
    expect(await page.evaluate<number>(sidewaysOverflow), "post form").toBeLessThanOrEqual(0);
    await look(page, "phone-bills-post-changed");
    await page.getByRole("button", { name: "Cancel" }).click();
    await all().getByRole("button", { name: "Edit Gym" }).click();
    await page.getByRole("form", { name: "Edit “Gym”" }).waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow), "bill form").toBeLessThanOrEqual(0);
    await look(page, "phone-bills-form");
    await page.getByRole("button", { name: "Cancel" }).click();
    // On a phone the screen opens from "More".
    await page.goto("/");
    await page.getByRole("button", { name: "More" }).click();
    await page.getByRole("link", { name: "Bills", exact: true }).click();
    await page.getByRole("heading", { name: "Bills", exact: true }).waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("edits the bill into a monthly one on the last day, posted automatically", async () => {
    await all().getByRole("button", { name: "Edit Gym" }).click();
    const form = page.getByRole("form", { name: "Edit “Gym”" });
    expect(await form.getByLabel("Amount (EUR)").inputValue()).toBe("39.90");
    await form.getByLabel("Name").fill("Gym membership");
    await form.getByLabel("Amount (EUR)").fill("45");
    await form.getByLabel("Repeats").selectOption("month");
    await form.getByLabel("Day of the month").selectOption("-1");
    // From tomorrow: nothing is due at once for the automatic posting to take.
    await form.getByLabel("Starts on").fill(localDate(1));
    await form.getByRole("checkbox", { name: "Post automatically when due" }).check();
    await form.getByRole("button", { name: "Save bill" }).click();
    await page.getByText("Saved “Gym membership”.").waitFor();
    const row = all().locator("li", { hasText: "Gym membership" });
    await expect.poll(() => row.textContent()).toContain("-€45.00");
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("Monthly on the last day");
    expect(text).toContain("Auto-post");
    expect(text).toMatch(/Next [A-Z][a-z]{2} \d+, \d{4}/);
  });

  it("deletes the bill after confirming, keeping what it posted", async () => {
    const question = await confirming(() =>
      all().getByRole("button", { name: "Delete Gym membership" }).click(),
    );
    expect(question).toBe("Delete “Gym membership”? The transactions it already posted stay.");
    await page.getByText("Deleted “Gym membership”.").waitFor();
    await expect.poll(() => all().textContent()).toContain("No bills yet");
    const left = await apiCall<{ data: Tx[] }>(page, "GET", `/transactions?accountId=${accountId}`);
    expect(left.data.filter((t) => t.payee === "FitClub")).toHaveLength(2);
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
