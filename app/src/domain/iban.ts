// International bank account numbers (ISO 13616): stored normalised ("DE89370400440532013000"),
// shown in groups of four ("DE89 3704 0044 0532 0130 00"), checked by country, length and the
// mod-97 checksum before anything keeps one.

/**
 * The length of an IBAN in each country that issues them (the SWIFT IBAN registry). A country
 * missing here is refused: a typo in the country code is likelier than a new IBAN country.
 */
// prettier-ignore
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19,
  SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** The longest IBAN text the API reads (34 characters plus a space every four). */
export const MAX_IBAN_TEXT = 50;

/** Upper case without spaces: how an IBAN (or any account number) is stored and compared. */
export function normaliseAccountNumber(text: string): string {
  return text.replace(/[\s\u00a0]+/g, "").toUpperCase();
}

/** The IBAN in its printed form: groups of four characters. */
export function printIban(iban: string): string {
  return normaliseAccountNumber(iban).replace(/(.{4})(?=.)/g, "$1 ");
}

// The remainder mod 97 of the number the IBAN reads as once its first four characters move to
// the end and each letter becomes two digits (A = 10 ... Z = 35); 1 for a valid IBAN.
function mod97(rearranged: string): number {
  let remainder = 0;
  for (const char of rearranged) {
    const value = Number.parseInt(char, 36);
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder;
}

/** Why a text is not an IBAN: its shape, its country, its length for the country, its checksum. */
export type IbanProblem = "format" | "country" | "length" | "checksum";

/** An IBAN read: the normalised IBAN, or what is wrong with it, said for people. */
export type IbanResult = { iban: string } | { problem: IbanProblem; message: string };

/** Reads an IBAN typed any way (spaces, lower case): country, length and mod-97 checksum. */
export function parseIban(text: string): IbanResult {
  const iban = normaliseAccountNumber(text);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) {
    return {
      problem: "format",
      message:
        "is not an IBAN: it starts with a two-letter country code and two check digits, " +
        "then only letters and digits",
    };
  }
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined) {
    return { problem: "country", message: `starts with ${country}, which is no IBAN country` };
  }
  if (iban.length !== length) {
    return {
      problem: "length",
      message: `has ${iban.length} characters, but an IBAN from ${country} has ${length}`,
    };
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return {
      problem: "checksum",
      message: "has wrong check digits: a character is mistyped or two are swapped",
    };
  }
  return { iban };
}

/**
 * The IBAN of a country's domestic account number (`bban`) with its check digits computed: for
 * seeding plausible accounts. Throws for a country or length the registry does not know.
 */
export function ibanFrom(country: string, bban: string): string {
  const digits = 98 - mod97(`${bban}${country}00`);
  const iban = `${country}${String(digits).padStart(2, "0")}${bban}`;
  const result = parseIban(iban);
  if ("problem" in result) throw new Error(`${iban} ${result.message}`);
  return result.iban;
}

/**
 * The IBAN inside an account identifier as a bank file gives it (MT940's `:25:` may add the
 * currency, "DE89370400440532013000EUR"); undefined when there is none.
 */
export function ibanIn(identifier: string): string | undefined {
  const text = normaliseAccountNumber(identifier);
  const country = text.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return undefined;
  const candidate = text.slice(0, length);
  const result = parseIban(candidate);
  return "iban" in result ? result.iban : undefined;
}

// A German statement's "bank code/account number" (MT940 :25: "37040044/0532013000") is the
// IBAN's domestic part: its IBAN follows from it.
function germanIban(identifier: string): string | undefined {
  const match = /^(\d{8})\/(\d{1,10})$/.exec(normaliseAccountNumber(identifier));
  if (match === null) return undefined;
  return ibanFrom("DE", `${match[1] ?? ""}${(match[2] ?? "").padStart(10, "0")}`);
}

/** The IBAN a bank file's account identifier stands for, when it stands for one. */
export function identifierIban(identifier: string): string | undefined {
  return ibanIn(identifier) ?? germanIban(identifier);
}

/**
 * Whether a bank file's account identifier names the account with `iban`: the same IBAN, or a
 * domestic account number (5 characters at least) the IBAN ends with, leading zeros aside.
 * Undefined when the identifier is too short to tell.
 */
export function identifierNamesIban(identifier: string, iban: string): boolean | undefined {
  const fileIban = identifierIban(identifier);
  if (fileIban !== undefined) return fileIban === normaliseAccountNumber(iban);
  const number = normaliseAccountNumber(identifier)
    .replace(/[^A-Z0-9]/g, "")
    .replace(/^0+/, "");
  if (number.length < 5) return undefined;
  return normaliseAccountNumber(iban).slice(4).endsWith(number);
}
