import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";
import { withTransaction } from "../../db/transaction.ts";
import { cleanUpImports } from "../../write-model/import-cleanup.ts";
import type { ImportJson } from "./schema.ts";

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

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The cleanup's clock `ms` from now. */
const inFuture = (ms: number) => new Date(Date.now() + ms);

const csv = "Date;Payee;Amount\n2026-01-02;Bakery;-3,50\n2026-01-03;Shop;-10,00\n";

/** Uploads `text` as a CSV into `accountId` through the API, as a browser does. */
async function upload(accountId: string, text = csv): Promise<ImportJson> {
  const res = await uploadBankFile(member, accountId, "bank.csv", Buffer.from(text));
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.bytes.toString()}`);
  return res.body as ImportJson;
}

/** An upload whose process died mid-way: the row and one stored piece, still 'uploading'. */
async function aDeadUpload(): Promise<string> {
  const { rows } = await app.pool.query<{ id: string }>(
    `insert into imports (filename, format, encoding, size, preview, created_by)
     values ('dead.csv', 'csv', 'utf-8', 0, '{}'::jsonb, $1) returning id::text`,
    [app.member.id],
  );
  const id = rows[0]?.id ?? "";
  await app.pool.query(
    "insert into import_chunks (import_id, seq, data) values ($1, 0, 'Date;Amount'::bytea)",
    [id],
  );
  return id;
}

/** How many stored pieces an import has: of its file, or of the lines its upload prepared. */
async function chunkCount(importId: string, table = "import_chunks"): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(
    `select count(*)::int as n from ${table} where import_id = $1`,
    [importId],
  );
  return rows[0]?.n ?? -1;
}

async function statusOf(importId: string): Promise<string | undefined> {
  const { rows } = await app.pool.query<{ status: string }>(
    "select status from imports where id = $1",
    [importId],
  );
  return rows[0]?.status;
}

describe("cleaning up imports nobody finishes", () => {
  it("deletes an upload still streaming an hour after it began, its chunks with it", async () => {
    const dead = await aDeadUpload();
    expect(await cleanUpImports(app.pool, inFuture(HOUR - 60_000))).toEqual({
      deleted: 0,
      expired: 0,
    });
    expect(await statusOf(dead)).toBe("uploading");
    expect(await chunkCount(dead)).toBe(1);
    expect(await cleanUpImports(app.pool, inFuture(HOUR + 60_000))).toEqual({
      deleted: 1,
      expired: 0,
    });
    expect(await statusOf(dead)).toBeUndefined();
    expect(await chunkCount(dead)).toBe(0);
  });

  it("expires an upload not committed within 7 days: file gone, shown expired, commit refused", async () => {
    const account = await anAccount(member);
    const up = await upload(account.id);
    expect(await chunkCount(up.id)).toBeGreaterThan(0);
    expect(await chunkCount(up.id, "import_prepared_chunks")).toBeGreaterThan(0);
    expect(await cleanUpImports(app.pool, inFuture(7 * DAY - HOUR))).toEqual({
      deleted: 0,
      expired: 0,
    });
    expect(await statusOf(up.id)).toBe("uploaded");

    expect(await cleanUpImports(app.pool, inFuture(7 * DAY + HOUR))).toEqual({
      deleted: 0,
      expired: 1,
    });
    expect(await chunkCount(up.id)).toBe(0);
    expect(await chunkCount(up.id, "import_prepared_chunks")).toBe(0);
    const shown = await member.get(`/imports/${up.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id: up.id,
      status: "expired",
      error: expect.stringMatching(/upload the file again/) as unknown,
    });
    const listed = (await member.get("/imports")).body as { data: ImportJson[] };
    expect(listed.data.find((i) => i.id === up.id)?.status).toBe("expired");

    const commit = await member.post(`/imports/${up.id}/commit`, {});
    expect(commit.status).toBe(409);
    expect(commit.headers.get("content-type")).toContain("application/problem+json");
    expect((commit.body as { detail: string }).detail).toMatch(/upload the file again/);
    expect(await statusOf(up.id)).toBe("expired");
    expect((await member.delete(`/imports/${up.id}`)).status).toBe(409);
    // A second pass finds nothing more to do.
    expect(await cleanUpImports(app.pool, inFuture(30 * DAY))).toEqual({
      deleted: 0,
      expired: 0,
    });
  });

  it("counts the 7 days from the last failed commit, and leaves committed imports alone", async () => {
    const account = await anAccount(member);
    const retried = await upload(
      account.id,
      "Date;Payee;Amount\n2026-01-02;A;-1,00\n2026-13-45;B;-2,00\n2026-01-04;C;-4,00\n",
    );
    // Uploaded 8 days ago, its commit refused just now: the user is still at it.
    await app.pool.query(
      "update imports set created_at = now() - interval '8 days', updated_at = now() - interval '8 days' where id = $1",
      [retried.id],
    );
    expect((await member.post(`/imports/${retried.id}/commit`, {})).status).toBe(422);
    const committed = await upload(account.id);
    expect((await member.post(`/imports/${committed.id}/commit`, {})).status).toBe(200);

    expect(await cleanUpImports(app.pool)).toEqual({ deleted: 0, expired: 0 });
    expect(await statusOf(retried.id)).toBe("uploaded");
    expect(await cleanUpImports(app.pool, inFuture(8 * DAY))).toEqual({ deleted: 0, expired: 1 });
    expect(await statusOf(retried.id)).toBe("expired");
    expect(await statusOf(committed.id)).toBe("committed");
    const booked = await app.pool.query("select 1 from transactions where import_id = $1", [
      committed.id,
    ]);
    expect(booked.rowCount).toBe(2);
  });

  it("skips an import a commit is claiming, and runs safely on several replicas at once", async () => {
    const account = await anAccount(member);
    const ups = [await upload(account.id), await upload(account.id), await upload(account.id)];
    const [claimed, ...others] = ups;
    const later = inFuture(8 * DAY);
    // While another transaction holds the row (a commit claiming it), the cleanup neither waits
    // nor expires it.
    await withTransaction(app.pool, async (client) => {
      await client.query("select 1 from imports where id = $1 for update", [claimed?.id]);
      expect(await cleanUpImports(app.pool, later)).toEqual({ deleted: 0, expired: 2 });
    });
    expect(await statusOf(claimed?.id ?? "")).toBe("uploaded");
    expect(await chunkCount(claimed?.id ?? "")).toBeGreaterThan(0);
    for (const other of others) expect(await statusOf(other.id)).toBe("expired");

    const more = [await upload(account.id), await upload(account.id), claimed];
    const dead = [await aDeadUpload(), await aDeadUpload()];
    const passes = await Promise.all([1, 2, 3].map(() => cleanUpImports(app.pool, later)));
    expect(passes.reduce((sum, p) => sum + p.expired, 0)).toBe(3);
    expect(passes.reduce((sum, p) => sum + p.deleted, 0)).toBe(2);
    for (const up of more) {
      expect(await statusOf(up?.id ?? "")).toBe("expired");
      expect(await chunkCount(up?.id ?? "")).toBe(0);
    }
    for (const id of dead) expect(await statusOf(id)).toBeUndefined();
  });
});
