// The rules screen end to end in real Chromium against the real app on real PostgreSQL and
// Redis: a household writes a rule, watches the live preview find the purchase it would
// categorise, saves it, reorders and toggles rules, applies it to the existing purchase and
// finds it categorised in the register. Screenshots (light, dark, phone) land in .screenshots/.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { launchBrowser } from "../harness/browser.ts";
import { useTestDatabase } from "../harness/database.ts";
import { apiCall, categoryId, look, sidewaysOverflow, startApp, signUp } from "./ui-helpers.ts";

interface RuleJson {
  id: string;
  name: string;
  enabled: boolean;
}

describe("the web UI's rules screen", { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  let running: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let accountId = "";
  let groceriesId = "";
  const pageErrors: string[] = [];

  const rules = async () =>
    (await apiCall<{ data: RuleJson[] }>(page, "GET", "/rules")).data.map((r) => r.name);
  const preview = () =>
    page.getByRole("list", { name: "Transactions this rule would change" }).textContent();

  beforeAll(async () => {
    const app = await startApp(db.url);
    running = app.running;
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: app.base,
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.stack ?? String(error)));
    page.on("console", (message) => {
      // The preview answers 422 for an invalid regex while it is typed: that is expected.
      const expected = /status of (401|422)/.test(message.text());
      if (message.type() === "error" && !expected) pageErrors.push(message.text());
    });

    await signUp(page, "Rue Rules", "rue@example.test");
    // The starter tree the sign-up gave the household has Food › Groceries.
    groceriesId = await categoryId(page, "Groceries");
    const account = await apiCall<{ id: string }>(page, "POST", "/accounts", {
      name: "Everyday checking",
      type: "checking",
      currency: "EUR",
      openingBalance: "500",
    });
    accountId = account.id;
    for (const [payee, amount, date] of [
      ["Corner Grocer", "-42.50", "2026-03-02"],
      ["Bakery Sun", "-4.20", "2026-03-03"],
      ["City Bus", "-2.90", "2026-03-04"],
    ] as const) {
      await apiCall(page, "POST", "/transactions", { accountId, date, amount, payee });
    }
    // The UI caches categories and accounts; a fresh load sees what the API just made.
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await browser.close();
    await running.shutdown(1000);
  });

  it("previews a draft live, flags an invalid regex by its field, and creates the rule", async () => {
    await page.getByRole("link", { name: "Rules" }).click();
    await page.getByRole("heading", { name: "Rules", exact: true }).waitFor();
    await page.getByText("No rules yet").waitFor();
    await page.getByRole("button", { name: "New rule" }).click();
    const form = page.getByRole("form", { name: "New rule" });
    await expect.poll(() => page.evaluate<string>("document.activeElement?.name")).toBe("name");
    await form.getByLabel("Name").fill("Groceries");
    const condition = form.getByRole("group", { name: "Condition 1" });
    await condition.getByLabel("Text").fill("grocer");
    const action = form.getByRole("group", { name: "Action 1" });
    await action.getByLabel("Category").selectOption(groceriesId);

    await expect.poll(preview).toContain("Corner Grocer");
    const listed = await preview();
    expect(listed).toContain("Food › Groceries");
    expect(listed).toContain("Uncategorised");
    expect(listed).not.toContain("Bakery Sun");
    expect(
      await page.getByRole("status").filter({ hasText: "It would change" }).textContent(),
    ).toContain("1 transaction of the 3 most recent");

    // A regex RE2 refuses is refused by the preview and named beside its field as it is typed.
    await condition.getByLabel("Test").selectOption("matches");
    await condition.getByLabel("Regular expression").fill("(?=a)b");
    await expect.poll(() => condition.locator(".field-error").textContent()).toMatch(/lookaround/);
    expect(await condition.getByLabel("Regular expression").getAttribute("aria-invalid")).toBe(
      "true",
    );
    await condition.getByLabel("Regular expression").fill("^corner\\s");
    await expect.poll(preview).toContain("Corner Grocer");
    expect(await condition.locator(".field-error").count()).toBe(0);

    // A tag as a second action shows as a second before -> after line.
    await form.getByRole("button", { name: "Add action" }).click();
    const second = form.getByRole("group", { name: "Action 2" });
    await second.getByLabel("Do").selectOption("addTag");
    await second.getByLabel("Tag").fill("food");
    await expect.poll(preview).toContain("no tags");
    await page.evaluate("window.scrollTo(0, 0)");
    await look(page, "rules-editor");

    await form.getByRole("button", { name: "Create rule" }).click();
    await page.getByText("Created “Groceries”.").waitFor();
    expect(await rules()).toEqual(["Groceries"]);
    // Saving a rule changes nothing already booked.
    const before = await apiCall<{ data: { payee: string; categoryId: string | null }[] }>(
      page,
      "GET",
      `/transactions?accountId=${accountId}`,
    );
    expect(before.data.find((t) => t.payee === "Corner Grocer")?.categoryId).toBeNull();
  });

  it("names the fields a save refuses", async () => {
    await page.getByRole("button", { name: "New rule" }).click();
    const form = page.getByRole("form", { name: "New rule" });
    await form
      .getByRole("group", { name: "Condition 1" })
      .getByLabel("Field")
      .selectOption("amount");
    await form.getByRole("group", { name: "Condition 1" }).getByLabel("At least").fill("1.2.3");
    await form.getByRole("button", { name: "Create rule" }).click();
    await page.getByText("Please correct the highlighted fields.").waitFor();
    expect(await form.getByLabel("Name").getAttribute("aria-invalid")).toBe("true");
    expect(
      await form.getByRole("group", { name: "Condition 1" }).locator(".field-error").textContent(),
    ).toContain("is not an amount like -12.34");
    expect(
      await form
        .getByRole("group", { name: "Action 1" })
        .getByLabel("Category")
        .getAttribute("aria-invalid"),
    ).toBe("true");
    await form.getByRole("button", { name: "Cancel" }).click();
    expect(await rules()).toEqual(["Groceries"]);
  });

  it("reorders rules with the keyboard and toggles them", async () => {
    await apiCall(page, "POST", "/rules", {
      name: "Buses",
      position: 1,
      conditions: [{ field: "payee", op: "contains", value: "bus" }],
      actions: [{ type: "addTag", tag: "transport" }],
    });
    expect(await rules()).toEqual(["Groceries", "Buses"]);
    await page.reload();
    const up = page.getByRole("button", { name: "Move Buses up" });
    await up.focus();
    await page.keyboard.press("Enter");
    await expect.poll(rules).toEqual(["Buses", "Groceries"]);
    // The top rule cannot move up: focus stays on the rule, on its other move button.
    await expect
      .poll(() => page.evaluate<string>("document.activeElement?.getAttribute('aria-label')"))
      .toBe("Move Buses down");
    await page.keyboard.press("Space");
    await expect.poll(rules).toEqual(["Groceries", "Buses"]);
    const names = await page.locator(".rule-name").allTextContents();
    expect(names).toEqual([
      expect.stringMatching(/^1\. Groceries/),
      expect.stringMatching(/^2\. Buses/),
    ]);

    await page.getByRole("checkbox", { name: "Enabled (Buses)" }).uncheck();
    await expect
      .poll(async () =>
        (await apiCall<{ data: RuleJson[] }>(page, "GET", "/rules")).data.map((r) => r.enabled),
      )
      .toEqual([true, false]);
    expect(
      await page.getByRole("button", { name: "Apply to existing transactions (Buses)" }).count(),
    ).toBe(0);
  });

  it("applies the saved rule after confirming the count, and the register shows it", async () => {
    await page.getByRole("button", { name: "Apply to existing transactions (Groceries)" }).click();
    const panel = page.getByRole("group", { name: "Apply “Groceries”" });
    await expect.poll(() => panel.textContent()).toContain("It would change 1 transaction");
    await look(page, "rules-list");
    await panel.getByRole("button", { name: "Apply to 1 transaction" }).click();
    await expect.poll(() => panel.textContent()).toContain("Changed 1 transaction.");

    await page.goto(`/accounts/${accountId}`);
    const row = page.locator(".register-row", { hasText: "Corner Grocer" });
    await expect.poll(() => row.textContent()).toContain("Food › Groceries");
    expect(await row.textContent()).toContain("#food");
    expect(await page.locator(".register-row", { hasText: "Bakery Sun" }).textContent()).toContain(
      "Uncategorised",
    );
  });

  it("fits a phone without sideways scrolling, list and editor", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto("/rules");
    await page.getByRole("heading", { name: "Rules in the order they run" }).waitFor();
    await page.locator(".rule-row").first().waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    await look(page, "phone-rules");
    await page.getByRole("button", { name: "Edit Groceries" }).click();
    // Applied already: the rule would change nothing more.
    await page.getByText("It would change none of the 3 most recent transactions.").waitFor();
    expect(await page.evaluate<number>(sidewaysOverflow)).toBeLessThanOrEqual(0);
    // Every control is at least 44 px tall for fingers.
    const short = await page.evaluate<string[]>(
      `[...document.querySelectorAll("main button, main input, main select")]
        .filter((el) => el.offsetParent !== null && el.type !== "checkbox")
        .filter((el) => el.getBoundingClientRect().height < 44)
        .map((el) => el.outerHTML.slice(0, 80))`,
    );
    expect(short).toEqual([]);
    await look(page, "phone-rules-editor");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("logged no script errors", () => {
    expect(pageErrors).toEqual([]);
  });
});
