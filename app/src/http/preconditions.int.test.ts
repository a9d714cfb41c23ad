import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
} from "../../test/harness/ledger.ts";
import type { ProblemDetails } from "../errors.ts";
import type { Account } from "../routes/accounts/schema.ts";
import type { TransactionJson } from "../routes/transactions/schema.ts";

describe("ETag and If-Match on edits of money data", () => {
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

  const edit = (method: string, path: string, json: unknown, ifMatch?: string) =>
    member.send(method, path, Buffer.from(JSON.stringify(json ?? {})), {
      "Content-Type": "application/json",
      ...(ifMatch === undefined ? {} : { "If-Match": ifMatch }),
    });
  const remove = (path: string, ifMatch: string) =>
    member.send("DELETE", path, Buffer.alloc(0), { "If-Match": ifMatch });
  const etag = (res: TestResponse) => res.headers.get("etag") ?? "";

  describe("transactions", () => {
    it("serves the version as a strong ETag on read, create and change", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id);
      const read = await member.get(`/transactions/${tx.id}`);
      expect(etag(read)).toBe(`"${tx.version}"`);
      const changed = await edit("PATCH", `/transactions/${tx.id}`, { payee: "A" }, etag(read));
      expect(changed.status).toBe(200);
      expect(etag(changed)).not.toBe(etag(read));
      expect(etag(changed)).toBe(`"${(changed.body as TransactionJson).version}"`);
    });

    it("refuses the second of two edits made with the same ETag with 412, losing nothing", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id, { payee: "Before" });
      const seen = etag(await member.get(`/transactions/${tx.id}`));
      const first = await edit("PATCH", `/transactions/${tx.id}`, { payee: "First" }, seen);
      const second = await edit("PATCH", `/transactions/${tx.id}`, { notes: "Second" }, seen);
      expect(first.status).toBe(200);
      expect(second.status).toBe(412);
      expect(second.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(second.body).toMatchObject({
        code: "precondition_failed",
        errors: [{ path: "header.If-Match" }],
      });
      expect((second.body as ProblemDetails).detail).toContain(etag(first));
      expect(etag(second)).toBe(etag(first));
      const now = (await member.get(`/transactions/${tx.id}`)).body as TransactionJson;
      expect(now.payee).toBe("First");
      expect(now.notes).toBe("");
    });

    it("bumps the version when only the splits change", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id, { amount: "-10.00" });
      const seen = etag(await member.get(`/transactions/${tx.id}`));
      const split = await edit("PATCH", `/transactions/${tx.id}`, {
        splits: [
          { amount: "-4.00", memo: "a" },
          { amount: "-6.00", memo: "b" },
        ],
      });
      expect(split.status).toBe(200);
      expect(etag(split)).not.toBe(seen);
    });

    it("refuses a stale delete with 412 and keeps the transaction", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id);
      const seen = etag(await member.get(`/transactions/${tx.id}`));
      await edit("PATCH", `/transactions/${tx.id}`, { payee: "Changed" });
      expect((await remove(`/transactions/${tx.id}`, seen)).status).toBe(412);
      expect((await member.get(`/transactions/${tx.id}`)).status).toBe(200);
      const current = etag(await member.get(`/transactions/${tx.id}`));
      expect((await remove(`/transactions/${tx.id}`, current)).status).toBe(204);
    });

    it("keeps edits without If-Match working, and * matching any version", async () => {
      const account = await anAccount(member);
      const tx = await aTransaction(member, account.id);
      expect((await edit("PATCH", `/transactions/${tx.id}`, { payee: "x" })).status).toBe(200);
      expect((await edit("PATCH", `/transactions/${tx.id}`, { payee: "y" }, "*")).status).toBe(200);
    });
  });

  describe("accounts", () => {
    it("refuses the second of two edits made with the same ETag with 412", async () => {
      const account = await anAccount(member);
      const seen = etag(await member.get(`/accounts/${account.id}`));
      expect(seen).toBe(`"${account.version}"`);
      const first = await edit("PATCH", `/accounts/${account.id}`, { name: "Renamed" }, seen);
      const second = await edit("PATCH", `/accounts/${account.id}`, { archived: true }, seen);
      expect(first.status).toBe(200);
      expect(second.status).toBe(412);
      const now = (await member.get(`/accounts/${account.id}`)).body as Account;
      expect(now).toMatchObject({ name: "Renamed", archived: false });
    });

    it("keeps its ETag while only its balance moves", async () => {
      const account = await anAccount(member);
      const seen = etag(await member.get(`/accounts/${account.id}`));
      await aTransaction(member, account.id, { amount: "-5.00" });
      const after = await member.get(`/accounts/${account.id}`);
      expect((after.body as Account).balance).toBe("-5.00");
      expect(etag(after)).toBe(seen);
      expect(
        (await edit("PATCH", `/accounts/${account.id}`, { name: "Still mine" }, seen)).status,
      ).toBe(200);
    });

    it("refuses a stale delete with 412", async () => {
      const account = await anAccount(member);
      const seen = etag(await member.get(`/accounts/${account.id}`));
      await edit("PATCH", `/accounts/${account.id}`, { name: "Moved on" });
      expect((await remove(`/accounts/${account.id}`, seen)).status).toBe(412);
      expect((await member.get(`/accounts/${account.id}`)).status).toBe(200);
    });
  });

  it("answers 400 naming the header for a malformed If-Match", async () => {
    const account = await anAccount(member);
    const res = await edit("PATCH", `/accounts/${account.id}`, { name: "x" }, "no-quotes");
    expect(res.status).toBe(400);
    expect((res.body as ProblemDetails).errors?.[0]?.path).toBe("header.If-Match");
  });
});
