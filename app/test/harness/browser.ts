import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Screenshots land here (git-ignored) so a person can look at what the tests saw. */
export const screenshotDir = join(repoRoot, ".screenshots");

/** The system Chromium: CHROMIUM_PATH, else Debian's, else a Chrome that CI images carry. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/google-chrome"];
  const found = candidates.find((c): c is string => Boolean(c && existsSync(c)));
  if (!found)
    throw new Error("no Chromium found: run hack/install-system-packages.sh or set CHROMIUM_PATH");
  return found;
}

/**
 * Launches headless Chromium through playwright-core. The flags keep it off the network (the
 * machines have none beyond package registries) and let it run as root in a container;
 * `extraArgs` adds more (a host resolver rule, say).
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--no-first-run",
      ...extraArgs,
    ],
  });
}

/** Saves a full-page PNG screenshot under .screenshots/ and returns its path and bytes. */
export async function saveScreenshot(
  page: Page,
  name: string,
): Promise<{ path: string; bytes: Buffer }> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  const bytes = await page.screenshot({ path, fullPage: true });
  return { path, bytes };
}
