import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../test/harness/database.ts";
import { ibanFrom, printIban } from "../../domain/iban.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  anAccount,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
  uploadBankFile,
} from "../../../test/harness/ledger.ts";

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

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/imports/${name}`, import.meta.url), "utf8");

let accountNumber = 0;
/** A German IBAN no other test of this file uses. */
function freshIban(): string {
  accountNumber += 1;
  return ibanFrom("DE", `37040044${String(accountNumber).padStart(10, "0")}`);
}

/** The CAMT.053 fixture as a statement of `iban`. */
const camtFor = (iban: string) =>
  Buffer.from(fixture("batch.camt053.xml").replace("DE89370400440532013000", iban));
/** The MT940 fixture with `identifier` in its :25: field. */
const mt940For = (identifier: string) =>
  Buffer.from(fixture("multiline.mt940").replace(":25:37040044/0532013000", `:25:${identifier}`));

interface Uploaded {
  id: string;
  accountId: string;
  statementAccount: { identifier: string; iban: string | null; accountId: string | null } | null;
}

const detail = (body: unknown) => (body as ProblemDetails).detail ?? "";

describe("a bank file that names its account", () => {
  it("says which account it is for, as the file has it and as the household's account", async () => {
    const iban = freshIban();
    const account = await anAccount(member, { iban: printIban(iban).toLowerCase() });
    const up = await uploadBankFile(member, account.id, "stmt.xml", camtFor(iban));
    expect(up.status).toBe(201);
    expect((up.body as Uploaded).statementAccount).toEqual({
      identifier: iban,
      iban: printIban(iban),
      accountId: account.id,
    });
  });

  it("goes into the account with its IBAN when the upload names no account", async () => {
    const iban = freshIban();
    await anAccount(member);
    const account = await anAccount(member, { iban });
    const up = await uploadBankFile(member, undefined, "stmt.xml", camtFor(iban));
    expect(up.status).toBe(201);
    expect((up.body as Uploaded).accountId).toBe(account.id);
    const commit = await member.post(`/imports/${(up.body as Uploaded).id}/commit`, {});
    expect(commit.status).toBe(200);
  });

  it("reads an MT940 bank code/account number as the IBAN it stands for", async () => {
    const iban = freshIban();
    const account = await anAccount(member, { iban });
    const up = await uploadBankFile(
      member,
      undefined,
      "stmt.sta",
      mt940For(`37040044/${iban.slice(-10)}`),
    );
    expect(up.status).toBe(201);
    expect((up.body as Uploaded).accountId).toBe(account.id);
  });

  it("refuses an upload without account with 422 on body.accountId when no account has the IBAN", async () => {
    const up = await uploadBankFile(member, undefined, "stmt.xml", camtFor(freshIban()));
    expect(up.status).toBe(422);
    const errors = (up.body as ProblemDetails).errors ?? [];
    expect(errors.map((e) => e.path)).toEqual(["body.accountId"]);
    expect(errors[0]?.message).toMatch(/no open account has the IBAN/);
    const csv = await uploadBankFile(
      member,
      undefined,
      "a.csv",
      Buffer.from("Date,Amount\n2026-01-01,1\n"),
    );
    expect((csv.body as ProblemDetails).errors?.[0]?.message).toMatch(/does not name its account/);
  });

  it("refuses to preview or book a file into an account with another IBAN, naming both, unless allowed", async () => {
    const fileIban = freshIban();
    const other = await anAccount(member, { iban: fileIban });
    const chosenIban = freshIban();
    const chosen = await anAccount(member, { name: "Chosen Giro", iban: chosenIban });
    const up = await uploadBankFile(member, chosen.id, "stmt.xml", camtFor(fileIban));
    expect(up.status).toBe(201);
    const uploaded = up.body as Uploaded;
    expect(uploaded.statementAccount).toEqual({
      identifier: fileIban,
      iban: printIban(fileIban),
      accountId: other.id,
    });

    for (const step of ["preview", "commit"]) {
      const refused = await member.post(`/imports/${uploaded.id}/${step}`, {});
      expect(refused.status).toBe(409);
      expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(detail(refused.body)).toContain(printIban(fileIban));
      expect(detail(refused.body)).toContain(printIban(chosenIban));
      expect(detail(refused.body)).toContain("Chosen Giro");
    }
    const status = ((await member.get(`/imports/${uploaded.id}`)).body as { status: string })
      .status;
    expect(status).toBe("uploaded");

    const preview = await member.post(`/imports/${uploaded.id}/preview`, {
      allowAccountMismatch: true,
    });
    expect(preview.status).toBe(200);
    const commit = await member.post(`/imports/${uploaded.id}/commit`, {
      allowAccountMismatch: true,
    });
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ imported: 4 });
  });

  it("books any file into an account without IBAN", async () => {
    const account = await anAccount(member);
    const up = await uploadBankFile(member, account.id, "stmt.sta", mt940For(freshIban()));
    expect(up.status).toBe(201);
    const commit = await member.post(`/imports/${(up.body as Uploaded).id}/commit`, {});
    expect(commit.status).toBe(200);
  });
});
