import type pg from "pg";
import { type StarterLocale, starterCategories } from "../domain/default-categories.ts";

// Writing the starter tree is a write of many categories at once, kept beside the other writes
// that are more than one resource's single row.

/**
 * Adds the starter category tree in `locale` inside the caller's SQL transaction, only when the
 * household has no category yet (the table lock makes two first writers take turns, as every
 * category write does). Returns whether it added them.
 */
export async function addStarterCategories(
  client: pg.PoolClient,
  locale: StarterLocale,
): Promise<boolean> {
  await client.query("lock table categories in share row exclusive mode");
  const { rows } = await client.query<{ some: boolean }>(
    "select exists (select 1 from categories) as some",
  );
  if (rows[0]?.some === true) return false;
  for (const top of starterCategories(locale)) {
    const parent = await client.query<{ id: string }>(
      "insert into categories (name, kind) values ($1, $2) returning id::text",
      [top.name, top.kind],
    );
    for (const child of top.children) {
      await client.query("insert into categories (name, kind, parent_id) values ($1, $2, $3)", [
        child.name,
        child.kind,
        parent.rows[0]?.id,
      ]);
    }
  }
  return true;
}
