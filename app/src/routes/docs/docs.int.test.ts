import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { launchBrowser, saveScreenshot } from "../../../test/harness/browser.ts";
import { openApiProblems } from "../../../test/harness/openapi.ts";
import { headerAuthenticate } from "../../../test/harness/serve.ts";
import { mountRoutes, type Route, route } from "../../http/route.ts";
import { noStore, securityHeaders } from "../../http/security.ts";
import { apiDocsRouter, docsRoutes } from "./router.ts";

const Account = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(["checking", "savings", "credit_card", "cash", "loan", "asset"]),
    currency: z.string().length(3),
    balance: z.string().describe('A decimal string: "-12.34".'),
  })
  .meta({ id: "DocsTestAccount" });

const sampleRoutes: Route[] = [
  route({
    method: "get",
    path: "/accounts",
    operationId: "listAccounts",
    summary: "List the household's accounts with their balances",
    tag: "Accounts",
    access: "read",
    query: z.object({ archived: z.stringbool().optional() }),
    responses: { 200: { description: "Every account.", schema: z.array(Account) } },
    handler: () => Promise.resolve([]),
  }),
  route({
    method: "get",
    path: "/accounts/:id",
    operationId: "getAccount",
    summary: "One account",
    tag: "Accounts",
    access: "read",
    params: z.object({ id: z.string().regex(/^\d+$/) }),
    responses: {
      200: { description: "The account.", schema: Account },
      404: { description: "No such account." },
    },
    handler: () => Promise.resolve({}),
  }),
  route({
    method: "get",
    path: "/auth/csrf",
    operationId: "getCsrfToken",
    summary: "The CSRF token of this session",
    tag: "Auth",
    access: "public",
    responses: { 200: { description: "The token.", schema: z.object({ token: z.string() }) } },
    handler: () => Promise.resolve({ token: "csrf-from-session" }),
  }),
  route({
    method: "post",
    path: "/echo",
    operationId: "echoCsrf",
    summary: "Echoes the CSRF header it received",
    tag: "Test",
    access: "public",
    body: z.object({ note: z.string().optional() }),
    responses: { 200: { description: "The header.", schema: z.object({ csrf: z.string() }) } },
    handler: ({ req }) => Promise.resolve({ csrf: req.get("x-csrf-token") ?? "none" }),
  }),
];

const routes: Route[] = [
  ...sampleRoutes,
  ...docsRoutes(() => routes, { title: "fintrack API", version: "0.1.0", serverUrl: "/api/v1" }),
];

/** Mounts the API and the reference page the way the app does, behind the app's real headers. */
function docsApp(): express.Express {
  const app = express();
  app.use(securityHeaders(false));
  app.use("/api/docs", apiDocsRouter());
  const api = express.Router();
  api.use(noStore);
  api.use(express.json());
  mountRoutes(api, routes, { authenticate: headerAuthenticate, validateResponses: true });
  app.use("/api/v1", api);
  return app;
}

describe("the OpenAPI document and the API reference page", () => {
  let server: Server;
  let base = "";
  let browser: Browser;

  beforeAll(async () => {
    server = docsApp().listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("serves a valid OpenAPI 3.1 document of every route, itself included", async () => {
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(openApiProblems(doc)).toEqual([]);
    expect(Object.keys(doc.paths as object)).toEqual([
      "/accounts",
      "/accounts/{id}",
      "/auth/csrf",
      "/echo",
      "/openapi.json",
    ]);
    expect(doc.paths).toMatchObject({
      "/openapi.json": { get: { operationId: "getOpenApiDocument", security: [] } },
    });
    const again = await (await fetch(`${base}/api/v1/openapi.json`)).text();
    expect(again).toBe(JSON.stringify(doc));
  });

  it("serves the page and its vendor files, caching only the versioned vendor files", async () => {
    const page = await fetch(`${base}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const bundle = /src="([^"]+swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(bundle).toMatch(/^\/api\/docs\/vendor\/\d+\.\d+\.\d+\/swagger-ui-bundle\.js$/);
    const vendor = await fetch(`${base}${String(bundle)}`);
    expect(vendor.status).toBe(200);
    expect(vendor.headers.get("content-type")).toMatch(/javascript/);
    expect(vendor.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const own = await fetch(`${base}/api/docs/api-docs.js`);
    expect(own.headers.get("cache-control")).toBe("no-cache");
    // Only the files the page loads: not the package's initializer pointing at the petstore.
    const bundleDir = String(bundle).replace(/[^/]+$/, "");
    expect((await fetch(`${base}${bundleDir}swagger-initializer.js`)).status).toBe(404);
    expect((await fetch(`${base}${bundleDir}package.json`)).status).toBe(404);
  });

  /** Opens the page, recording every CSP violation, console error and uncaught exception. */
  async function openDocs(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.text().includes("Content Security Policy"))
        problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    await page.exposeFunction("reportViolation", (text: string) => {
      problems.push(`violation: ${text}`);
    });
    // Runs before the page's scripts through the DevTools protocol, which the CSP does not govern.
    await page.addInitScript(`document.addEventListener("securitypolicyviolation", (event) => {
      window.reportViolation(
        event.violatedDirective + " blocked " + event.blockedURI + " (" + event.sourceFile + ")",
      );
    });`);
    await page.goto(`${base}/api/docs`);
    return { page, problems };
  }

  it("renders the operations under the strict CSP without a single violation", async () => {
    const { page, problems } = await openDocs();
    await page.locator(".opblock").first().waitFor();
    const summaries = await page.locator(".opblock-summary-path").allTextContents();
    expect(summaries.map((s) => s.replace(/\u200b/g, ""))).toEqual([
      "/accounts",
      "/accounts/{id}",
      "/auth/csrf",
      "/openapi.json",
      "/echo",
    ]);
    expect(await page.locator(".opblock-tag").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining("Accounts")]),
    );
    await page.locator(".opblock-summary", { hasText: "/accounts/{id}" }).click();
    await page.locator(".opblock.is-open .parameters").waitFor();
    expect(await page.locator(".opblock.is-open .responses-table").textContent()).toContain(
      "No such account.",
    );
    expect(await page.locator(".errors-wrapper").count()).toBe(0);
    await page.waitForLoadState("networkidle");
    expect(problems).toEqual([]);
    const shot = await saveScreenshot(page, "api-docs");
    expect(shot.bytes.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it("sends the session's CSRF token with requests tried out from the page", async () => {
    const { page, problems } = await openDocs();
    const echo = page.locator(".opblock", { hasText: "/echo" });
    await echo.locator(".opblock-summary").click();
    await echo.locator(".try-out__btn").click();
    await echo.locator(".execute").click();
    await expect
      .poll(async () =>
        (
          await echo.locator(".live-responses-table .response-col_description").allTextContents()
        ).join(" "),
      )
      .toContain("csrf-from-session");
    expect(problems).toEqual([]);
    await page.close();
  });
});
