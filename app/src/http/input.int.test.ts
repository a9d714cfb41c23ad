import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
  uploadBankFile,
} from "../../test/harness/ledger.ts";
import { AUTH_CHALLENGE, type ProblemDetails } from "../errors.ts";
import { NUL_REFUSED } from "./nul.ts";

// Whatever route a request reaches, what the API cannot read or store is refused with a problem
// naming it, never a 500: the input layer is mountRoutes and the one error middleware.
describe("the API's input layer", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let owner: TestClient;
  let member: TestClient;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    owner = app.as(app.owner);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  const problem = (res: TestResponse) => {
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    return res.body as ProblemDetails;
  };

  describe("the NUL character, which PostgreSQL cannot store", () => {
    // First: the household load needs an instance that holds nothing but its users.
    it("refuses it in a household load, naming its place in the document", async () => {
      const document = JSON.stringify({
        formatVersion: 1,
        baseCurrency: "EUR",
        accounts: [{ name: "Cash\u0000", type: "cash", currency: "EUR" }],
      });
      const boundary = "----fintrack-nul-boundary";
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h.json"\r\n` +
          `Content-Type: application/json\r\n\r\n${document}\r\n--${boundary}--\r\n`,
      );
      const res = await owner.send("POST", "/imports/full", body, {
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
      });
      expect(res.status).toBe(422);
      expect(problem(res).errors).toEqual([
        { path: "body.accounts[0].name", message: NUL_REFUSED },
      ]);
      const { rows } = await app.pool.query("select 1 from accounts");
      expect(rows).toEqual([]);
    });

    it("refuses it in JSON bodies, naming the field, on every kind of route", async () => {
      const account = await anAccount(member);
      const cases: [Promise<TestResponse>, string][] = [
        [
          member.post("/transactions", {
            accountId: account.id,
            date: "2026-01-15",
            amount: "-1.00",
            payee: "Shop\u0000",
          }),
          "body.payee",
        ],
        [
          member.post("/transactions", {
            accountId: account.id,
            date: "2026-01-15",
            amount: "-1.00",
            tags: ["ok", "x\u0000y"],
          }),
          "body.tags.1",
        ],
        [member.patch(`/accounts/${account.id}`, { name: "\u0000" }), "body.name"],
        [
          member.post("/import-profiles", {
            name: "Bank",
            mapping: { date: "Date\u0000", amount: "Amount" },
          }),
          "body.mapping.date",
        ],
        [member.post("/categories", { "kind\u0000": "expense" }), "body.kind\\u0000"],
      ];
      for (const [pending, path] of cases) {
        const res = await pending;
        expect(res.status, path).toBe(422);
        expect(problem(res)).toMatchObject({
          code: "validation_failed",
          errors: [{ path, message: NUL_REFUSED }],
        });
      }
    });

    it("refuses it in query strings and path parameters", async () => {
      const search = await member.get("/transactions?q=shop%00");
      expect(search.status).toBe(422);
      expect(problem(search).errors).toEqual([{ path: "query.q", message: NUL_REFUSED }]);
      const byId = await member.get("/accounts/1%00");
      expect(byId.status).toBe(422);
      expect(problem(byId).errors).toEqual([{ path: "params.id", message: NUL_REFUSED }]);
    });

    it("refuses it in the name of an uploaded bank file", async () => {
      const account = await anAccount(member);
      // Percent-encoded (RFC 5987): a raw NUL in a part header is malformed multipart, a 400.
      const boundary = "----fintrack-nul-boundary";
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="accountId"\r\n\r\n${account.id}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
          `filename*=UTF-8''statement%00.csv\r\nContent-Type: text/csv\r\n\r\n` +
          `Date;Payee;Amount\n2026-03-02;Shop;-4,00\n\r\n--${boundary}--\r\n`,
      );
      const res = await member.send("POST", "/imports", body, {
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
      });
      expect(res.status).toBe(422);
      expect(problem(res).errors).toEqual([
        { path: "body.file", message: `its name ${NUL_REFUSED}` },
      ]);
    });
  });

  describe("bodies it cannot decode", () => {
    const json = (headers: Record<string, string>, as: TestClient) =>
      as.send("POST", "/categories", Buffer.from('{"name":"Food","kind":"expense"}'), {
        "Content-Type": "application/json",
        ...headers,
      });

    it("answers 415 to a charset it cannot decode", async () => {
      for (const charset of ["latin1", "utf-42"]) {
        const res = await json({ "Content-Type": `application/json; charset=${charset}` }, member);
        expect(res.status, charset).toBe(415);
        expect(problem(res).code).toBe("unsupported_media_type");
      }
    });

    it("answers 415 to a Content-Encoding it does not know", async () => {
      const res = await json({ "Content-Encoding": "compress" }, member);
      expect(res.status).toBe(415);
      expect(problem(res).detail).toMatch(/Content-Encoding/);
    });

    it("answers an anonymous client 401 before looking at its body at all", async () => {
      const unreadable: Record<string, string>[] = [
        { "Content-Type": "application/json; charset=utf-42" },
        { "Content-Encoding": "compress" },
      ];
      for (const headers of unreadable) {
        const res = await json(headers, app.anonymous);
        expect(res.status).toBe(401);
        expect(problem(res).code).toBe("unauthenticated");
      }
    });
  });

  describe("the overflow of a sum the database keeps", () => {
    it("refuses an import that would take the balance past the bigint range, writing nothing", async () => {
      const account = await anAccount(member);
      // Just below 2^63 - 1: two ordinary rows leave the range.
      await app.pool.query(
        "update accounts set transactions_total = 9223372036854775000 where id = $1",
        [account.id],
      );
      const up = await uploadBankFile(
        member,
        account.id,
        "big.csv",
        Buffer.from("Date;Payee;Amount\n2026-03-02;A;900,00\n2026-03-03;B;900,00\n"),
      );
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      const { id } = up.body as { id: string };
      const res = await member.post(`/imports/${id}/commit`, {});
      expect(res.status).toBe(422);
      expect(problem(res)).toMatchObject({
        code: "out_of_range",
        detail: "the account's balance would exceed the largest amount fintrack stores",
      });
      const { rows } = await app.pool.query<{ n: number; total: string }>(
        `select (select count(*)::int from transactions where account_id = $1) as n,
           (select transactions_total::text from accounts where id = $1) as total`,
        [account.id],
      );
      expect(rows[0]).toEqual({ n: 0, total: "9223372036854775000" });
    });
  });

  describe("methods and challenges", () => {
    it("answers 405 with Allow to a method a known path does not declare", async () => {
      const res = await member.send("PUT", "/transactions", Buffer.from("{}"), {
        "Content-Type": "application/json",
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
      expect(problem(res).code).toBe("method_not_allowed");
      const one = await member.send("POST", "/accounts/1", new Uint8Array(), {});
      expect(one.status).toBe(405);
      expect(one.headers.get("allow")?.split(", ").sort()).toEqual(
        ["DELETE", "GET", "HEAD", "PATCH"].sort(),
      );
    });

    it("answers a concrete path by its own methods, never its templated neighbour's", async () => {
      // /imports/full also matches /imports/:id, whose GET and DELETE it used to advertise.
      const options = await member.send("OPTIONS", "/imports/full", new Uint8Array(), {});
      expect(options.status).toBe(405);
      expect(options.headers.get("allow")).toBe("POST");
      const summary = await member.send("DELETE", "/transactions/summary", new Uint8Array(), {});
      expect(summary.status).toBe(405);
      expect(summary.headers.get("allow")).toBe("GET, HEAD");
      expect((await member.get("/transactions/summary")).status).toBe(200);
    });

    it("still answers 404 to a path no route declares", async () => {
      expect((await member.send("PUT", "/nothing-here", new Uint8Array(), {})).status).toBe(404);
    });

    it("sends a WWW-Authenticate challenge with every 401", async () => {
      const res = await app.anonymous.get("/accounts");
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe(AUTH_CHALLENGE);
    });
  });
});
