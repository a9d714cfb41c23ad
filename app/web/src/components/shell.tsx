import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { isCurrent, navItems } from "../nav.ts";
import { useOnline } from "../lib/connection.ts";
import { requestEntry } from "../lib/quick-add.ts";
import { navigate, onLinkClick } from "../lib/router.ts";
import { useCanWrite, useSession } from "../lib/session.ts";
import { type ThemeChoice, useTheme } from "../lib/theme.ts";

const themeLabels: Record<ThemeChoice, string> = {
  system: "System theme",
  light: "Light theme",
  dark: "Dark theme",
};
const nextTheme: Record<ThemeChoice, ThemeChoice> = {
  system: "light",
  light: "dark",
  dark: "system",
};

/** Cycles system -> light -> dark; its label says what is in force. */
function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  return (
    <button
      type="button"
      class="ghost theme-toggle"
      onClick={() => {
        setTheme(nextTheme[theme]);
      }}
      aria-label={`${themeLabels[theme]} (change)`}
      title={`${themeLabels[theme]}: click to change`}
    >
      <span aria-hidden="true">{theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}</span>
    </button>
  );
}

// The screens whose register has the entry row: every account's, and one account's.
const withEntryRow = /^\/(transactions|accounts\/[^/]+)$/;

/**
 * The phone's "+" (hidden on wider screens): to the entry row, on this screen when it has one,
 * else on the register of every account.
 */
function QuickAdd(props: { path: string }) {
  if (!useCanWrite()) return null;
  return (
    <button
      type="button"
      class="primary quick-add"
      aria-label="Add a transaction"
      onClick={() => {
        if (!withEntryRow.test(props.path)) navigate("/transactions");
        requestEntry();
      }}
    >
      <span aria-hidden="true">+</span>
    </button>
  );
}

/**
 * The signed-in frame: a sidebar on wide screens, a top bar and a bottom tab bar on phones.
 * The main region takes focus after each navigation so keyboard and screen-reader users land
 * on the new page.
 */
export function Shell(props: { path: string; children: ComponentChildren }) {
  const { me, signOut } = useSession();
  const online = useOnline();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  const [menuOpen, setMenuOpen] = useState(false);
  const [moreOpen, setMoreOpen] = useState(false);
  useEffect(() => {
    setMenuOpen(false);
    setMoreOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [props.path]);

  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a href="/" class="brand">
          <span class="brand-mark" aria-hidden="true">
            ƒ
          </span>
          fintrack
        </a>
        {me.role === "viewer" && (
          // Viewers see no write controls; this says why, once, without getting in the way.
          <p class="read-only-note" data-testid="read-only-note">
            <strong>Read-only</strong>
            <span class="read-only-more">: you can view but not change this household</span>
          </p>
        )}
        <div class="topbar-actions">
          <ThemeToggle />
          <div class="user-menu">
            <button
              type="button"
              class="ghost"
              aria-expanded={menuOpen}
              aria-controls="user-menu"
              onClick={() => {
                setMenuOpen(!menuOpen);
              }}
            >
              <span class="avatar" aria-hidden="true">
                {(me.name ?? me.email).slice(0, 1).toUpperCase()}
              </span>
              <span class="user-name">{me.name ?? me.email}</span>
            </button>
            {menuOpen && (
              <div id="user-menu" class="menu">
                <p class="menu-meta">
                  {me.email}
                  <br />
                  <span class="badge">{me.role}</span>
                </p>
                <a href="/settings">Settings</a>
                <button type="button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </div>
            )}
          </div>
        </div>
      </header>
      <nav class="sidebar" aria-label="Main">
        <ul>
          {navItems.map((item) => (
            <li key={item.href} class={item.primary ? "" : "nav-secondary"}>
              <a href={item.href} aria-current={isCurrent(item, props.path) ? "page" : undefined}>
                <span class="nav-icon" aria-hidden="true">
                  {item.icon}
                </span>
                <span class="nav-label">{item.label}</span>
              </a>
            </li>
          ))}
          <li class="nav-more">
            <button
              type="button"
              class="ghost"
              aria-expanded={moreOpen}
              aria-controls="more-menu"
              onClick={() => {
                setMoreOpen(!moreOpen);
              }}
            >
              <span class="nav-icon" aria-hidden="true">
                ⋯
              </span>
              <span class="nav-label">More</span>
            </button>
          </li>
        </ul>
        {moreOpen && (
          // The phone's bottom bar has room for the primary sections; the rest open from here.
          <ul id="more-menu" class="more-sheet">
            {navItems
              .filter((item) => !item.primary)
              .map((item) => (
                <li key={item.href}>
                  <a
                    href={item.href}
                    aria-current={isCurrent(item, props.path) ? "page" : undefined}
                  >
                    <span class="nav-icon" aria-hidden="true">
                      {item.icon}
                    </span>
                    {item.label}
                  </a>
                </li>
              ))}
          </ul>
        )}
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {!online && (
          <p class="notice offline-banner" role="status">
            You are offline. What you see may be out of date and changes cannot be saved; fintrack
            reconnects and reloads by itself once the connection is back.
          </p>
        )}
        {props.children}
      </main>
      <QuickAdd path={props.path} />
    </div>
  );
}
