import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";
import type { ProblemDetails } from "../../errors.ts";
import { postDueOccurrences } from "../../write-model/recurring-occurrences.ts";

// Every path that writes transactions keeps a closed account closed: the transactions API (see
// accounts.int.test.ts), imports, recurring bookings, and the database itself under them all.

const closingDay = "2026-01-31";

describe("a closed account, on every write path", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;

  /** A new account with one transaction on the closing day, closed on that day. */
  const aClosedAccount = async () => {
    const account = await anAccount(member);
    const last = await aTransaction(member, account.id, { date: closingDay, amount: "0.00" });
    const closed = await member.patch(`/accounts/${account.id}`, { closedOn: closingDay });
    expect(closed.status).toBe(200);
    return { id: account.id, lastTransactionId: last.id };
  };
  const countIn = async (accountId: string) =>
    (
      await app.pool.query<{ n: number }>(
        "select count(*)::int as n from transactions where account_id = $1",
        [accountId],
      )
    ).rows[0]?.n;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
  });
  afterAll(async () => {
    await app.close();
  });

  describe("the database", () => {
    it("refuses a row dated after the closing day, whatever wrote it", async () => {
      const { id } = await aClosedAccount();
      const insert = app.pool.query(
        `insert into transactions (account_id, booking_date, amount, currency)
         values ($1, '2026-02-01', -100, 'EUR')`,
        [id],
      );
      await expect(insert).rejects.toMatchObject({
        code: "23514",
        constraint: "transactions_within_open_account",
      });
      await expect(insert).rejects.toThrow(`closed on ${closingDay}`);
      expect(await countIn(id)).toBe(1);
    });

    it("refuses moving a row past the closing day or into a closed account", async () => {
      const { id, lastTransactionId } = await aClosedAccount();
      const later = app.pool.query(
        "update transactions set booking_date = '2026-02-01' where id = $1",
        [lastTransactionId],
      );
      await expect(later).rejects.toMatchObject({ constraint: "transactions_within_open_account" });
      const open = await anAccount(member);
      const elsewhere = await aTransaction(member, open.id, { date: "2026-03-01" });
      const moved = app.pool.query("update transactions set account_id = $1 where id = $2", [
        id,
        elsewhere.id,
      ]);
      await expect(moved).rejects.toMatchObject({ constraint: "transactions_within_open_account" });
    });

    it("lets every other change of a closed account's rows through", async () => {
      const { lastTransactionId } = await aClosedAccount();
      const earlier = await app.pool.query(
        "update transactions set booking_date = '2026-01-30', payee = 'Renamed' where id = $1",
        [lastTransactionId],
      );
      expect(earlier.rowCount).toBe(1);
    });
  });

  describe("imports", () => {
    const file = (rows: string[]) => Buffer.from(["Date,Payee,Amount", ...rows, ""].join("\n"));
    const mapping = {
      hasHeader: true,
      skipRows: 0,
      delimiter: ",",
      dateColumn: 0,
      dateFormat: "YYYY-MM-DD",
      amountColumn: 2,
      decimalSeparator: ".",
      thousandsSeparator: "",
      payeeColumn: 1,
      descriptionColumns: [],
    };

    it("refuses a file with rows after the closing day, naming each line, and writes nothing", async () => {
      const { id } = await aClosedAccount();
      const rows = ["2026-01-20,Shop,-5.00", "2026-02-01,Shop,-6.00", "2026-02-03,Shop,-7.00"];
      const upload = await uploadBankFile(member, id, "late.csv", file(rows));
      expect(upload.status).toBe(201);
      const importId = (upload.body as { id: string }).id;
      for (const step of ["preview", "commit"]) {
        const res = await member.post(`/imports/${importId}/${step}`, { mapping });
        expect(res.status, step).toBe(422);
        const lines = (res.body as { errors: { line: number }[] }).errors.map((e) => e.line);
        expect(lines).toEqual([3, 4]);
        expect(JSON.stringify(res.body)).toContain(
          `after ${closingDay}, the day the account closed`,
        );
      }
      expect(await countIn(id)).toBe(1);
    });

    it("still takes a file whose rows all fall on or before the closing day", async () => {
      const { id } = await aClosedAccount();
      const upload = await uploadBankFile(member, id, "early.csv", file(["2026-01-20,Shop,0.00"]));
      const importId = (upload.body as { id: string }).id;
      const res = await member.post(`/imports/${importId}/commit`, { mapping });
      expect(res.status).toBe(200);
      expect(await countIn(id)).toBe(2);
    });
  });

  describe("recurring bookings", () => {
    const aMonthlyBill = async (accountId: string, autoPost: boolean) => {
      const res = await member.post("/recurring", {
        name: `Bill ${accountId}`,
        accountId,
        amount: "0.00",
        unit: "month",
        dayOfMonth: 15,
        startDate: "2025-11-15",
        autoPost,
      });
      expect(res.status).toBe(201);
      return (res.body as { id: string }).id;
    };

    it("stop at the closing day: nothing is booked, due or upcoming after it", async () => {
      const { id } = await aClosedAccount();
      const bill = await aMonthlyBill(id, true);
      // The schedule was created today, so only occurrences from today on are ever booked
      // automatically; back-date its creation so that Nov, Dec and Jan fall before the closing.
      await app.pool.query(
        "update recurring set created_at = '2025-11-01T00:00:00Z' where id = $1",
        [bill],
      );
      const posted = await postDueOccurrences(app.pool, "2026-03-20");
      const mine = posted.filter((p) => p.recurringId === bill).map((p) => p.dueDate);
      expect(mine).toEqual(["2025-11-15", "2025-12-15", "2026-01-15"]);
      const upcoming = await member.get("/recurring/upcoming?days=60");
      expect(upcoming.status).toBe(200);
      const dates = (upcoming.body as { data: { recurringId: string; date: string }[] }).data
        .filter((o) => o.recurringId === bill)
        .map((o) => o.date);
      expect(dates).toEqual([]);
    });

    it("refuse a confirmed occurrence after the closing day, naming the date", async () => {
      const { id } = await aClosedAccount();
      const bill = await aMonthlyBill(id, false);
      const late = await member.post(`/recurring/${bill}/occurrences/2026-02-15/post`, {});
      expect(late.status).toBe(422);
      expect((late.body as ProblemDetails).errors?.map((e) => e.path)).toEqual(["params.date"]);
      const moved = await member.post(`/recurring/${bill}/occurrences/2026-01-15/post`, {
        date: "2026-02-02",
      });
      expect((moved.body as ProblemDetails).errors?.map((e) => e.path)).toEqual(["body.date"]);
      expect(await countIn(id)).toBe(1);
    });
  });
});
