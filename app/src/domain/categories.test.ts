import { describe, expect, it } from "vitest";
import {
  MAX_CATEGORY_NAME_LENGTH,
  categoryPath,
  descendantIds,
  outermost,
  rollUp,
  validateCategoryTree,
  wouldCreateCycle,
  type Category,
} from "./categories.ts";

function aCategory(overrides: Partial<Category> & Pick<Category, "id">): Category {
  return { name: overrides.id, kind: "expense", parentId: null, ...overrides };
}

// Home > Utilities > Electricity, Home > Utilities > Water, Home > Rent; Food; Salary (income).
const household: readonly Category[] = [
  aCategory({ id: "home", name: "Home" }),
  aCategory({ id: "utilities", name: "Utilities", parentId: "home" }),
  aCategory({ id: "electricity", name: "Electricity", parentId: "utilities" }),
  aCategory({ id: "water", name: "Water", parentId: "utilities" }),
  aCategory({ id: "rent", name: "Rent", parentId: "home" }),
  aCategory({ id: "food", name: "Food" }),
  aCategory({ id: "salary", name: "Salary", kind: "income" }),
];

// c0 <- c1 <- ... <- c(n-1): each category the parent of the next.
function chain(length: number): Category[] {
  return Array.from({ length }, (_, index) =>
    aCategory({ id: `c${index}`, parentId: index === 0 ? null : `c${index - 1}` }),
  );
}

describe("validateCategoryTree", () => {
  it("accepts a well-formed tree", () => {
    expect(validateCategoryTree(household)).toEqual([]);
  });

  it("accepts an empty list", () => {
    expect(validateCategoryTree([])).toEqual([]);
  });

  it.each<[string, Category[], { id: string; message: string }[]]>([
    [
      "reports a parent that does not exist",
      [aCategory({ id: "a", parentId: "ghost" })],
      [{ id: "a", message: 'parent "ghost" does not exist' }],
    ],
    [
      "reports a child whose kind differs from its parent's",
      [
        aCategory({ id: "job", name: "Job", kind: "income" }),
        aCategory({ id: "lunch", kind: "expense", parentId: "job" }),
      ],
      [{ id: "lunch", message: 'is expense but its parent "Job" is income' }],
    ],
    [
      "reports sibling names that differ only in case",
      [aCategory({ id: "a", name: "Food" }), aCategory({ id: "b", name: "fOOD" })],
      [
        {
          id: "b",
          message:
            'name "fOOD" is already used by sibling "a" ("Food"); sibling names must differ ignoring case',
        },
      ],
    ],
    [
      "reports sibling names that differ only in surrounding spaces",
      [
        aCategory({ id: "p" }),
        aCategory({ id: "a", name: "Gas", parentId: "p" }),
        aCategory({ id: "b", name: " gas ", parentId: "p" }),
      ],
      [
        {
          id: "b",
          message:
            'name " gas " is already used by sibling "a" ("Gas"); sibling names must differ ignoring case',
        },
      ],
    ],
    [
      "reports every repeat of a sibling name against the first",
      [
        aCategory({ id: "a", name: "X" }),
        aCategory({ id: "b", name: "x" }),
        aCategory({ id: "c", name: "X" }),
      ],
      [
        {
          id: "b",
          message:
            'name "x" is already used by sibling "a" ("X"); sibling names must differ ignoring case',
        },
        {
          id: "c",
          message:
            'name "X" is already used by sibling "a" ("X"); sibling names must differ ignoring case',
        },
      ],
    ],
    [
      "reports an empty name",
      [aCategory({ id: "a", name: "" })],
      [{ id: "a", message: "name is empty" }],
    ],
    [
      "reports a name of only spaces as empty",
      [aCategory({ id: "a", name: " \t " })],
      [{ id: "a", message: "name is empty" }],
    ],
    [
      "reports a name over 100 characters",
      [aCategory({ id: "a", name: "x".repeat(101) })],
      [{ id: "a", message: "name is 101 characters long; at most 100 are allowed" }],
    ],
    [
      "reports a category that is its own parent as a cycle",
      [aCategory({ id: "a", parentId: "a" })],
      [{ id: "a", message: 'category "a" is in a parent cycle: "a" has parent "a"' }],
    ],
    [
      "names every id of a cycle once, starting from the first in the input",
      [
        aCategory({ id: "b", parentId: "c" }),
        aCategory({ id: "a", parentId: "b" }),
        aCategory({ id: "c", parentId: "a" }),
      ],
      [
        {
          id: "b",
          message:
            'categories "b", "c", "a" are in a parent cycle: ' +
            '"b" has parent "c", "c" has parent "a", "a" has parent "b"',
        },
      ],
    ],
    [
      "reports a cycle but not the categories hanging below it",
      [
        aCategory({ id: "leaf", parentId: "x" }),
        aCategory({ id: "x", parentId: "y" }),
        aCategory({ id: "y", parentId: "x" }),
      ],
      [
        {
          id: "x",
          message:
            'categories "x", "y" are in a parent cycle: "x" has parent "y", "y" has parent "x"',
        },
      ],
    ],
    [
      "reports an id used twice",
      [aCategory({ id: "a", name: "One" }), aCategory({ id: "a", name: "Two" })],
      [{ id: "a", message: 'id "a" is used by another category' }],
    ],
  ])("%s", (_, categories, problems) => {
    expect(validateCategoryTree(categories)).toEqual(problems);
  });

  it.each<[string, Category[]]>([
    [
      "allows the same name under different parents",
      [
        aCategory({ id: "a" }),
        aCategory({ id: "b" }),
        aCategory({ id: "a-other", name: "Other", parentId: "a" }),
        aCategory({ id: "b-other", name: "Other", parentId: "b" }),
      ],
    ],
    [
      "allows the same top-level name for income and expense",
      [
        aCategory({ id: "in", name: "Other", kind: "income" }),
        aCategory({ id: "out", name: "Other", kind: "expense" }),
      ],
    ],
    [
      "allows a name of exactly 100 characters",
      [aCategory({ id: "a", name: "x".repeat(MAX_CATEGORY_NAME_LENGTH) })],
    ],
    [
      "counts characters, not UTF-16 units, in a name",
      [aCategory({ id: "a", name: "💶".repeat(MAX_CATEGORY_NAME_LENGTH) })],
    ],
  ])("%s", (_, categories) => {
    expect(validateCategoryTree(categories)).toEqual([]);
  });

  it("lists several problems together without throwing", () => {
    const problems = validateCategoryTree([
      aCategory({ id: "a", name: "", parentId: "ghost" }),
      aCategory({ id: "b", parentId: "c" }),
      aCategory({ id: "c", parentId: "b" }),
    ]);
    expect(problems.map(({ id }) => id)).toEqual(["a", "a", "b"]);
  });

  it("validates a 10,000-deep chain", () => {
    expect(validateCategoryTree(chain(10_000))).toEqual([]);
  });

  it("reports a 10,000-long cycle naming every id", () => {
    const categories = chain(10_000).map((category, index) =>
      index === 0 ? { ...category, parentId: "c9999" } : category,
    );
    const problems = validateCategoryTree(categories);
    expect(problems).toHaveLength(1);
    for (const id of ["c0", "c5000", "c9999"]) expect(problems[0]?.message).toContain(`"${id}"`);
  });
});

