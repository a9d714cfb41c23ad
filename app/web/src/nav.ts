// The app's sections, in navigation order; each has its screen in main.tsx's routes.

/** One navigation entry: where it goes, its label and a one-character icon glyph. */
export interface NavItem {
  href: string;
  label: string;
  icon: string;
  /** Shown in the phone's bottom bar (the rest sit in its "More" menu). */
  primary: boolean;
}

export const navItems: readonly NavItem[] = [
  { href: "/", label: "Dashboard", icon: "◧", primary: true },
  { href: "/accounts", label: "Accounts", icon: "▤", primary: true },
  { href: "/transactions", label: "Transactions", icon: "≡", primary: true },
  { href: "/budgets", label: "Budgets", icon: "◔", primary: true },
  { href: "/reports", label: "Reports", icon: "▦", primary: true },
  { href: "/bills", label: "Bills", icon: "↻", primary: false },
  { href: "/import", label: "Import", icon: "⇪", primary: false },
  { href: "/categories", label: "Categories", icon: "❖", primary: false },
  { href: "/rules", label: "Rules", icon: "⚑", primary: false },
  { href: "/settings", label: "Settings", icon: "⚙", primary: false },
];

/** Whether `item` is the section `path` belongs to. */
export function isCurrent(item: NavItem, path: string): boolean {
  return item.href === "/" ? path === "/" : path === item.href || path.startsWith(`${item.href}/`);
}
