import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Response, type Router } from "express";
import { z } from "zod";
import { openApiDocument, type OpenApiInfo } from "../../http/openapi.ts";
import { type Route, route } from "../../http/route.ts";

const pageDir = fileURLToPath(new URL("./page/", import.meta.url));
const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const swaggerVersion = z
  .object({ version: z.string().regex(/^[\w.-]+$/) })
  .parse(JSON.parse(readFileSync(join(swaggerDir, "package.json"), "utf8"))).version;

/** The Swagger UI files the page loads; nothing else of the package is served. */
const vendorFiles = [
  "swagger-ui.css",
  "swagger-ui-bundle.js",
  "favicon-32x32.png",
  "favicon-16x16.png",
];

const DocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .describe("An OpenAPI 3.1 document.");

/**
 * The route serving the API's OpenAPI document. `getRoutes` returns the app's full route list,
 * this route included, so it is asked on the first request and the document is built once.
 */
export function docsRoutes(getRoutes: () => readonly Route[], info: OpenApiInfo): Route[] {
  let document: object | undefined;
  return [
    route({
      method: "get",
      path: "/openapi.json",
      operationId: "getOpenApiDocument",
      summary: "The OpenAPI document of this API",
      description: "This document: every route with its inputs, answers and errors.",
      tag: "Meta",
      access: "public",
      responses: { 200: { description: "The OpenAPI 3.1 document.", schema: DocumentSchema } },
      handler: () => {
        document ??= openApiDocument(getRoutes(), info);
        return Promise.resolve(document);
      },
    }),
  ];
}

/** Where the reference page finds the API. */
export interface ApiDocsOptions {
  /** The API's base path: the document is `<apiBase>/openapi.json`. */
  apiBase?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function noCache(res: Response): void {
  // Our own files change with every release of the app: revalidate (ETag) on each load.
  res.setHeader("Cache-Control", "no-cache");
}

/**
 * The interactive API reference (Swagger UI) for `app.use("/api/docs", apiDocsRouter())`, under
 * the app's CSP: no inline script, no eval. Vendor files are served under a versioned path so
 * they can be cached for a year.
 */
export function apiDocsRouter(options: ApiDocsOptions = {}): Router {
  const apiBase = options.apiBase ?? "/api/v1";
  const template = readFileSync(join(pageDir, "index.html"), "utf8")
    .replaceAll("%SPEC_URL%", `${apiBase}/openapi.json`)
    .replaceAll("%CSRF_URL%", `${apiBase}/auth/csrf`);

  const router = express.Router();
  router.get("/", (req, res) => {
    // The page links its files absolutely, from wherever the router is mounted.
    const base = escapeHtml(req.baseUrl);
    const html = template
      .replaceAll("%VENDOR%", `${base}/vendor/${swaggerVersion}`)
      .replaceAll("%BASE%", base);
    noCache(res);
    res.type("html").send(html);
  });
  for (const file of ["api-docs.js", "api-docs.css"]) {
    router.get(`/${file}`, (_req, res, next) => {
      noCache(res);
      res.sendFile(join(pageDir, file), { cacheControl: false }, next);
    });
  }
  for (const file of vendorFiles) {
    router.get(`/vendor/${swaggerVersion}/${file}`, (_req, res, next) => {
      res.sendFile(join(swaggerDir, file), { maxAge: "365d", immutable: true }, next);
    });
  }
  return router;
}