describe("wouldCreateCycle", () => {
  it.each<[string, string, string | null, boolean]>([
    ["is false for a move to the top level", "utilities", null, false],
    ["is false for a move under another branch", "utilities", "food", false],
    ["is false for a move under the current parent", "electricity", "utilities", false],
    ["is true for a move under itself", "utilities", "utilities", true],
    ["is true for a move under its child", "home", "utilities", true],
    ["is true for a move under a deeper descendant", "home", "electricity", true],
    ["is false for a move of a leaf under its sibling", "electricity", "water", false],
    ["is false for a move under a parent that does not exist", "home", "ghost", false],
  ])("%s", (_, id, newParentId, expected) => {
    expect(wouldCreateCycle(household, id, newParentId)).toBe(expected);
  });

  it("terminates when the tree already has a cycle elsewhere", () => {
    const categories = [
      aCategory({ id: "x", parentId: "y" }),
      aCategory({ id: "y", parentId: "x" }),
      aCategory({ id: "a" }),
    ];
    expect(wouldCreateCycle(categories, "a", "x")).toBe(false);
  });

  it("detects a cycle through a 10,000-deep chain", () => {
    expect(wouldCreateCycle(chain(10_000), "c0", "c9999")).toBe(true);
  });
});

describe("descendantIds", () => {
  it.each<[string, string, string[]]>([
    [
      "lists a category and everything below it, parents first",
      "home",
      ["home", "utilities", "electricity", "water", "rent"],
    ],
    [
      "lists a middle category and its children",
      "utilities",
      ["utilities", "electricity", "water"],
    ],
    ["lists only the category for a leaf", "water", ["water"]],
    ["is empty for an unknown id", "ghost", []],
  ])("%s", (_, id, expected) => {
    expect(descendantIds(household, id)).toEqual(expected);
  });

  it("terminates on a cycle, listing each member once", () => {
    const categories = [
      aCategory({ id: "x", parentId: "y" }),
      aCategory({ id: "y", parentId: "x" }),
    ];
    expect(descendantIds(categories, "x")).toEqual(["x", "y"]);
  });

  it("lists all of a 10,000-deep chain", () => {
    const ids = descendantIds(chain(10_000), "c0");
    expect(ids).toHaveLength(10_000);
    expect(ids.at(-1)).toBe("c9999");
  });
});

