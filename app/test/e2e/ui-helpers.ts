// What the UI end-to-end files share: a real app on the test database, Chromium, and a look at
// each screen (light and dark screenshots, axe-core).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pg from "pg";
import { pino } from "pino";
import type { Page } from "playwright-core";
import { expect, inject } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { migrate } from "../../src/db/migrate.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { saveScreenshot } from "../harness/browser.ts";
import { freePort } from "../harness/process.ts";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** A password the sign-up form accepts. */
export const PASSWORD = "plum-orbit-47-lantern";

/** How far the page is wider than the viewport (positive: it scrolls sideways). */
export const sidewaysOverflow =
  "document.documentElement.scrollWidth - document.documentElement.clientWidth";

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (evaluated over CDP: the app's CSP forbids inline scripts). */
export async function seriousViolations(page: Page): Promise<string[]> {
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
export async function look(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect
      .poll(() => page.evaluate<string>("document.documentElement.dataset.theme"))
      .toBe(scheme);
    await page.waitForTimeout(150);
    await saveScreenshot(page, `ui-${name}-${scheme}`);
    expect(await seriousViolations(page), `${name} in ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Migrates the database at `url` and starts the whole app on a free port, with `env` added to
 * its environment. Fetching reference rates is off unless `env` points FINTRACK_FX_SOURCE_URL
 * at a local feed: the tests never reach the internet.
 */
export async function startApp(
  url: string,
  env: Record<string, string> = {},
): Promise<{ running: RunningServer; base: string }> {
  const pool = new pg.Pool({ connectionString: url });
  await migrate(pool);
  await pool.end();
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: url,
    REDIS_URL: inject("redis").url,
    VALIDATE_RESPONSES: "true",
    SESSION_SECRET: "e2e-".repeat(12),
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
    BASE_URL: `http://127.0.0.1:${String(port)}`,
    FINTRACK_FX_SOURCE_URL: "off",
    ...env,
  });
  const running = await startServer(config, pino({ level: "silent" }));
  return { running, base: `http://127.0.0.1:${String(port)}` };
}

/** Signs a new person up through the sign-up screen (with PASSWORD) and waits for the dashboard. */
export async function signUp(page: Page, name: string, email: string): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
}

/** Calls the API with the page's session cookie and a CSRF token, answering the JSON. */
export async function apiCall<T>(
  page: Page,
  method: "GET" | "POST" | "PUT",
  path: string,
  body?: unknown,
): Promise<T> {
  const csrf = (await (await page.request.get("/api/v1/auth/csrf")).json()) as { token: string };
  const res = await page.request.fetch(`/api/v1${path}`, {
    method,
    headers: { "X-CSRF-Token": csrf.token, "Content-Type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok()) throw new Error(`${method} ${path}: ${String(res.status())} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The id of the category named `name`: one of the starter tree a household signed up through
 * the UI starts with, so a test that books on it also proves the sign-up gave the household one.
 */
export async function categoryId(page: Page, name: string): Promise<string> {
  const { data } = await apiCall<{ data: { id: string; name: string }[] }>(
    page,
    "GET",
    "/categories",
  );
  const found = data.find((c) => c.name === name);
  if (!found) throw new Error(`no category ${name}; the household has ${JSON.stringify(data)}`);
  return found.id;
}
