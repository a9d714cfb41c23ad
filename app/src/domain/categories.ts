/** Whether a category classifies money coming in or going out. */
export type CategoryKind = "income" | "expense";

/** A node in the category tree; `parentId` is null for a top-level category. */
export interface Category {
  readonly id: string;
  readonly name: string;
  readonly kind: CategoryKind;
  readonly parentId: string | null;
}

/** One thing wrong with a category tree, reported against the category it concerns. */
export interface CategoryProblem {
  readonly id: string;
  readonly message: string;
}

/** The longest category name, in characters (Unicode code points, as PostgreSQL counts them). */
export const MAX_CATEGORY_NAME_LENGTH = 100;

// Every function here walks parent links with loops, never recursion, so depth is unlimited; and
// every walk tracks what it has seen, so a tree with a cycle (which validateCategoryTree reports)
// cannot make it loop forever. When an id is used twice, its first category is the one that counts.

function indexById(categories: readonly Category[]): Map<string, Category> {
  const byId = new Map<string, Category>();
  for (const category of categories) {
    if (!byId.has(category.id)) byId.set(category.id, category);
  }
  return byId;
}

function childrenByParent(byId: ReadonlyMap<string, Category>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const category of byId.values()) {
    if (category.parentId === null || !byId.has(category.parentId)) continue;
    const siblings = children.get(category.parentId);
    if (siblings === undefined) children.set(category.parentId, [category.id]);
    else siblings.push(category.id);
  }
  return children;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/**
 * Lists every problem in the tree, in input order per check; never throws. Checks: duplicate ids,
 * empty or over-long names, missing parents, a kind differing from the parent's, sibling names
 * equal ignoring case (top-level categories are siblings only within their kind), and cycles.
 */
export function validateCategoryTree(categories: readonly Category[]): CategoryProblem[] {
  const byId = indexById(categories);
  return [
    ...duplicateIdProblems(categories),
    ...categories.flatMap((category) => [
      ...nameProblems(category),
      ...parentProblems(category, byId),
    ]),
    ...siblingNameProblems(byId),
    ...cycleProblems(categories, byId),
  ];
}

function duplicateIdProblems(categories: readonly Category[]): CategoryProblem[] {
  const seen = new Set<string>();
  const problems: CategoryProblem[] = [];
  for (const { id } of categories) {
    if (seen.has(id)) problems.push({ id, message: `id ${quote(id)} is used by another category` });
    seen.add(id);
  }
  return problems;
}

function nameProblems({ id, name }: Category): CategoryProblem[] {
  if (name.trim() === "") return [{ id, message: "name is empty" }];
  const length = [...name].length;
  if (length > MAX_CATEGORY_NAME_LENGTH) {
    const limit = `at most ${MAX_CATEGORY_NAME_LENGTH} are allowed`;
    return [{ id, message: `name is ${length} characters long; ${limit}` }];
  }
  return [];
}

function parentProblems(
  { id, kind, parentId }: Category,
  byId: ReadonlyMap<string, Category>,
): CategoryProblem[] {
  if (parentId === null) return [];
  const parent = byId.get(parentId);
  if (parent === undefined) {
    return [{ id, message: `parent ${quote(parentId)} does not exist` }];
  }
  if (parent.kind !== kind) {
    const message = `is ${kind} but its parent ${quote(parent.name)} is ${parent.kind}`;
    return [{ id, message }];
  }
  return [];
}

