import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { anAccount, type LedgerTestApp, startLedgerApp } from "../../../test/harness/ledger.ts";
import { withTransaction } from "../../db/transaction.ts";
import { classifySql, type FingerprintLookup } from "./classify.ts";
import { STAGING_COLUMNS } from "./staging.ts";

const db = useTestDatabase();
let app: LedgerTestApp;

beforeAll(async () => {
  app = await startLedgerApp(db.url);
});
afterAll(async () => {
  await app.close();
});

/** A transaction already in the account: its fingerprint and bank id (if any). */
interface Known {
  fingerprint: string;
  externalId?: string;
}

/** A row of the file as staged: its fingerprint and bank id (if any). */
type Staged = Known;

async function history(accountId: string, known: Known[]): Promise<void> {
  for (const [i, k] of known.entries()) {
    await app.pool.query(
      `insert into transactions (account_id, booking_date, amount, currency, import_fingerprint,
         external_id) values ($1, '2026-01-01', $2, 'EUR', $3, $4)`,
      [accountId, -100 - i, k.fingerprint, k.externalId ?? null],
    );
  }
}

/** How each staged row is classified, in file order, under one lookup. */
async function classified(
  accountId: string,
  staged: Staged[],
  lookup: FingerprintLookup,
): Promise<(string | null)[]> {
  return withTransaction(app.pool, async (client: pg.PoolClient) => {
    await client.query(`create temp table import_staging (${STAGING_COLUMNS}) on commit drop`);
    for (const [i, s] of staged.entries()) {
      await client.query(
        `insert into import_staging (seq, line, booking_date, amount, payee, description,
           external_id, fingerprint) values ($1, $1 + 1, '2026-01-01', -1, '', '', $2, $3)`,
        [i + 1, s.externalId ?? null, s.fingerprint],
      );
    }
    const withBankIds = staged.some((s) => s.externalId !== undefined);
    await client.query(classifySql(withBankIds, lookup), [accountId]);
    const { rows } = await client.query<{ duplicate: string | null }>(
      "select duplicate from import_classified order by seq",
    );
    return rows.map((r) => r.duplicate);
  });
}

async function bothLookups(accountId: string, staged: Staged[]) {
  const probe = await classified(accountId, staged, "probe");
  const hash = await classified(accountId, staged, "hash");
  return { probe, hash };
}

describe("classifying a file's rows against the account", () => {
  it("counts fingerprints by occurrence, the same whether it probes or hashes", async () => {
    const account = await anAccount(app.as(app.member));
    await history(account.id, [{ fingerprint: "A" }, { fingerprint: "B" }, { fingerprint: "B" }]);
    const staged = ["A", "A", "B", "B", "B", "C", "D"].map((fingerprint) => ({ fingerprint }));
    const expected = ["fingerprint", null, "fingerprint", "fingerprint", null, null, null];
    expect(await bothLookups(account.id, staged)).toEqual({ probe: expected, hash: expected });
  });

  it("tells bank ids from fingerprints, the same whether it probes or hashes", async () => {
    const account = await anAccount(app.as(app.member));
    await history(account.id, [
      { fingerprint: "P", externalId: "X" },
      { fingerprint: "Q" },
      { fingerprint: "R", externalId: "Y" },
      { fingerprint: "U", externalId: "Y2" },
    ]);
    const staged: Staged[] = [
      { fingerprint: "P1", externalId: "X" }, // the bank id is known
      { fingerprint: "N", externalId: "Z" }, // new
      { fingerprint: "N2", externalId: "Z" }, // the file repeats its own bank id
      { fingerprint: "Q", externalId: "W" }, // its twin was booked without a bank id
      { fingerprint: "R", externalId: "V" }, // the twin has another bank id: a new booking
      { fingerprint: "U" }, // no bank id: any transaction with its fingerprint counts
    ];
    const expected = ["bank_id", null, "bank_id", "fingerprint", null, "fingerprint"];
    expect(await bothLookups(account.id, staged)).toEqual({ probe: expected, hash: expected });
  });

  it("looks only at the account's own transactions", async () => {
    const mine = await anAccount(app.as(app.member));
    const other = await anAccount(app.as(app.member));
    await history(other.id, [{ fingerprint: "S", externalId: "T" }]);
    const staged: Staged[] = [{ fingerprint: "S" }, { fingerprint: "S2", externalId: "T" }];
    expect(await bothLookups(mine.id, staged)).toEqual({ probe: [null, null], hash: [null, null] });
  });
});
