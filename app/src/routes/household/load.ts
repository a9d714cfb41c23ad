import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import type { Request } from "express";
import type pg from "pg";
import { isUntouchedStarterTree, type NamedCategory } from "../../domain/default-categories.ts";
import { AppError, errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import { allowLongWork } from "../../db/pool.ts";
import { problemResponse } from "../../http/schema.ts";
import { withAuditedTransaction } from "../../write-model/audit-context.ts";
import { type FullImportResult, FullImportResultSchema } from "./format.ts";
import { HouseholdLoader } from "./loader.ts";
import { JsonSyntaxError, readSections } from "./json-sections.ts";

/** The largest household document accepted: 2 GiB (a million transactions take about 300 MB). */
export const MAX_HOUSEHOLD_BYTES = 2 * 1024 * 1024 * 1024;
const LIMIT_TEXT = "2 GB";

/**
 * Every table a household's data lives in. The load locks them all against writes (reads go on)
 * before it checks that they are empty, so nothing slips in between the check and the commit.
 */
const HOUSEHOLD_TABLES = [
  "accounts",
  "categories",
  "transactions",
  "transaction_splits",
  "attachments",
  "budgets",
  "budget_rollovers",
  "budget_settings",
  "exchange_rates",
  "rules",
  "recurring",
  "recurring_occurrences",
  "reconciliations",
  "reconciliation_items",
  "import_profiles",
  "imports",
];

/**
 * What makes an instance not empty. Registration and the admin bootstrap create users and the
 * starter categories (an untouched starter tree still counts as empty: the load replaces it),
 * and the migrations seed budget_settings (the document overwrites it), so "empty" means: none
 * of these, whatever users, tokens and invitations exist.
 */
const HOLDINGS: readonly [string, string][] = [
  ["accounts", "accounts"],
  ["categories", "categories"],
  ["transactions", "transactions"],
  ["budgets", "budgets"],
  ["exchange_rates", "exchange rates"],
  ["rules", "rules"],
  ["recurring", "recurring transactions"],
  ["reconciliations", "reconciliations"],
  ["import_profiles", "import profiles"],
  ["imports", "bank-file imports"],
];

function isLockTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "55P03";
}

/** Locks the household's tables against writes and refuses (409) unless they are empty. */
async function lockEmptyHousehold(client: pg.PoolClient): Promise<void> {
  await client.query("set local lock_timeout = '5s'");
  try {
    await client.query(`lock table ${HOUSEHOLD_TABLES.join(", ")} in share row exclusive mode`);
  } catch (error) {
    if (isLockTimeout(error)) {
      throw errors.conflict("the household is being changed or loaded right now; try again");
    }
    throw error;
  }
  await client.query("set local lock_timeout = 0");
  if ((await refuseUnlessEmpty(client)) === "starter tree") {
    // Nothing can refer to the categories yet (every other holding is empty): children first,
    // as each parent restricts its deletion.
    await client.query("delete from categories where parent_id is not null");
    await client.query("delete from categories");
  }
}

/**
 * 409 unless the household holds nothing yet (see HOLDINGS) but, at most, the starter category
 * tree exactly as registration gave it; answers which.
 */
async function refuseUnlessEmpty(db: pg.Pool | pg.PoolClient): Promise<"empty" | "starter tree"> {
  const { rows } = await db.query<{ holds: string[] }>(
    `select array_remove(array[${HOLDINGS.map(
      ([table, what]) => `case when exists (select 1 from ${table}) then '${what}' end`,
    ).join(", ")}], null) as holds`,
  );
  const holds = rows[0]?.holds ?? [];
  if (holds.length === 0) return "empty";
  if (holds.length === 1 && holds[0] === "categories" && (await onlyStarterCategories(db)))
    return "starter tree";
  throw errors.conflict(
    `the instance is not empty (it has ${holds.join(", ")}); a household export loads ` +
      "only into an instance with nothing but its users (and the untouched starter categories)",
  );
}

/** Whether the household's categories are the starter tree exactly as registration added it. */
async function onlyStarterCategories(db: pg.Pool | pg.PoolClient): Promise<boolean> {
  const { rows } = await db.query<NamedCategory>(
    `select c.name, c.kind, p.name as parent
       from categories c left join categories p on p.id = c.parent_id`,
  );
  return isUntouchedStarterTree(rows);
}

/** An unreadable document as the 422 the bank-file imports answer too. */
function unreadable(message: string): AppError {
  return new AppError(422, "import_unreadable", message, {
    errors: [{ path: "body.file", message }],
  });
}

/**
 * Writes the multipart field `file` to a file in a private temporary folder as it arrives (never
 * whole in memory), hands its path to `use` once the upload is complete, and removes it after.
 * Spooling first keeps the SQL transaction and its locks out of a slow upload, and lets a long
 * load run past the server's request timeout, which counts only until the body has arrived.
 */
