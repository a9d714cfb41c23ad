import { describe, expect, it } from "vitest";
import { z } from "zod";
import { responseDrift } from "./response-drift.ts";

const Account = z.object({ id: z.string(), name: z.string(), note: z.string().optional() });

describe("responseDrift", () => {
  it("finds nothing when the answer matches its schema", async () => {
    expect(await responseDrift(Account, { id: "a", name: "Cash" })).toEqual([]);
  });

  it("names each field zod refuses", async () => {
    expect(await responseDrift(Account, { id: 1, name: "Cash" })).toEqual([
      "id: Invalid input: expected string, received number",
    ]);
  });

  it("names a field the schema does not declare, nested in arrays", async () => {
    const list = z.object({ items: z.array(Account) });
    expect(await responseDrift(list, { items: [{ id: "a", name: "Cash", secret: 1 }] })).toEqual([
      "items.0.secret: not in the schema",
    ]);
  });

  it("names a field a default filled in because the answer lacks it", async () => {
    const withDefault = z.object({ id: z.string(), archived: z.boolean().default(false) });
    expect(await responseDrift(withDefault, { id: "a" })).toEqual([
      "archived: missing from the answer",
    ]);
  });

  it("refuses a body where none is documented, and an empty answer where one is", async () => {
    expect(await responseDrift(undefined, { id: "a" })).toHaveLength(1);
    expect(await responseDrift(Account, undefined)).toHaveLength(1);
    expect(await responseDrift(undefined, undefined)).toEqual([]);
  });

  it("accepts the keys of records and loose objects", async () => {
    expect(await responseDrift(z.record(z.string(), z.number()), { a: 1, b: 2 })).toEqual([]);
    expect(await responseDrift(z.looseObject({ id: z.string() }), { id: "a", x: 1 })).toEqual([]);
  });
});
