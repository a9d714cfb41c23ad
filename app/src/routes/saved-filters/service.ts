import type pg from "pg";
import { isUniqueViolation } from "../../db/transaction.ts";
import { errors } from "../../errors.ts";
import {
  type CreateSavedFilter,
  MAX_SAVED_FILTERS,
  type SavedFilterCriteria,
  type SavedFilterJson,
} from "./schema.ts";

interface SavedFilterRow {
  id: string;
  name: string;
  filter: SavedFilterCriteria;
  created_at: Date;
}

const columns = "id::text, name, filter, created_at";

function present(row: SavedFilterRow): SavedFilterJson {
  return {
    id: row.id,
    name: row.name,
    filter: row.filter,
    createdAt: row.created_at.toISOString(),
  };
}

/** The household's saved filters, by name regardless of case. */
export async function listSavedFilters(db: pg.Pool): Promise<SavedFilterJson[]> {
  const { rows } = await db.query<SavedFilterRow>(
    `select ${columns} from saved_filters order by lower(name), id`,
  );
  return rows.map(present);
}

/**
 * Saves a filter under a new name; 409 at body.name when the name is taken (regardless of case),
 * 409 when the household already keeps MAX_SAVED_FILTERS of them.
 */
export async function createSavedFilter(
  db: pg.Pool,
  input: CreateSavedFilter,
  actor: string,
): Promise<SavedFilterJson> {
  try {
    // The count and the insert in one statement: the cap holds without a lock, give or take
    // two saves at the same instant.
    const { rows } = await db.query<SavedFilterRow>(
      `insert into saved_filters (name, filter, created_by)
       select $1, $2::jsonb, $3::bigint
       where (select count(*) from saved_filters) < $4
       returning ${columns}`,
      [input.name, JSON.stringify(input.filter), actor, MAX_SAVED_FILTERS],
    );
    const row = rows[0];
    if (row === undefined) {
      throw errors.conflict(
        `the household keeps at most ${String(MAX_SAVED_FILTERS)} saved filters: delete one first`,
      );
    }
    return present(row);
  } catch (error) {
    if (isUniqueViolation(error, "saved_filters_name_key")) {
      throw errors.conflictAt(`a saved filter named ${JSON.stringify(input.name)} exists`, [
        { path: "body.name", message: "is taken by another saved filter" },
      ]);
    }
    throw error;
  }
}

/** Deletes a saved filter; 404 when there is none with that id. */
export async function deleteSavedFilter(db: pg.Pool, id: string): Promise<void> {
  const { rowCount } = await db.query("delete from saved_filters where id = $1", [id]);
  if (rowCount === 0) throw errors.notFound("the saved filter");
}
