import { createHash } from "node:crypto";

/** Payee and description reduced to what survives a bank's re-export: letters and digits. */
export function normaliseText(payee: string, description: string): string {
  return `${payee} ${description}`
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/**
 * The identity of a transaction without a bank id: booking date, amount in minor units and the
 * normalised texts, hashed. The account is not in it: it is stored and compared per account.
 */
export function fingerprint(
  date: string,
  minor: bigint,
  payee: string,
  description: string,
): string {
  return createHash("md5")
    .update(`${date}|${minor.toString()}|${normaliseText(payee, description)}`)
    .digest("base64url");
}
