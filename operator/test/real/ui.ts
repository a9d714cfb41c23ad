import { expect } from "vitest";
import { launchBrowser, saveScreenshot } from "../../../app/test/harness/browser.ts";
import { portForward } from "./harness.ts";

/**
 * A person's first day, in Chromium, at the tenant's host name: sign in as the generated owner,
 * open an account, book two transactions and find them in the spending and cash-flow reports.
 * No ingress controller runs on the real node (none builds here without a registry), so the
 * browser resolves the host name to a port-forward of the tenant's Service: the app still sees
 * the Host header, cookies and origin of its public name.
 */
export async function bookAndReportInBrowser(options: {
  namespace: string;
  name: string;
  host: string;
  login: { email: string; password: string };
}): Promise<void> {
  const forward = await portForward(options.namespace, `svc/${options.name}-app`, 8080);
  const browser = await launchBrowser([
    `--host-resolver-rules=MAP ${options.host} 127.0.0.1:${String(forward.port)}`,
  ]);
  try {
    const page = await browser.newPage({ baseURL: `http://${options.host}` });
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill(options.login.email);
    await page.getByLabel("Password").fill(options.login.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await saveScreenshot(page, "e2e-dashboard");

    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("button", { name: "New account" }).click();
    await page.getByLabel("Name").fill("Household checking");
    await page.getByLabel("Opening balance").fill("500");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Household checking" }).waitFor();
    // The register's always-open entry row: money out goes in Outflow, Enter saves.
    for (const [payee, outflow] of [
      ["Harbour market", "42.5"],
      ["Bakery", "17.25"],
    ] as const) {
      await page.getByRole("button", { name: "Add transaction" }).click();
      await page.getByLabel("Payee", { exact: true }).fill(payee);
      await page.getByLabel(/^Outflow/).fill(outflow);
      await page.getByLabel(/^Outflow/).press("Enter");
      await page.locator(".register-row", { hasText: payee }).waitFor();
    }
    // The household counts in CHF (spec.app.baseCurrency): a new account opens in it.
    await expect.poll(() => page.locator("main").textContent()).toMatch(/CHF\s?440\.25/);
    await saveScreenshot(page, "e2e-register");

    await page.getByRole("link", { name: "Reports" }).click();
    await page.getByRole("heading", { name: "Reports" }).waitFor();
    const cashflow = page.getByRole("table", { name: /^Cash flow per month/ });
    await expect.poll(() => cashflow.textContent(), { timeout: 30_000 }).toMatch(/59\.75/);
    const spending = page.getByRole("table", { name: /^Spending by category/ });
    await expect.poll(() => spending.textContent(), { timeout: 30_000 }).toMatch(/59\.75/);
    await saveScreenshot(page, "e2e-reports");
  } finally {
    await browser.close();
    forward.close();
  }
}
