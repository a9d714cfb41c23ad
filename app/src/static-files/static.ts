import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type Router } from "express";
import { webDistDir } from "./ensure-built.ts";

/** Where the built UI lives and whether to fall back to index.html. */
export interface WebOptions {
  /** The `vite build` output; defaults to app/dist/web. */
  dir?: string;
}

/**
 * Serves the browser UI: hashed files under /assets/ are immutable for a year; index.html is
 * revalidated on every load (it names the current hashes). Any other GET that accepts HTML and
 * is not under /api/ or /assets/ gets index.html, so the UI's own paths (/accounts/12, /invite/<token>)
 * survive a reload. Without a build, nothing is served here and such requests end in a 404.
 */
export function webRouter(options: WebOptions = {}): Router {
  const dir = options.dir ?? webDistDir;
  const index = join(dir, "index.html");
  const router = express.Router();
  router.use(
    "/assets",
    express.static(join(dir, "assets"), {
      maxAge: "365d",
      immutable: true,
      index: false,
    }),
  );
  router.get(/.*/, (req, res, next) => {
    const wantsHtml = (req.get("accept") ?? "").includes("text/html");
    const reserved = /^\/(api|assets)(\/|$)/.test(req.path);
    if (reserved || !wantsHtml) {
      next();
      return;
    }
    if (!existsSync(index)) {
      next();
      return;
    }
    res.setHeader("Cache-Control", "no-cache");
    // The callback also runs once the file is sent: passing that on would reach the 404 handler
    // after the answer, and Express would print its stack for every page load.
    res.sendFile(index, { cacheControl: false }, (error?: Error) => {
      if (error !== undefined && !res.headersSent) next(error);
    });
  });
  return router;
}
