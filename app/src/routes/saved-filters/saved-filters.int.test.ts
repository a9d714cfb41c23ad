import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { SavedFilterJson } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;

describe("saved filters", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let viewer: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    viewer = app.as(app.viewer);
  });
  afterAll(async () => {
    await app.close();
  });

  const list = async (client: TestClient) =>
    ((await client.get("/saved-filters")).body as { data: SavedFilterJson[] }).data;

  it("saves a named search with the list's filters, shared by the household, listed by name", async () => {
    const account = await anAccount(member, { name: "Saved EUR" });
    const made = await member.post("/saved-filters", {
      name: "  Unsorted card spending ",
      filter: { q: 'account:"saved eur" amount:<0', accountId: account.id, status: "cleared" },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body as SavedFilterJson).toMatchObject({
      name: "Unsorted card spending",
      filter: { q: 'account:"saved eur" amount:<0', accountId: account.id, status: "cleared" },
    });
    await member.post("/saved-filters", { name: "apple", filter: { tag: "trip" } });

    // Another member of the household (here the viewer, who may read) sees the same ones.
    const seen = await list(viewer);
    expect(seen.map((f) => f.name)).toEqual(["apple", "Unsorted card spending"]);
    expect(seen[0]?.filter).toEqual({ tag: "trip" });
  });

  it("refuses a name taken regardless of case (409 at body.name) and invalid filters (422)", async () => {
    const taken = await member.post("/saved-filters", { name: "APPLE", filter: {} });
    expect(taken.status).toBe(409);
    expect(problem(taken.body).errors?.map((e) => e.path)).toEqual(["body.name"]);
    const bad = await member.post("/saved-filters", {
      name: "Bad",
      filter: { from: "2026-02-30", accountId: "x" },
    });
    expect(bad.status).toBe(422);
    expect(
      problem(bad.body)
        .errors?.map((e) => e.path)
        .sort(),
    ).toEqual(["body.filter.accountId", "body.filter.from"]);
  });

  it("lets a viewer read but not save or delete", async () => {
    expect((await viewer.post("/saved-filters", { name: "Mine", filter: {} })).status).toBe(403);
    const first = (await list(member))[0];
    if (first === undefined) throw new Error("nothing saved");
    expect((await viewer.delete(`/saved-filters/${first.id}`)).status).toBe(403);
  });

  it("deletes a saved filter, and answers 404 for one that is not there", async () => {
    const first = (await list(member))[0];
    if (first === undefined) throw new Error("nothing saved");
    expect((await member.delete(`/saved-filters/${first.id}`)).status).toBe(204);
    expect((await list(member)).map((f) => f.id)).not.toContain(first.id);
    expect((await member.delete(`/saved-filters/${first.id}`)).status).toBe(404);
    expect((await member.delete("/saved-filters/abc")).status).toBe(404);
  });
});
