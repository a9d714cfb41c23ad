import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, saveScreenshot } from "../harness/browser.ts";

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fintrack smoke</title></head>
<body><h1>Balance</h1><p id="total">€ 1.234,56</p>
<button id="add">Add</button><ul id="list"></ul>
<script src="/app.js"></script></body></html>`;
const script = `document.getElementById("add").addEventListener("click", () => {
  const li = document.createElement("li"); li.textContent = "Groceries -12.34";
  document.getElementById("list").append(li);
});`;

describe("Chromium through playwright-core", () => {
  let server: Server;
  let browser: Browser;
  let origin = "";

  beforeAll(async () => {
    server = createServer((req, res) => {
      const isScript = req.url === "/app.js";
      res.writeHead(200, {
        "content-type": isScript ? "text/javascript" : "text/html; charset=utf-8",
      });
      res.end(isScript ? script : page);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await new Promise((r) => server.close(r));
  });

  it("renders a local page, runs its script and takes a screenshot", async () => {
    const tab = await browser.newPage();
    await tab.goto(origin);
    expect(await tab.title()).toBe("fintrack smoke");
    expect(await tab.textContent("#total")).toBe("€ 1.234,56");
    await tab.click("#add");
    await expect
      .poll(() => tab.locator("#list li").allTextContents())
      .toEqual(["Groceries -12.34"]);
    const shot = await saveScreenshot(tab, "smoke-chromium");
    // A PNG starts with its 8-byte signature; a blank or failed capture would be tiny.
    expect(shot.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(shot.bytes.length).toBeGreaterThan(2000);
  });
});