async function withSpooledFile<T>(req: Request, use: (path: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), "fintrack-household-"));
  const path = join(folder, "household.json");
  try {
    await receiveFile(req, path);
    return await use(path);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function receiveFile(req: Request, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 20, parts: 21, fileSize: MAX_HOUSEHOLD_BYTES },
      });
    } catch {
      reject(errors.unsupportedMediaType("send the file as multipart/form-data, field `file`"));
      return;
    }
    let written: Promise<void> | undefined;
    parser.on("file", (name, stream) => {
      if (name !== "file" || written !== undefined) {
        stream.resume();
        return;
      }
      let truncated = false;
      stream.on("limit", () => {
        truncated = true;
      });
      written = pipeline(stream, createWriteStream(path, { flags: "wx", mode: 0o600 })).then(() => {
        if (truncated) throw errors.payloadTooLarge(LIMIT_TEXT);
      });
      // Settled through `close` below; this only keeps an early failure from going unhandled.
      written.catch(() => undefined);
    });
    parser.on("close", () => {
      if (written === undefined) {
        reject(errors.validation([{ path: "body.file", message: "is required" }]));
      } else {
        written.then(resolve, reject);
      }
    });
    parser.on("error", (error: unknown) => {
      req.unpipe(parser);
      req.resume();
      const detail = error instanceof Error ? error.message : String(error);
      reject(errors.badRequest(`the multipart body is malformed: ${detail}`));
    });
    req.pipe(parser);
  });
}

/**
 * Waits until the rest of the request body has arrived (and is thrown away). An answer sent while
 * the client is still uploading makes the server reset the connection, and the client then sees
 * a network error instead of the 409 or 422 that explains what to fix.
 */
async function drain(req: Request): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  await new Promise<void>((resolve) => {
    req.once("end", resolve);
    req.once("close", resolve);
    req.resume();
  });
}

/**
 * Loads the uploaded document in one SQL transaction, recorded in the audit log as an import by
 * `actor`. A household that is not empty is refused before the upload is stored, and again
 * under the lock once it is.
 */
async function loadHousehold(
  db: pg.Pool,
  req: Request,
  actor: string,
  base: string,
): Promise<FullImportResult> {
  await refuseUnlessEmpty(db);
  return withSpooledFile(req, (path) =>
    withAuditedTransaction(db, { actor, action: "import" }, async (client) => {
      // A whole household loads in one transaction: longer than the pool's limits allow.
      await allowLongWork(client);
      await lockEmptyHousehold(client);
      const loader = new HouseholdLoader(client, base);
      await loader.start();
      try {
        const file = createReadStream(path, { highWaterMark: 256 * 1024 });
        for await (const event of readSections(file)) await loader.handle(event);
      } catch (error) {
        if (error instanceof JsonSyntaxError) {
          throw unreadable(`not a JSON document: ${error.message}`);
        }
        throw error;
      }
      return loader.finish();
    }),
  );
}

/** `POST /imports/full`: loads a `GET /exports/full.json` document into an empty instance. */
export function fullImportRoute(db: pg.Pool, baseCurrency: string): Route {
  return route({
    method: "post",
    path: "/imports/full",
    operationId: "importHousehold",
    summary:
      "Load a household export into this empty instance, all or nothing (owner only); " +
      "exporting again gives the same document except `exportedAt`",
    description:
      "multipart/form-data with the field `file`: the JSON of `GET /exports/full.json` " +
      `(formatVersion 1, at most ${LIMIT_TEXT}), stored in a temporary file as it uploads and ` +
      "then read element by element, never whole. The " +
      "instance must hold nothing but its users (409 otherwise; the starter categories exactly " +
      "as registration added them count as nothing and are replaced) and have the document's base " +
      "currency. Every element is validated: a 422 names each problem by its path in the " +
      "document (`body.transactions[12].amount`) and nothing is written. Rows get new ids; " +
      "the audit log records the load as `import` by the caller; balances and report " +
      "aggregates follow from the loaded transactions.",
    tag: "imports",
    access: "owner",
    responses: {
      200: { description: "What was loaded, per kind", schema: FullImportResultSchema },
      409: problemResponse("The instance is not empty, or another load is running"),
      413: problemResponse(`The file is over ${LIMIT_TEXT}`),
      415: problemResponse("Not multipart/form-data"),
      422: problemResponse("Problems in the document, each with its path; nothing was written"),
    },
    handler: async ({ req, principal }) => {
      try {
        return await loadHousehold(db, req, principal.userId, baseCurrency);
      } catch (error) {
        await drain(req);
        throw error;
      }
    },
  });
}
