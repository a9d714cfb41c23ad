// A session's User-Agent header as a person names it: "Firefox on Windows", "Safari on iPhone".
// Only the families people recognise are told apart; anything else says so plainly instead of
// guessing, and the raw header stays available beside it.

/** The browser (or client) and the system a User-Agent header names. */
export interface DeviceName {
  browser: string | undefined;
  os: string | undefined;
  /** Browser and system in one phrase, for a list row. */
  label: string;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", and every iOS
// browser is WebKit calling itself "Safari" after its own token (CriOS, FxiOS, EdgiOS).
const browsers: readonly (readonly [RegExp, string])[] = [
  [/\bfintrack[-/ ]?(cli|client|api)?/i, "fintrack API client"],
  [/\b(Edg|EdgA|EdgiOS)\//, "Edge"],
  [/\b(OPR|OPiOS)\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(Firefox|FxiOS)\//, "Firefox"],
  [/\b(CriOS|HeadlessChrome|Chromium)\//, "Chrome"],
  [/\bChrome\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
  [/\bcurl\//, "curl"],
  [/\b(python-requests|aiohttp|httpx)\//i, "Python script"],
  [/\b(node-fetch|undici|axios)\b/i, "Node.js script"],
];

const systems: readonly (readonly [RegExp, string])[] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

function first(table: readonly (readonly [RegExp, string])[], ua: string): string | undefined {
  return table.find(([pattern]) => pattern.test(ua))?.[1];
}

/** Names the browser and system of a User-Agent header; never throws, whatever it is given. */
export function describeUserAgent(ua: string | null | undefined): DeviceName {
  const text = (ua ?? "").trim();
  const browser = text ? first(browsers, text) : undefined;
  // A script's header names no system worth showing; a browser's does.
  const os = text && browser !== "fintrack API client" ? first(systems, text) : undefined;
  if (browser && os) return { browser, os, label: `${browser} on ${os}` };
  if (browser) return { browser, os, label: browser };
  if (os) return { browser, os, label: `Unknown browser on ${os}` };
  return { browser, os, label: text ? "Unknown browser" : "Unknown device" };
}
