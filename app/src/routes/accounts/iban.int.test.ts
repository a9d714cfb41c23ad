import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { Account } from "./schema.ts";

const problem = (body: unknown) => body as ProblemDetails;

describe("an account's IBAN", () => {
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

  it("is taken with spaces and lower case, stored normalised and answered in groups of four", async () => {
    const account = await anAccount(member, { iban: "de89 3704 0044 0532 0130 00" });
    expect(account.iban).toBe("DE89 3704 0044 0532 0130 00");
    const { rows } = await app.pool.query<{ iban: string }>(
      "select iban from accounts where id = $1",
      [account.id],
    );
    expect(rows[0]?.iban).toBe("DE89370400440532013000");
    const listed = (await member.get("/accounts")).body as { data: Account[] };
    expect(listed.data.find((a) => a.id === account.id)?.iban).toBe("DE89 3704 0044 0532 0130 00");
    expect(((await member.get(`/accounts/${account.id}`)).body as Account).iban).toBe(
      "DE89 3704 0044 0532 0130 00",
    );
  });

  it("is null when none was given, set by PATCH and forgotten with null", async () => {
    const account = await anAccount(member);
    expect(account.iban).toBeNull();
    const set = await member.patch(`/accounts/${account.id}`, { iban: "GB82WEST12345698765432" });
    expect(set.status).toBe(200);
    expect((set.body as Account).iban).toBe("GB82 WEST 1234 5698 7654 32");
    const renamed = await member.patch(`/accounts/${account.id}`, { name: "Renamed with IBAN" });
    expect((renamed.body as Account).iban).toBe("GB82 WEST 1234 5698 7654 32");
    const cleared = await member.patch(`/accounts/${account.id}`, { iban: null });
    expect((cleared.body as Account).iban).toBeNull();
  });

  it.each([
    ["DE88 3704 0044 0532 0130 00", /check digits/],
    ["DE89 3704 0044 0532 0130 0", /has 21 characters, but an IBAN from DE has 22/],
    ["ZZ89 3704 0044 0532 0130 00", /ZZ, which is no IBAN country/],
    ["not an iban", /is not an IBAN/],
  ])("refuses %s with 422 naming body.iban and what is wrong", async (iban, message) => {
    const res = await member.post("/accounts", {
      name: `Bad ${iban}`,
      type: "checking",
      currency: "EUR",
      iban,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const errors = problem(res.body).errors ?? [];
    expect(errors.map((e) => e.path)).toEqual(["body.iban"]);
    expect(errors[0]?.message).toMatch(message);
    const account = await anAccount(member);
    const patched = await member.patch(`/accounts/${account.id}`, { iban });
    expect(patched.status).toBe(422);
    expect(problem(patched.body).errors?.map((e) => e.path)).toEqual(["body.iban"]);
  });

  it("belongs to one account of the household at most (409), however it is spelt", async () => {
    await anAccount(member, { iban: "NL91ABNA0417164300" });
    const again = await member.post("/accounts", {
      name: "Same IBAN",
      type: "savings",
      currency: "EUR",
      iban: "nl91 abna 0417 1643 00",
    });
    expect(again.status).toBe(409);
    expect(problem(again.body).detail).toMatch(/NL91 ABNA 0417 1643 00/);
    const other = await anAccount(member);
    const patched = await member.patch(`/accounts/${other.id}`, { iban: "NL91ABNA0417164300" });
    expect(patched.status).toBe(409);
  });
});
