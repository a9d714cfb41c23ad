import { readFileSync } from "node:fs";

/**
 * Passwords kept in files rather than in a URL: Docker Compose and Swarm mount secrets as files
 * (/run/secrets/NAME), and a password that only a file holds never shows in the environment
 * (`docker inspect`, /proc/PID/environ). DATABASE_URL then names the user, host and database, and
 * DATABASE_PASSWORD_FILE the file whose contents replace the URL's password.
 */

/** A secret file's text; the trailing newline `echo` writes is not part of the secret. */
export function readSecretText(path: string): string {
  const value = readFileSync(path, "utf8").replace(/\r?\n$/, "");
  if (value === "") throw new Error(`${path} is empty`);
  return value;
}

/** The URL with its password replaced, percent-encoded so any character survives the URL. */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * DATABASE_URL, carrying DATABASE_PASSWORD_FILE's password when that is set: what the migrate
 * and backup programs connect with. Undefined when DATABASE_URL is unset.
 */
export function databaseUrlFromEnv(
  env: { DATABASE_URL?: string | undefined; DATABASE_PASSWORD_FILE?: string | undefined },
  read: (path: string) => string = readSecretText,
): string | undefined {
  const url = env.DATABASE_URL;
  const file = env.DATABASE_PASSWORD_FILE;
  if (!url || !file) return url;
  try {
    return withPassword(url, read(file));
  } catch (error) {
    // Never the URL in the message: it may hold a password of its own.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`DATABASE_PASSWORD_FILE: cannot use ${file} (${reason})`, { cause: error });
  }
}
