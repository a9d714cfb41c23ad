import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webRouter } from "./static.ts";

describe("webRouter", () => {
  const dir = mkdtempSync(join(tmpdir(), "fintrack-web-"));
  /** Requests that went past the UI router to what follows it (the app's 404). */
  const fellThrough: string[] = [];
  let server: ReturnType<ReturnType<typeof express>["listen"]>;
  let base = "";

  beforeAll(async () => {
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>fintrack</title>");
    const app = express();
    app.use(webRouter({ dir }));
    app.use((req, res) => {
      fellThrough.push(req.path);
      if (!res.headersSent) res.status(404).end();
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the UI's own paths with index.html and stops there", async () => {
    const res = await fetch(`${base}/accounts/12`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>fintrack</title>");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    // Give a late next() the chance to run before looking.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fellThrough).toEqual([]);
  });

  it("leaves requests that do not want HTML to the rest of the app", async () => {
    const res = await fetch(`${base}/favicon.ico`, { headers: { accept: "image/*" } });
    expect(res.status).toBe(404);
    expect(fellThrough.at(-1)).toBe("/favicon.ico");
  });
});
