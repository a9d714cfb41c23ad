import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  type TestResponse,
} from "../../test/harness/ledger.ts";
import type { ProblemDetails } from "../errors.ts";
import type { TransactionJson } from "../routes/transactions/schema.ts";

describe("Idempotency-Key on unsafe requests", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let seq = 0;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  const freshKey = () => {
    seq += 1;
    return `"key-${String(seq)}-${String(Date.now())}"`;
  };

  const send = (
    as: TestClient,
    method: string,
    path: string,
    json: unknown,
    key: string | undefined,
  ): Promise<TestResponse> =>
    as.send(method, path, Buffer.from(JSON.stringify(json)), {
      "Content-Type": "application/json",
      ...(key === undefined ? {} : { "Idempotency-Key": key }),
    });

  const booking = (accountId: string, amount = "-12.50") => ({
    accountId,
    date: "2026-02-03",
    amount,
    payee: "Bakery",
  });

  const rowsIn = async (accountId: string): Promise<number> => {
    const { rows } = await app.pool.query<{ n: number }>(
      "select count(*)::int as n from transactions where account_id = $1",
      [accountId],
    );
    return rows[0]?.n ?? -1;
  };

  it("books once when the same request is sent twice, and replays the first answer", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    const first = await send(member, "POST", "/transactions", booking(account.id), key);
    const second = await send(member, "POST", "/transactions", booking(account.id), key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await rowsIn(account.id)).toBe(1);
  });

  it("books every request without a key, as before", async () => {
    const account = await anAccount(member);
    await send(member, "POST", "/transactions", booking(account.id), undefined);
    await send(member, "POST", "/transactions", booking(account.id), undefined);
    expect(await rowsIn(account.id)).toBe(2);
  });

  it("refuses the key with 422 problem+json when another body reuses it", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    await send(member, "POST", "/transactions", booking(account.id), key);
    const other = await send(member, "POST", "/transactions", booking(account.id, "-99"), key);
    expect(other.status).toBe(422);
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({
      code: "idempotency_key_reused",
      errors: [{ path: "header.Idempotency-Key" }],
    });
    expect(await rowsIn(account.id)).toBe(1);
  });

  it("refuses the key with 422 on another path", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    await send(member, "POST", "/transactions", booking(account.id), key);
    const other = await send(member, "POST", "/categories", { name: "Food", kind: "expense" }, key);
    expect(other.status).toBe(422);
    expect((other.body as ProblemDetails).code).toBe("idempotency_key_reused");
  });

  it("applies one of two concurrent requests with the same key; the other gets 409 or the replay", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        send(member, "POST", "/transactions", booking(account.id), key),
      ),
    );
    expect(await rowsIn(account.id)).toBe(1);
    const booked = answers.filter((a) => a.status === 201);
    expect(booked.length).toBeGreaterThanOrEqual(1);
    for (const answer of booked) expect(answer.body).toEqual(booked[0]?.body);
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.status).toBe(409);
      expect((answer.body as ProblemDetails).code).toBe("idempotency_key_in_progress");
    }
  });

  it("never replays one user's key to another user", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    const mine = await send(member, "POST", "/transactions", booking(account.id), key);
    const theirs = await send(app.as(app.owner), "POST", "/transactions", booking(account.id), key);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect((theirs.body as TransactionJson).id).not.toBe((mine.body as TransactionJson).id);
    expect(await rowsIn(account.id)).toBe(2);
  });

  it("does not book twice when the write commits after its client gave up", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    // A database too slow to answer: the booking waits on the account's row lock.
    const blocker = await app.pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("select 1 from accounts where id = $1 for update", [account.id]);
      const gaveUp = send(member, "POST", "/transactions", booking(account.id), key);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The client's retry, while the first request still waits to commit.
      const whileWaiting = send(member, "POST", "/transactions", booking(account.id), key);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await blocker.query("commit");
      const [first, retry] = await Promise.all([gaveUp, whileWaiting]);
      expect(first.status).toBe(201);
      expect(retry.status).toBe(409);
    } finally {
      blocker.release();
    }
    const later = await send(member, "POST", "/transactions", booking(account.id), key);
    expect(later.status).toBe(201);
    expect(later.headers.get("idempotent-replayed")).toBe("true");
    expect(await rowsIn(account.id)).toBe(1);
  });

  it("answers 409 without running again when a claimed write has no recorded answer", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    await send(member, "POST", "/transactions", booking(account.id), key);
    // As when the database failed right after the commit: the key is there, its answer is not.
    await app.pool.query(
      `update idempotency_keys set response_status = null, response_headers = null,
         response_body = null, claimed_at = now() - interval '1 hour'
       where user_id = $1`,
      [app.member.id],
    );
    const retry = await send(member, "POST", "/transactions", booking(account.id), key);
    expect(retry.status).toBe(409);
    expect((retry.body as ProblemDetails).code).toBe("idempotency_answer_unavailable");
    expect(await rowsIn(account.id)).toBe(1);
    await app.pool.query("delete from idempotency_keys where user_id = $1", [app.member.id]);
  });

  it("replays PATCH and DELETE answers", async () => {
    const account = await anAccount(member);
    const created = await send(member, "POST", "/transactions", booking(account.id), undefined);
    const id = (created.body as TransactionJson).id;
    const key = freshKey();
    const patch = { payee: "Market" };
    const changed = await send(member, "PATCH", `/transactions/${id}`, patch, key);
    const again = await send(member, "PATCH", `/transactions/${id}`, patch, key);
    expect(again.status).toBe(changed.status);
    expect(again.body).toEqual(changed.body);
    const deleteKey = freshKey();
    const deleted = await member.send("DELETE", `/transactions/${id}`, Buffer.alloc(0), {
      "Idempotency-Key": deleteKey,
    });
    const deletedAgain = await member.send("DELETE", `/transactions/${id}`, Buffer.alloc(0), {
      "Idempotency-Key": deleteKey,
    });
    expect(deleted.status).toBe(204);
    expect(deletedAgain.status).toBe(204);
  });

  it("answers 400 naming the header for a key that is not an sf-string", async () => {
    const account = await anAccount(member);
    for (const bad of ["bare-token", '""', '"a" , "b"', '"unterminated']) {
      const res = await send(member, "POST", "/transactions", booking(account.id), bad);
      expect(res.status, bad).toBe(400);
      expect((res.body as ProblemDetails).errors?.[0]?.path).toBe("header.Idempotency-Key");
    }
    expect(await rowsIn(account.id)).toBe(0);
  });

  it("does not record failed requests: a corrected retry with a new body still needs a new key", async () => {
    const account = await anAccount(member);
    const key = freshKey();
    const bad = await send(member, "POST", "/transactions", booking(account.id, "abc"), key);
    expect(bad.status).toBe(422);
    const retry = await send(member, "POST", "/transactions", booking(account.id, "abc"), key);
    expect(retry.status).toBe(422);
    expect((retry.body as ProblemDetails).code).toBe("validation_failed");
    const good = await send(member, "POST", "/transactions", booking(account.id), key);
    expect(good.status).toBe(201);
  });
});
