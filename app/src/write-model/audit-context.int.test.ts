import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { firstTransactionHook } from "../db/transaction.ts";
import { withAuditedTransaction } from "./audit-context.ts";

const db = useTestDatabase();
// One connection: what a transaction leaves behind would show in the next one.
let pool: pg.Pool;

beforeAll(() => {
  pool = new pg.Pool({ connectionString: db.url, max: 1 });
});

afterAll(async () => {
  await pool.end();
});

async function auditSettings(client: pg.ClientBase): Promise<{ actor: string; action: string }> {
  const { rows } = await client.query<{ actor: string | null; action: string | null }>(
    `select current_setting('fintrack.actor', true) as actor,
       current_setting('fintrack.action', true) as action`,
  );
  return { actor: rows[0]?.actor ?? "", action: rows[0]?.action ?? "" };
}

async function transactionId(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ id: string }>("select txid_current()::text as id");
  return rows[0]?.id ?? "";
}

describe("withAuditedTransaction", () => {
  it("tells the audit triggers who writes, and as what, before the work starts", async () => {
    const seen = await withAuditedTransaction(pool, { actor: "42", action: "import" }, (client) =>
      auditSettings(client),
    );
    expect(seen).toEqual({ actor: "42", action: "import" });
  });

  it("leaves nothing behind on the pooled connection, committed or rolled back", async () => {
    await withAuditedTransaction(pool, { actor: "42", action: "unlock" }, () => Promise.resolve());
    await expect(
      withAuditedTransaction(pool, { actor: "43" }, () => Promise.reject(new Error("refused"))),
    ).rejects.toThrow("refused");
    const client = await pool.connect();
    try {
      expect(await auditSettings(client)).toEqual({ actor: "", action: "" });
    } finally {
      client.release();
    }
  });

  it("runs a request's first-transaction hook first, in the same transaction", async () => {
    let hookedIn = "";
    const request = firstTransactionHook(async (client) => {
      hookedIn = await transactionId(client);
    });
    const workedIn = await request.run(() =>
      withAuditedTransaction(pool, { actor: "42" }, (client) => transactionId(client)),
    );
    expect(hookedIn).not.toBe("");
    expect(workedIn).toBe(hookedIn);
    expect(request.committed()).toBe(true);
  });
});
