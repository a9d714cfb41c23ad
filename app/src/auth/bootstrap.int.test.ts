import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/harness/database.ts";
import { migrate } from "../db/migrate.ts";
import { starterCategories } from "../domain/default-categories.ts";
import { addStarterCategories } from "../write-model/starter-categories.ts";
import { ensureAdmin, type HouseholdSetup } from "./bootstrap.ts";
import { verifyPassword } from "./passwords.ts";

describe("ensureAdmin", () => {
  const db = useTestDatabase();
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
  });

  const germanTree: HouseholdSetup = (client) => addStarterCategories(client, "de");
  const treeSize = starterCategories("de").reduce((n, top) => n + 1 + top.children.length, 0);
  const categoryNames = async () =>
    (await pool.query<{ name: string }>("select name from categories order by id")).rows.map(
      (r) => r.name,
    );

  it("creates exactly one owner and one starter tree when several replicas start at once", async () => {
    const admin = { email: "admin@example.test", password: "correct horse staple" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ensureAdmin(pool, admin, germanTree)),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    const { rows } = await pool.query<{ role: string; password_hash: string }>(
      "select role, password_hash from users",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.role).toBe("owner");
    expect(await verifyPassword(rows[0]?.password_hash ?? "", admin.password)).toBe(true);
    const names = await categoryNames();
    expect(names).toHaveLength(treeSize);
    expect(names).toEqual(expect.arrayContaining(["Einnahmen", "Gehalt", "Lebensmittel"]));
  });

  it("adds no second tree when the owner exists (a restart)", async () => {
    const before = await categoryNames();
    const again = await ensureAdmin(
      pool,
      { email: "admin@example.test", password: "correct horse staple" },
      (client) => addStarterCategories(client, "fr"),
    );
    expect(again.created).toBe(false);
    expect(await categoryNames()).toEqual(before);
  });

  it("adds no tree to a household that has categories, even for a new owner", async () => {
    const before = await categoryNames();
    const other = await ensureAdmin(
      pool,
      { email: "new-owner@example.test", password: "correct horse staple" },
      (client) => addStarterCategories(client, "fr"),
    );
    expect(other.created).toBe(true);
    expect(await categoryNames()).toEqual(before);
    await pool.query("delete from users where id = $1", [other.userId]);
  });

  it("creates no owner when the household's setup fails", async () => {
    const failing: HouseholdSetup = async (client) => {
      await client.query("insert into categories (name, kind) values ('Half done', 'expense')");
      throw new Error("setup broke");
    };
    const attempt = ensureAdmin(
      pool,
      { email: "doomed@example.test", password: "correct horse staple" },
      failing,
    );
    await expect(attempt).rejects.toThrow("setup broke");
    const { rows } = await pool.query("select 1 from users where email = 'doomed@example.test'");
    expect(rows).toHaveLength(0);
    expect(await categoryNames()).not.toContain("Half done");
  });

  it("leaves an existing user alone, password included, matching the email in any case", async () => {
    const again = await ensureAdmin(pool, {
      email: "ADMIN@example.test",
      password: "another horse staple",
    });
    expect(again.created).toBe(false);
    const { rows } = await pool.query<{ password_hash: string }>("select password_hash from users");
    expect(await verifyPassword(rows[0]?.password_hash ?? "", "correct horse staple")).toBe(true);
  });

  it("refuses a password the policy refuses, without putting it in the error", async () => {
    const attempt = ensureAdmin(pool, { email: "weak@example.test", password: "password1234" });
    await expect(attempt).rejects.toThrow(/FINTRACK_ADMIN_PASSWORD_FILE/);
    await expect(attempt).rejects.not.toThrow(/password1234/);
  });
});
