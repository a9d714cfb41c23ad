import { describe, expect, it } from "vitest";
import { validateCategoryTree, type Category } from "./categories.ts";
import {
  isUntouchedStarterTree,
  type NamedCategory,
  STARTER_LOCALES,
  starterCategories,
  starterLocaleFor,
} from "./default-categories.ts";

describe("starterLocaleFor", () => {
  it.each<[string | undefined, string]>([
    [undefined, "en"],
    ["", "en"],
    ["de", "de"],
    ["de-AT", "de"],
    ["NL-be", "nl"],
    ["ja-JP,fr;q=0.7,en;q=0.5", "fr"],
    ["en;q=0.5, es;q=0.9", "es"],
    ["it-IT, pt", "en"],
    ["fr;q=0, de;q=0.3", "de"],
  ])("picks %j as %s", (tags, expected) => {
    expect(starterLocaleFor(tags)).toBe(expected);
  });
});

describe("starterCategories", () => {
  it("writes the same tree in every language, each a valid tree with unique sibling names", () => {
    const shapes = STARTER_LOCALES.map((locale) => {
      const tree = starterCategories(locale);
      const flat: Category[] = tree.flatMap((top, i) => [
        { id: `t${String(i)}`, name: top.name, kind: top.kind, parentId: null },
        ...top.children.map((child, j) => ({
          id: `t${String(i)}c${String(j)}`,
          name: child.name,
          kind: child.kind,
          parentId: `t${String(i)}`,
        })),
      ]);
      expect(validateCategoryTree(flat)).toEqual([]);
      return tree.map((top) => `${top.kind}:${String(top.children.length)}`);
    });
    for (const shape of shapes) expect(shape).toEqual(shapes[0]);
  });

  it("names the German tree in German", () => {
    const de = starterCategories("de");
    expect(de.map((c) => c.name)).toContain("Lebensmittel");
    expect(de.find((c) => c.name === "Einnahmen")?.kind).toBe("income");
    expect(de.find((c) => c.name === "Lebensmittel")?.children.map((c) => c.name)).toEqual([
      "Einkäufe",
      "Restaurants",
    ]);
  });
});

describe("isUntouchedStarterTree", () => {
  const asStored = (locale: (typeof STARTER_LOCALES)[number]): NamedCategory[] =>
    starterCategories(locale).flatMap((top) => [
      { name: top.name, kind: top.kind, parent: null },
      ...top.children.map((c) => ({ name: c.name, kind: c.kind, parent: top.name })),
    ]);

  it("recognises every language's tree, in any order", () => {
    for (const locale of STARTER_LOCALES) {
      expect(isUntouchedStarterTree(asStored(locale))).toBe(true);
      expect(isUntouchedStarterTree(asStored(locale).reverse())).toBe(true);
    }
  });

  it("refuses a tree someone changed: renamed, moved, added to, removed from, or mixed", () => {
    const en = asStored("en");
    const renamed = en.map((c) => (c.name === "Fuel" ? { ...c, name: "Petrol" } : c));
    const moved = en.map((c) => (c.name === "Fuel" ? { ...c, parent: "Housing" } : c));
    const added = [...en, { name: "Pets", kind: "expense" as const, parent: null }];
    const removed = en.filter((c) => c.name !== "Fuel");
    const mixed = [...en.slice(1), ...asStored("de").slice(0, 1)];
    for (const changed of [renamed, moved, added, removed, mixed])
      expect(isUntouchedStarterTree(changed)).toBe(false);
    expect(isUntouchedStarterTree([])).toBe(false);
  });
});