// Names that differ only in case or surrounding spaces look the same in a category picker.
function nameKey(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

function siblingNameProblems(byId: ReadonlyMap<string, Category>): CategoryProblem[] {
  const firstByKey = new Map<string, Category>();
  const problems: CategoryProblem[] = [];
  for (const category of byId.values()) {
    if (category.name.trim() === "") continue;
    // JSON keeps the parts apart whatever characters the ids and names contain.
    const group =
      category.parentId === null ? ["root", category.kind] : ["child", category.parentId];
    const key = JSON.stringify([...group, nameKey(category.name)]);
    const first = firstByKey.get(key);
    if (first === undefined) {
      firstByKey.set(key, category);
      continue;
    }
    const message =
      `name ${quote(category.name)} is already used by sibling ${quote(first.id)} ` +
      `(${quote(first.name)}); sibling names must differ ignoring case`;
    problems.push({ id: category.id, message });
  }
  return problems;
}

function cycleProblems(
  categories: readonly Category[],
  byId: ReadonlyMap<string, Category>,
): CategoryProblem[] {
  const position = new Map(categories.map(({ id }, index) => [id, index] as const).reverse());
  const state = new Map<string, "onPath" | "done">();
  const problems: CategoryProblem[] = [];
  for (const start of byId.keys()) {
    const path: string[] = [];
    let current: string | null = start;
    while (current !== null && !state.has(current)) {
      const category = byId.get(current);
      if (category === undefined) break;
      state.set(current, "onPath");
      path.push(current);
      current = category.parentId;
    }
    // Only this walk marks ids "onPath", so meeting one again means the walk went round a cycle.
    if (current !== null && state.get(current) === "onPath") {
      const cycle = path.slice(path.indexOf(current));
      problems.push(cycleProblem(cycle, position));
    }
    for (const id of path) state.set(id, "done");
  }
  return problems;
}

// Reports a cycle once, against its member that comes first in the input.
function cycleProblem(
  cycle: readonly string[],
  position: ReadonlyMap<string, number>,
): CategoryProblem {
  const at = (id: string): number => position.get(id) ?? Number.MAX_SAFE_INTEGER;
  let first = 0;
  cycle.forEach((id, index) => {
    if (at(id) < at(cycle[first] ?? id)) first = index;
  });
  const ordered = [...cycle.slice(first), ...cycle.slice(0, first)];
  const links = ordered.map((id, index) => {
    const parent = ordered[(index + 1) % ordered.length] ?? id;
    return `${quote(id)} has parent ${quote(parent)}`;
  });
  const members = ordered.map(quote).join(", ");
  const what = ordered.length === 1 ? `category ${members} is` : `categories ${members} are`;
  return { id: ordered[0] ?? "", message: `${what} in a parent cycle: ${links.join(", ")}` };
}

/**
 * Whether moving category `id` under `newParentId` would put it inside its own subtree (or under
 * itself). Moving to the top level (null) never does.
 */
export function wouldCreateCycle(
  categories: readonly Category[],
  id: string,
  newParentId: string | null,
): boolean {
  const byId = indexById(categories);
  const seen = new Set<string>();
  let current = newParentId;
  while (current !== null && !seen.has(current)) {
    if (current === id) return true;
    seen.add(current);
    current = byId.get(current)?.parentId ?? null;
  }
  return false;
}

/**
 * The id of the category and of every category below it, parents before children, for filtering
 * transactions with roll-up; empty when `id` is not a category.
 */
export function descendantIds(categories: readonly Category[], id: string): string[] {
  const byId = indexById(categories);
  if (!byId.has(id)) return [];
  const children = childrenByParent(byId);
  const result: string[] = [];
  const seen = new Set<string>();
  const stack = [id];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    result.push(next);
    // Reversed so the stack pops children in input order.
    stack.push(...(children.get(next) ?? []).toReversed());
  }
  return result;
}

/**
 * The categories of `chosen` that no other chosen category sits above. Their subtrees are
 * disjoint, so totals summed over them count each transaction once, however the chosen ones
 * nest (a budgeted "Groceries" under a budgeted "Food" is a limit within Food's budget).
 */
export function outermost(categories: readonly Category[], chosen: ReadonlySet<string>): string[] {
  const byId = indexById(categories);
  return [...chosen].filter((id) => {
    const seen = new Set([id]);
    for (
      let up = byId.get(id)?.parentId ?? null;
      up !== null;
      up = byId.get(up)?.parentId ?? null
    ) {
      if (seen.has(up)) return true; // a cycle: nothing above it counts
      if (chosen.has(up)) return false;
      seen.add(up);
    }
    return true;
  });
}

/**
 * Each category's own total plus the totals of every category below it, in minor units; every
 * category gets an entry (0n when nothing is below or in it). Totals for ids that are not
 * categories are left out. Members of a cycle are not rolled into one another.
 */
export function rollUp(
  categories: readonly Category[],
  totals: ReadonlyMap<string, bigint>,
): Map<string, bigint> {
  const byId = indexById(categories);
  const children = childrenByParent(byId);
  const rolled = new Map<string, bigint>();
  const waitingOn = new Map<string, number>();
  const ready: string[] = [];
  for (const id of byId.keys()) {
    rolled.set(id, totals.get(id) ?? 0n);
    const count = children.get(id)?.length ?? 0;
    waitingOn.set(id, count);
    if (count === 0) ready.push(id);
  }
  // Leaves first: a category passes its total up once all of its children have passed theirs.
  for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
    const parentId = byId.get(id)?.parentId ?? null;
    if (parentId === null || !byId.has(parentId)) continue;
    rolled.set(parentId, (rolled.get(parentId) ?? 0n) + (rolled.get(id) ?? 0n));
    const left = (waitingOn.get(parentId) ?? 0) - 1;
    waitingOn.set(parentId, left);
    if (left === 0) ready.push(parentId);
  }
  return rolled;
}

/**
 * The names from the top-level category down to `id`, e.g. ["Home", "Utilities", "Electricity"];
 * empty when `id` is not a category. A missing parent ends the path; so does a cycle.
 */
export function categoryPath(categories: readonly Category[], id: string): string[] {
  const byId = indexById(categories);
  const names: string[] = [];
  const seen = new Set<string>();
  for (let current = byId.get(id); current !== undefined && !seen.has(current.id);) {
    seen.add(current.id);
    names.push(current.name);
    current = current.parentId === null ? undefined : byId.get(current.parentId);
  }
  return names.reverse();
}
