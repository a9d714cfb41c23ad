// Accounts and categories are needed on most screens: loaded once, shared, and reloaded after
// a change anywhere.
import { useEffect, useState } from "preact/hooks";
import { api, type Account, type Category } from "./api.ts";

interface Store<T> {
  value: T | undefined;
  error: unknown;
  pending: Promise<void> | undefined;
  listeners: Set<() => void>;
}

function store<T>(): Store<T> {
  return { value: undefined, error: undefined, pending: undefined, listeners: new Set() };
}

const accounts = store<Account[]>();
const categories = store<Category[]>();

function load<T>(s: Store<T>, fetcher: () => Promise<T>): Promise<void> {
  s.pending ??= fetcher()
    .then(
      (value) => {
        s.value = value;
        s.error = undefined;
      },
      (error: unknown) => {
        s.error = error;
      },
    )
    .finally(() => {
      s.pending = undefined;
      for (const listener of s.listeners) listener();
    });
  return s.pending;
}

function useStore<T>(s: Store<T>, fetcher: () => Promise<T>) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => {
      setTick((t) => t + 1);
    };
    s.listeners.add(update);
    if (s.value === undefined) void load(s, fetcher);
    return () => {
      s.listeners.delete(update);
    };
  }, [s, fetcher]);
  return { data: s.value, error: s.error, reload: () => load(s, fetcher) };
}

const fetchAccounts = () => api.get<{ data: Account[] }>("/accounts").then((r) => r.data);
const fetchCategories = () => api.get<{ data: Category[] }>("/categories").then((r) => r.data);

/** Every account with its balance. */
export function useAccounts() {
  return useStore(accounts, fetchAccounts);
}

/** Every category (the tree as a flat list). */
export function useCategories() {
  return useStore(categories, fetchCategories);
}

/** Reloads accounts (balances change with every transaction). */
export function refreshAccounts(): Promise<void> {
  return load(accounts, fetchAccounts);
}

/** Reloads categories. */
export function refreshCategories(): Promise<void> {
  return load(categories, fetchCategories);
}

/** Drops everything cached: another user signed in. */
export function clearData(): void {
  accounts.value = undefined;
  categories.value = undefined;
}

/** A category's full name, "Food › Groceries". */
export function categoryPath(list: readonly Category[], id: string | null): string {
  const byId = new Map(list.map((c) => [c.id, c]));
  const names: string[] = [];
  let current = id === null ? undefined : byId.get(id);
  for (let depth = 0; current && depth < 50; depth++) {
    names.unshift(current.name);
    current = current.parentId === null ? undefined : byId.get(current.parentId);
  }
  return names.join(" › ");
}

/** Categories in tree order with their depth, for selects and the tree editor. */
export function categoryTree(list: readonly Category[]): { category: Category; depth: number }[] {
  const children = new Map<string | null, Category[]>();
  for (const c of list) {
    const siblings = children.get(c.parentId) ?? [];
    siblings.push(c);
    children.set(c.parentId, siblings);
  }
  for (const siblings of children.values()) siblings.sort((a, b) => a.name.localeCompare(b.name));
  const out: { category: Category; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      out.push({ category: c, depth });
      walk(c.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Options for a category select: "(none)" first, then the tree indented. */
export function categoryOptions(list: readonly Category[]): [string, string][] {
  return [
    ["", "Uncategorised"],
    ...categoryTree(list).map(({ category, depth }): [string, string] => [
      category.id,
      `${"\u00a0\u00a0".repeat(depth)}${category.name}`,
    ]),
  ];
}

/** Human names of the account types. */
export const accountTypeLabels: Record<Account["type"], string> = {
  checking: "Checking",
  savings: "Savings",
  credit_card: "Credit card",
  cash: "Cash",
  loan: "Loan",
  asset: "Asset",
};
