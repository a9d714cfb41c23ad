import type pg from "pg";
import { z } from "zod";
import { errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import { type Mapping, MappingSchema } from "../../imports/csv-mapping.ts";
import { IdParamsSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";

const tag = "imports";

/** A named mapping profile as the API shows it. */
export const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  mapping: MappingSchema,
  updatedAt: z.string(),
});

/** The body that saves a profile. */
export const SaveProfileSchema = z.object({
  name: z.string().trim().min(1).max(100),
  mapping: MappingSchema,
});

interface ProfileRow {
  id: string;
  name: string;
  mapping: Mapping;
  updated_at: Date;
}

const COLUMNS = "id::text, name, mapping, updated_at";

function present(row: ProfileRow): z.infer<typeof ProfileSchema> {
  return {
    id: row.id,
    name: row.name,
    mapping: row.mapping,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The mapping of the named profile `id`, for a commit that reuses it; 404 when there is none. */
export async function profileMapping(db: pg.Pool, id: string): Promise<Mapping> {
  const { rows } = await db.query<{ mapping: Mapping }>(
    "select mapping from import_profiles where id = $1 and name is not null",
    [pathId(id, "the mapping profile")],
  );
  const row = rows[0];
  if (row === undefined) throw errors.notFound("the mapping profile");
  return row.mapping;
}

/** Named CSV mapping profiles: list, save (by name, replacing), delete; commits reuse them. */
export function profileRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/import-profiles",
      operationId: "listImportProfiles",
      summary: "List the named CSV mapping profiles, by name",
      tag,
      access: "read",
      responses: {
        200: { description: "The profiles", schema: z.object({ data: z.array(ProfileSchema) }) },
      },
      handler: async () => {
        const { rows } = await db.query<ProfileRow>(
          `select ${COLUMNS} from import_profiles where name is not null order by lower(name), import_profiles.id`,
        );
        return { data: rows.map(present) };
      },
    }),
    route({
      method: "post",
      path: "/import-profiles",
      operationId: "saveImportProfile",
      summary: "Save a named CSV mapping profile (a profile of the same name is replaced)",
      tag,
      access: "write",
      body: SaveProfileSchema,
      responses: { 200: { description: "The saved profile", schema: ProfileSchema } },
      handler: async ({ body }) => {
        // Names are unique case-insensitively (import_profiles_name_key on lower(name)).
        const { rows } = await db.query<ProfileRow>(
          `insert into import_profiles (name, mapping) values ($1, $2)
           on conflict (lower(name)) where name is not null
           do update set name = excluded.name, mapping = excluded.mapping, updated_at = now()
           returning ${COLUMNS}`,
          [body.name, JSON.stringify(body.mapping)],
        );
        const row = rows[0];
        if (row === undefined) throw new Error("the profile upsert returned no row");
        return present(row);
      },
    }),
    route({
      method: "delete",
      path: "/import-profiles/:id",
      operationId: "deleteImportProfile",
      summary: "Delete a named CSV mapping profile",
      tag,
      access: "write",
      params: IdParamsSchema,
      status: 204,
      responses: { 204: { description: "Deleted" }, 404: problemResponse("No such profile") },
      handler: async ({ params }) => {
        const { rowCount } = await db.query(
          "delete from import_profiles where id = $1 and name is not null",
          [pathId(params.id, "the mapping profile")],
        );
        if (rowCount === 0) throw errors.notFound("the mapping profile");
        return undefined;
      },
    }),
  ];
}
