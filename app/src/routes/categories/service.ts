import type pg from "pg";
import { type Category, wouldCreateCycle } from "../../domain/categories.ts";
import { errors } from "../../errors.ts";
import { isUniqueViolation, withTransaction } from "../../db/transaction.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { addStarterCategories } from "../../write-model/starter-categories.ts";
import { starterLocaleFor } from "../../domain/default-categories.ts";
import type { CategoryJson, CreateCategory, UpdateCategory } from "./schema.ts";

type Queryable = pg.Pool | pg.PoolClient;

const columns = 'id::text as id, name, kind, parent_id::text as "parentId"';

/** Every category, by name; the tree is rebuilt by clients from `parentId`. */
export async function listCategories(db: Queryable): Promise<CategoryJson[]> {
  const { rows } = await db.query<CategoryJson>(
    `select ${columns} from categories order by lower(categories.name), categories.id`,
  );
  return rows;
}

/** One category; 404 when there is none with `id`. */
export async function getCategory(db: Queryable, id: string): Promise<CategoryJson> {
  const { rows } = await db.query<CategoryJson>(`select ${columns} from categories where id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the category");
  return row;
}

// Category writes are rare and a move must see the tree as it is: they take turns. The lock mode
// lets reads and transaction writes (whose foreign keys only share-lock rows) go on meanwhile.
async function lockTree(client: pg.PoolClient): Promise<Category[]> {
  await client.query("lock table categories in share row exclusive mode");
  return (await listCategories(client)).map((c) => ({ ...c }));
}

function invalid(path: string, message: string) {
  return errors.validation([{ path, message }]);
}

function nameTaken(name: string) {
  return errors.conflict(`a sibling category named ${JSON.stringify(name)} already exists`);
}

/** Creates a category; a child takes its parent's kind, and must not claim another (422). */
export async function createCategory(db: pg.Pool, input: CreateCategory): Promise<CategoryJson> {
  try {
    return await withTransaction(db, async (client) => {
      const tree = await lockTree(client);
      const parentId = input.parentId ?? null;
      const parent = parentId === null ? undefined : tree.find((c) => c.id === parentId);
      if (parentId !== null && parent === undefined) {
        throw invalid("body.parentId", "is not a category");
      }
      const kind = input.kind ?? parent?.kind;
      if (kind === undefined) throw invalid("body.kind", "is required for a top-level category");
      if (parent !== undefined && parent.kind !== kind) {
        throw invalid(
          "body.kind",
          `is ${kind} but the parent ${JSON.stringify(parent.name)} is ${parent.kind}`,
        );
      }
      const { rows } = await client.query<{ id: string }>(
        "insert into categories (name, kind, parent_id) values ($1, $2, $3) returning id::text",
        [input.name, kind, parentId],
      );
      return getCategory(client, rows[0]?.id ?? "");
    });
  } catch (error) {
    if (isUniqueViolation(error, "categories_sibling_name_key")) throw nameTaken(input.name);
    throw error;
  }
}

/**
 * Renames, re-kinds or moves a category. A child keeps its parent's kind, so a category with
 * children cannot change kind, and a move goes only under a parent of the same kind; a move
 * under its own subtree is refused (422).
 */
export async function updateCategory(
  db: pg.Pool,
  id: string,
  patch: UpdateCategory,
): Promise<CategoryJson> {
  try {
    return await withTransaction(db, async (client) => {
      const tree = await lockTree(client);
      const current = tree.find((c) => c.id === id);
      if (current === undefined) throw errors.notFound("the category");
      const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
      const kind = patch.kind ?? current.kind;
      checkMove(tree, current, parentId, kind, patch.kind !== undefined);
      await client.query(
        "update categories set name = $2, kind = $3, parent_id = $4 where id = $1",
        [id, patch.name ?? current.name, kind, parentId],
      );
      return getCategory(client, id);
    });
  } catch (error) {
    if (isUniqueViolation(error, "categories_sibling_name_key")) {
      throw nameTaken(patch.name ?? "");
    }
    throw error;
  }
}

function checkMove(
  tree: readonly Category[],
  current: Category,
  parentId: string | null,
  kind: Category["kind"],
  kindGiven: boolean,
): void {
  if (kind !== current.kind && tree.some((c) => c.parentId === current.id)) {
    throw invalid("body.kind", `cannot change: the category has ${current.kind} subcategories`);
  }
  if (parentId === null) return;
  const parent = tree.find((c) => c.id === parentId);
  if (parent === undefined) throw invalid("body.parentId", "is not a category");
  if (wouldCreateCycle(tree, current.id, parentId)) {
    throw invalid("body.parentId", "is the category itself or one of its subcategories");
  }
  if (parent.kind !== kind) {
    const message = `${JSON.stringify(parent.name)} is ${parent.kind} but the category is ${kind}`;
    throw invalid(kindGiven ? "body.kind" : "body.parentId", message);
  }
}

/**
 * Deletes a category without subcategories (409 otherwise); its transactions and split lines
 * become uncategorised (the foreign keys set them null), changes the audit log names `actor` for.
 */
export async function deleteCategory(db: pg.Pool, id: string, actor: string): Promise<void> {
  await withAuditedTransaction(db, { actor }, async (client) => {
    const tree = await lockTree(client);
    if (!tree.some((c) => c.id === id)) throw errors.notFound("the category");
    if (tree.some((c) => c.parentId === id)) {
      throw errors.conflict("the category has subcategories: delete or move them first");
    }
    await client.query("delete from categories where id = $1", [id]);
  });
}

/**
 * Adds the starter category tree in the language `locale` names to a household that has no
 * category yet (409 when it has one), and answers the categories.
 */
export async function addStarterSet(
  db: pg.Pool,
  locale: string | undefined,
): Promise<CategoryJson[]> {
  const added = await withTransaction(db, (client) =>
    addStarterCategories(client, starterLocaleFor(locale)),
  );
  if (!added) throw errors.conflict("the household already has categories");
  return listCategories(db);
}
