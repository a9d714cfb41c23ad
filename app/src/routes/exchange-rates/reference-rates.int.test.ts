import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import { AppError, type ProblemDetails } from "../../errors.ts";
import type { NetWorth } from "../reports/net-worth.ts";
import { downloadFeed } from "./feed.ts";
import type { FetchResult } from "./schema.ts";

const history = readFileSync(
  new URL("../../../test/fixtures/fx/eurofxref-hist-90d.xml", import.meta.url),
);

/** What the fixture feed answers next: the 90-day history, a failure, or something else. */
type Mode = "history" | "error" | "html" | "hang" | "huge";

/** A local stand-in for the ECB: the tests never reach the internet. */
async function fixtureFeed(): Promise<{
  url: URL;
  mode: (next: Mode) => void;
  close: () => Promise<void>;
}> {
  let mode: Mode = "history";
  const server: Server = createServer((req, res) => {
    if (mode === "history") res.writeHead(200, { "Content-Type": "text/xml" }).end(history);
    else if (mode === "error") res.writeHead(500).end("down for maintenance");
    else if (mode === "html") res.writeHead(200, { "Content-Type": "text/html" }).end("<html/>");
    else if (mode === "huge") res.writeHead(200).end(Buffer.alloc(2000, "<"));
    // "hang": answer nothing until the client gives up.
    req.on("close", () => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${String(port)}/eurofxref-hist-90d.xml?x=1`),
    mode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const today = () => new Date().toISOString().slice(0, 10);

describe("fetching reference rates into a euro household", () => {
  const db = useTestDatabase();
  let feed: Awaited<ReturnType<typeof fixtureFeed>>;
  let app: LedgerTestApp;
  let member: TestClient;

  beforeAll(async () => {
    feed = await fixtureFeed();
    app = await startLedgerApp(db.url, { fxSourceUrl: feed.url });
    member = app.as(app.member);
    await anAccount(member, {
      name: "Dollars",
      currency: "USD",
      openingDate: "2026-03-05",
      openingBalance: "100.00",
    });
    await anAccount(member, {
      name: "Kroner",
      currency: "NOK",
      openingDate: "2026-03-02",
      openingBalance: "50.00",
    });
  });
  afterAll(async () => {
    await app.close();
    await feed.close();
  });

  it("lists the dollars missing from net worth before any rate is known", async () => {
    const res = await member.get("/reports/net-worth?from=2026-03&to=2026-03");
    expect((res.body as NetWorth).missingRates.map((m) => m.currency)).toEqual(["NOK", "USD"]);
  });

  it("says it fetches on request, and from where, without the feed's query", async () => {
    const res = await member.get("/exchange-rates/source");
    expect(res.body).toEqual({
      fetching: "on-request",
      source: `${feed.url.origin}/eurofxref-hist-90d.xml`,
    });
  });

  it("stores every day and currency of the feed, converted to the base, saying what is missing", async () => {
    const res = await member.post("/exchange-rates/fetch");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      // The query is not shown: it may carry a key.
      source: `${feed.url.origin}/eurofxref-hist-90d.xml`,
      dates: ["2026-03-05", "2026-03-06"],
      currencies: ["CHF", "GBP", "JPY", "USD"],
      stored: 8,
      // The feed has no kroner: held since the opening day, with no rate to this day.
      missingRates: [{ currency: "NOK", firstDate: "2026-03-02", lastDate: today() }],
    } satisfies FetchResult);
    const usd = await member.get("/exchange-rates?currency=USD");
    expect(usd.body).toEqual({
      base: "EUR",
      data: [
        // 1 / 1.0834 = 0.923020121838|66 -> rounds up at 12 decimals.
        { currency: "USD", date: "2026-03-06", rate: "0.923020121839" },
        // 1 / 1.25 = 0.8 exactly.
        { currency: "USD", date: "2026-03-05", rate: "0.8" },
      ],
    });
    const chf = await member.get("/exchange-rates?currency=CHF&from=2026-03-05&to=2026-03-05");
    // 1 / 3 = 0.333333333333|33 -> rounds down.
    expect(chf.body).toMatchObject({ data: [{ date: "2026-03-05", rate: "0.333333333333" }] });
  });

  it("leaves the dollars out of net worth's missing rates once fetched", async () => {
    const res = await member.get("/reports/net-worth?from=2026-03&to=2026-03");
    const body = res.body as NetWorth;
    expect(body.missingRates.map((m) => m.currency)).toEqual(["NOK"]);
    // 100.00 USD at 0.923020121839 (the rate in force on 2026-03-31) = 92.3020121839 -> 92.30.
    expect(body.points).toEqual([
      { date: "2026-03-31", assets: "92.30", liabilities: "0.00", net: "92.30" },
    ]);
  });

  it("replaces the same days' rates when fetched again, keeping one rate per day", async () => {
    await member.post("/exchange-rates", { currency: "GBP", date: "2026-03-06", rate: "9" });
    expect((await member.post("/exchange-rates/fetch")).status).toBe(200);
    const gbp = await member.get("/exchange-rates?currency=GBP");
    expect(gbp.body).toMatchObject({
      data: [
        { date: "2026-03-06", rate: "1.25" },
        { date: "2026-03-05", rate: "1.25" },
      ],
    });
  });

  it.each([
    [
      "error",
      /the rate source http:\/\/127\.0\.0\.1:\d+\/eurofxref-hist-90d\.xml answered HTTP 500/,
    ],
    ["html", /sent no ECB reference rates: the feed holds no dated <Cube time=\.\.\.>/],
  ] as const)("answers 502 naming the failure when the source %s", async (mode, detail) => {
    feed.mode(mode);
    try {
      const res = await member.post("/exchange-rates/fetch");
      expect(res.status).toBe(502);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      const problem = res.body as ProblemDetails;
      expect(problem).toMatchObject({ status: 502, code: "upstream_failed" });
      expect(problem.detail).toMatch(detail);
    } finally {
      feed.mode("history");
    }
  });

  it("gives up on a source that is too slow or sends too much", async () => {
    feed.mode("hang");
    try {
      await expect(downloadFeed(feed.url, { timeoutMs: 200, maxBytes: 1000 })).rejects.toThrow(
        /did not answer within 0\.2 s/,
      );
      feed.mode("huge");
      const huge = downloadFeed(feed.url, { timeoutMs: 5000, maxBytes: 1000 });
      await expect(huge).rejects.toBeInstanceOf(AppError);
      await expect(huge).rejects.toThrow(/sent more than 1000 bytes/);
    } finally {
      feed.mode("history");
    }
  });

  it("answers 502 when the source cannot be reached", async () => {
    const closed = new URL(feed.url);
    closed.port = "1";
    await expect(downloadFeed(closed)).rejects.toThrow(/cannot be reached/);
  });

  it("lets a viewer read rates but not fetch them", async () => {
    expect((await app.as(app.viewer).post("/exchange-rates/fetch")).status).toBe(403);
  });
});

describe("fetching reference rates into a dollar household", () => {
  const db = useTestDatabase();
  let feed: Awaited<ReturnType<typeof fixtureFeed>>;
  let app: LedgerTestApp;

  beforeAll(async () => {
    feed = await fixtureFeed();
    app = await startLedgerApp(db.url, { fxSourceUrl: feed.url, baseCurrency: "USD" });
  });
  afterAll(async () => {
    await app.close();
    await feed.close();
  });

  it("stores cross rates over the euro, and the euro at the feed's dollar rate", async () => {
    const member = app.as(app.member);
    const res = await member.post("/exchange-rates/fetch");
    expect(res.body).toMatchObject({ currencies: ["CHF", "EUR", "GBP", "JPY"], stored: 8 });
    const rates = await member.get("/exchange-rates?from=2026-03-06&to=2026-03-06");
    expect(rates.body).toEqual({
      base: "USD",
      data: [
        // 1.0834 / 1.5 = 0.722266666666|66 -> rounds up.
        { currency: "CHF", date: "2026-03-06", rate: "0.722266666667" },
        { currency: "EUR", date: "2026-03-06", rate: "1.0834" },
        // 1.0834 / 0.8 = 1.35425 exactly; 1.0834 / 160 = 0.00677125 exactly.
        { currency: "GBP", date: "2026-03-06", rate: "1.35425" },
        { currency: "JPY", date: "2026-03-06", rate: "0.00677125" },
      ],
    });
  });
});

describe("fetching reference rates with no source configured", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers 409 saying fetching is off, and stores nothing", async () => {
    const member = app.as(app.member);
    const res = await member.post("/exchange-rates/fetch");
    expect(res.status).toBe(409);
    expect((res.body as ProblemDetails).detail).toMatch(/fetching reference rates is off/);
    expect((res.body as ProblemDetails).detail).toMatch(/spec.app.exchangeRates.fetch: Never/);
    expect((await member.get("/exchange-rates")).body).toEqual({ base: "EUR", data: [] });
  });

  it("tells every member, viewers included, that fetching is off", async () => {
    const res = await app.as(app.viewer).get("/exchange-rates/source");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ fetching: "off" });
  });
});
