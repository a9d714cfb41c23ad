import { describe, expect, it } from "vitest";
import type { Account, Category } from "../../lib/api.ts";
import { filterAsSearch, searchValue } from "./saved-search.ts";

const accounts = [{ id: "1", name: "Joint savings" }] as unknown as Account[];
const categories = [{ id: "7", name: "Groceries" }] as unknown as Category[];

describe("searchValue", () => {
  it("leaves a plain word bare and quotes spaces, quotes, colons and parentheses", () => {
    expect(searchValue("cash")).toBe("cash");
    expect(searchValue("Joint savings")).toBe('"Joint savings"');
    expect(searchValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(searchValue("a:b")).toBe('"a:b"');
    expect(searchValue("(x)")).toBe('"(x)"');
  });
});

describe("filterAsSearch", () => {
  it("writes a saved search's q alone as it was typed", () => {
    expect(filterAsSearch({ q: "payee:amazon OR tag:trip" }, accounts, categories)).toBe(
      "payee:amazon OR tag:trip",
    );
  });

  it("names the account and category, makes the dates inclusive, and groups OR", () => {
    expect(
      filterAsSearch(
        {
          accountId: "1",
          categoryId: "7",
          tag: "trip",
          from: "2026-01-01",
          to: "2026-02-28",
          status: "cleared",
          q: "a OR b",
        },
        accounts,
        categories,
      ),
    ).toBe(
      'account:"Joint savings" category:Groceries tag:trip after:2026-01-01 before:2026-03-01 status:cleared (a OR b)',
    );
  });

  it("names a deleted account by its id, so it matches nothing, and leaves out the one shown", () => {
    expect(filterAsSearch({ accountId: "9" }, accounts, categories)).toBe("account:#9");
    expect(filterAsSearch({ accountId: "1", q: "rent" }, accounts, categories, "1")).toBe("rent");
  });
});
