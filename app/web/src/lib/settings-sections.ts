// The groups of the settings page, in page order, and which one a URL points at:
// /settings/security and /settings?section=security both land on the security group.

/** One group of settings: its URL segment (also its anchor) and heading. */
export interface SettingsSection {
  id: string;
  title: string;
}

export const settingsSections = [
  { id: "profile", title: "Profile" },
  { id: "security", title: "Security" },
  { id: "household", title: "Household" },
  { id: "tokens", title: "Tokens" },
  { id: "data", title: "Data" },
  { id: "exchange-rates", title: "Exchange rates" },
] as const satisfies readonly SettingsSection[];

export type SettingsSectionId = (typeof settingsSections)[number]["id"];

function isSection(value: string | null | undefined): value is SettingsSectionId {
  return settingsSections.some((s) => s.id === value);
}

/** The group a settings URL names, or undefined for the page itself or an unknown name. */
export function sectionOf(path: string, search = ""): SettingsSectionId | undefined {
  const segment = /^\/settings\/([^/]+)\/?$/.exec(path)?.[1];
  if (segment !== undefined) return isSection(segment) ? segment : undefined;
  const param = new URLSearchParams(search).get("section");
  return isSection(param) ? param : undefined;
}

/** Whether `path` is the settings page or one of its groups. */
export function isSettingsPath(path: string): boolean {
  return path === "/settings" || /^\/settings\/[^/]+\/?$/.test(path);
}
