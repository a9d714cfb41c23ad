import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { ProblemDetails } from "../../errors.ts";

const csv = (as: TestClient, text: string) =>
  as.send("POST", "/exchange-rates/csv", Buffer.from(text), { "Content-Type": "text/csv" });

describe("exchange rates", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  it("stores a rate entered by hand as an exact decimal, replacing that day's", async () => {
    const first = await member.post("/exchange-rates", {
      currency: "USD",
      date: "2026-01-02",
      rate: "0.921300000001",
    });
    expect(first.status).toBe(201);
    await member.post("/exchange-rates", { currency: "USD", date: "2026-01-02", rate: "0.9214" });
    const res = await member.get("/exchange-rates?currency=USD");
    expect(res.body).toEqual({
      base: "EUR",
      data: [{ currency: "USD", date: "2026-01-02", rate: "0.9214" }],
    });
  });

  it("stores every line of a CSV upload, or none when a line is bad", async () => {
    const ok = await csv(
      member,
      "date,currency,rate\n2026-02-01,JPY,0.0061\n2026-02-01,GBP,1.17\n",
    );
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ stored: 2 });
    const bad = await csv(member, "2026-02-02,JPY,0.0062\n2026-02-30,JPY,1\n2026-02-03,EUR,1\n");
    expect(bad.status).toBe(422);
    expect((bad.body as ProblemDetails).errors?.map((e) => e.path)).toEqual([
      "body.line[2]",
      "body.line[3]",
    ]);
    const jpy = await member.get("/exchange-rates?currency=JPY");
    expect(jpy.body).toMatchObject({ data: [{ date: "2026-02-01", rate: "0.0061" }] });
  });

  it("refuses bad rates and the base currency, naming the fields", async () => {
    const res = await member.post("/exchange-rates", {
      currency: "usd",
      date: "2026-02-30",
      rate: "0",
    });
    expect((res.body as ProblemDetails).errors?.map((e) => e.path)).toEqual([
      "body.currency",
      "body.date",
      "body.rate",
    ]);
    const base = await member.post("/exchange-rates", {
      currency: "EUR",
      date: "2026-01-01",
      rate: "1",
    });
    expect((base.body as ProblemDetails).errors?.map((e) => e.path)).toEqual(["body.currency"]);
  });

  it("deletes a rate, 404 for one that does not exist", async () => {
    expect((await member.delete("/exchange-rates/GBP/2026-02-01")).status).toBe(204);
    expect((await member.delete("/exchange-rates/GBP/2026-02-01")).status).toBe(404);
    expect((await member.delete("/exchange-rates/XXX/nope")).status).toBe(404);
  });

  it("lets a viewer read rates but not write them", async () => {
    const viewer = app.as(app.viewer);
    expect((await viewer.get("/exchange-rates")).status).toBe(200);
    expect(
      (await viewer.post("/exchange-rates", { currency: "USD", date: "2026-01-03", rate: "1" }))
        .status,
    ).toBe(403);
    expect((await csv(viewer, "2026-01-03,USD,1\n")).status).toBe(403);
    expect((await viewer.delete("/exchange-rates/USD/2026-01-02")).status).toBe(403);
  });
});
