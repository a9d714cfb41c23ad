import { hash } from "node:crypto";

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NOT_ASCII_ALNUM = /[^a-z0-9]+/g;

/** Payee and description reduced to what survives a bank's re-export: letters and digits. */
export function normaliseText(payee: string, description: string): string {
  const text = `${payee} ${description}`;
  // Printable ASCII (most bank text) has no marks to strip and nothing NFKD changes: the same
  // result as the general path below at a fraction of its cost, which a million rows notice.
  if (PRINTABLE_ASCII.test(text)) return text.toLowerCase().replace(NOT_ASCII_ALNUM, "");
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/**
 * The identity of a transaction without a bank id: booking date, amount in minor units (as a
 * bigint or its decimal text) and the normalised texts, hashed. The account is not in it: it is stored and compared per account.
 */
export function fingerprint(
  date: string,
  minor: bigint | string,
  payee: string,
  description: string,
): string {
  return hash(
    "md5",
    `${date}|${minor.toString()}|${normaliseText(payee, description)}`,
    "base64url",
  );
}