describe("outermost", () => {
  it.each<[string, string[], string[]]>([
    ["keeps categories side by side", ["food", "rent", "water"], ["food", "rent", "water"]],
    ["drops a child under a chosen parent", ["home", "rent"], ["home"]],
    ["drops a grandchild under a chosen grandparent", ["electricity", "home"], ["home"]],
    [
      "keeps a child when only an unchosen parent is above it",
      ["utilities", "rent"],
      ["utilities", "rent"],
    ],
    ["keeps an unknown id (nothing is above it)", ["ghost"], ["ghost"]],
  ])("%s", (_, chosen, expected) => {
    expect(outermost(household, new Set(chosen))).toEqual(expected);
  });

  it("terminates on a cycle", () => {
    const cycle = [aCategory({ id: "a", parentId: "b" }), aCategory({ id: "b", parentId: "a" })];
    expect(outermost(cycle, new Set(["a"]))).toEqual(["a"]);
  });
});

describe("rollUp", () => {
  it("adds every descendant's total to each category's own", () => {
    const totals = new Map([
      ["home", -100n],
      ["electricity", -4_500n],
      ["water", -2_000n],
      ["rent", -90_000n],
      ["salary", 250_000n],
    ]);
    expect(rollUp(household, totals)).toEqual(
      new Map([
        ["home", -96_600n],
        ["utilities", -6_500n],
        ["electricity", -4_500n],
        ["water", -2_000n],
        ["rent", -90_000n],
        ["food", 0n],
        ["salary", 250_000n],
      ]),
    );
  });

  it("ignores totals for ids that are not categories", () => {
    const rolled = rollUp(household, new Map([["ghost", 5n]]));
    expect(rolled.has("ghost")).toBe(false);
    expect([...rolled.values()].every((total) => total === 0n)).toBe(true);
  });

  it("is exact beyond Number.MAX_SAFE_INTEGER", () => {
    const big = 2n ** 60n;
    const rolled = rollUp(
      household,
      new Map([
        ["water", big],
        ["electricity", 1n],
      ]),
    );
    expect(rolled.get("home")).toBe(big + 1n);
  });

  it("rolls a 10,000-deep chain up to its root", () => {
    const categories = chain(10_000);
    const totals = new Map(categories.map(({ id }) => [id, 1n]));
    const rolled = rollUp(categories, totals);
    expect(rolled.get("c0")).toBe(10_000n);
    expect(rolled.get("c5000")).toBe(5_000n);
    expect(rolled.get("c9999")).toBe(1n);
  });

  it("treats a category whose parent does not exist as top-level", () => {
    const categories = [
      aCategory({ id: "orphan", parentId: "ghost" }),
      aCategory({ id: "kid", parentId: "orphan" }),
    ];
    const rolled = rollUp(categories, new Map([["kid", 7n]]));
    expect(rolled.get("orphan")).toBe(7n);
  });

  it("terminates on a cycle, still rolling up what hangs below it", () => {
    const categories = [
      aCategory({ id: "x", parentId: "y" }),
      aCategory({ id: "y", parentId: "x" }),
      aCategory({ id: "leaf", parentId: "x" }),
    ];
    const rolled = rollUp(
      categories,
      new Map([
        ["x", 1n],
        ["y", 10n],
        ["leaf", 100n],
      ]),
    );
    expect(rolled).toEqual(
      new Map([
        ["x", 101n],
        ["y", 10n],
        ["leaf", 100n],
      ]),
    );
  });
});

describe("categoryPath", () => {
  it.each<[string, string, string[]]>([
    ["names a leaf from the root down", "electricity", ["Home", "Utilities", "Electricity"]],
    ["names a top-level category alone", "food", ["Food"]],
    ["is empty for an unknown id", "ghost", []],
  ])("%s", (_, id, expected) => {
    expect(categoryPath(household, id)).toEqual(expected);
  });

  it("starts at the category whose parent does not exist", () => {
    const categories = [
      aCategory({ id: "orphan", name: "Orphan", parentId: "ghost" }),
      aCategory({ id: "kid", name: "Kid", parentId: "orphan" }),
    ];
    expect(categoryPath(categories, "kid")).toEqual(["Orphan", "Kid"]);
  });

  it("terminates on a cycle", () => {
    const categories = [
      aCategory({ id: "x", name: "X", parentId: "y" }),
      aCategory({ id: "y", name: "Y", parentId: "x" }),
    ];
    expect(categoryPath(categories, "x")).toEqual(["Y", "X"]);
  });

  it("names every level of a 10,000-deep chain", () => {
    const path = categoryPath(chain(10_000), "c9999");
    expect(path).toHaveLength(10_000);
    expect([path[0], path.at(-1)]).toEqual(["c0", "c9999"]);
  });
});
