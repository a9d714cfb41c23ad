import { hash, type Options, parseOptions, verify } from "@node-rs/argon2";
import { commonPasswords } from "./common-passwords.ts";
import { randomId } from "./secrets.ts";

/**
 * argon2id with the OWASP Password Storage parameters (19 MiB, 2 passes, 1 lane): about 30 ms
 * a hash on one core, slow for an attacker's GPU, cheap enough for a login. argon2id is the
 * library's default algorithm; its `Algorithm` const enum is not importable under
 * verbatimModuleSyntax, so the tests check the `$argon2id$` prefix instead.
 */
export const hashOptions = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

/** Length limits in Unicode code points (ASVS 5.0 V6.2: at least 8, better 15; we ask 12). */
export const passwordLength = { min: 12, max: 128 } as const;

/**
 * Why `password` is refused for the account with `email`, or undefined when it is acceptable.
 * No composition rules (NIST 800-63B): only length, a list of common passwords and the account's
 * own email, which attackers try first.
 */
export function passwordProblem(password: string, context: { email: string }): string | undefined {
  const length = [...password].length;
  if (length < passwordLength.min) return `must be at least ${passwordLength.min} characters long`;
  if (length > passwordLength.max) return `must be at most ${passwordLength.max} characters long`;
  const lower = password.normalize("NFKC").toLowerCase();
  if (commonPasswords.has(lower)) return "is one of the most common passwords; choose another";
  const email = context.email.trim().toLowerCase();
  const local = email.split("@")[0] ?? "";
  // A local part of one or two letters would refuse half of all passwords.
  if (lower === email || (local.length >= 3 && lower.includes(local)))
    return "must not contain your email address";
  return undefined;
}

/**
 * NFKC first (NIST 800-63B 5.1.1.2), so the same password typed on two keyboards that compose
 * accents differently still matches.
 */
function normalize(password: string): string {
  return password.normalize("NFKC");
}

/** The argon2id PHC string of `password`, with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalize(password), hashOptions);
}

/**
 * Whether `password` matches `stored`. The library compares in constant time; a malformed hash
 * counts as a mismatch instead of an error so a corrupt row cannot crash a login.
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, normalize(password));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Verifies against `stored`, or against a throwaway hash when the account does not exist, so
 * the answer takes as long either way and its timing does not reveal which emails exist.
 */
export async function verifyPasswordOrDummy(
  stored: string | undefined,
  password: string,
): Promise<boolean> {
  if (stored !== undefined) return verifyPassword(stored, password);
  dummy ??= hashPassword(randomId(18));
  await verifyPassword(await dummy, password);
  return false;
}

/** Whether `stored` was made with weaker parameters than today's, so a login should rehash it. */
export function needsRehash(stored: string): boolean {
  try {
    const used = parseOptions(stored);
    return (
      !stored.startsWith("$argon2id$") ||
      used.memoryCost < hashOptions.memoryCost ||
      used.timeCost < hashOptions.timeCost
    );
  } catch {
    return true;
  }
}
