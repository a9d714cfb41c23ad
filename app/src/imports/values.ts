// Reading the dates and amounts banks write, exactly: dates become "YYYY-MM-DD" without ever
// passing through Date and a time zone; amounts become canonical decimal strings, never numbers.

/** The date layouts bank files use. */
export const DATE_FORMATS = [
  "YYYY-MM-DD",
  "DD.MM.YYYY",
  "DD/MM/YYYY",
  "MM/DD/YYYY",
  "DD-MM-YYYY",
  "YYYYMMDD",
  "DD MMM YYYY",
  "DD.MM.YY",
  "DD/MM/YY",
  "MM/DD/YY",
] as const;

/** One of the date layouts. */
export type DateFormat = (typeof DATE_FORMATS)[number];

// prettier-ignore
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, januar: 1, january: 1, janv: 1, ene: 1, enero: 1, januari: 1,
  feb: 2, februar: 2, february: 2, fev: 2, "fév": 2, febrero: 2, februari: 2,
  mar: 3, march: 3, "mär": 3, maerz: 3, "märz": 3, mrt: 3, maart: 3, mars: 3, marzo: 3,
  apr: 4, april: 4, avr: 4, avril: 4, abr: 4, abril: 4,
  may: 5, mai: 5, mei: 5, mayo: 5,
  jun: 6, june: 6, juni: 6, juin: 6, junio: 6,
  jul: 7, july: 7, juli: 7, juil: 7, juillet: 7, julio: 7,
  aug: 8, august: 8, augustus: 8, "aoû": 8, aout: 8, "août": 8, ago: 8, agosto: 8,
  sep: 9, sept: 9, september: 9, septembre: 9, septiembre: 9,
  oct: 10, october: 10, okt: 10, oktober: 10, octobre: 10, octubre: 10,
  nov: 11, november: 11, novembre: 11, noviembre: 11,
  dec: 12, december: 12, dez: 12, dezember: 12, "déc": 12, decembre: 12, dic: 12, diciembre: 12,
};

/** The year of a two-digit year: 00-69 are 2000s, 70-99 are 1900s (as POSIX strptime does). */
export function fullYear(twoDigits: number): number {
  return twoDigits < 70 ? 2000 + twoDigits : 1900 + twoDigits;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** "YYYY-MM-DD" for a real calendar date between 1900 and 2199, else undefined. */
export function isoDate(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || year < 1900 || year > 2199) return undefined;
  if (!Number.isInteger(month) || month < 1 || month > 12) return undefined;
  if (!Number.isInteger(day) || day < 1 || day > daysIn(year, month)) return undefined;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

const PATTERNS: Readonly<Record<DateFormat, RegExp>> = {
  "YYYY-MM-DD": /^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})(?:[T ].*)?$/,
  "DD.MM.YYYY": /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})$/,
  "DD/MM/YYYY": /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})$/,
  "MM/DD/YYYY": /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})$/,
  "DD-MM-YYYY": /^(?<d>\d{1,2})-(?<m>\d{1,2})-(?<y>\d{4})$/,
  YYYYMMDD: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
  "DD MMM YYYY": /^(?<d>\d{1,2})[ .-]+(?<mon>[^\d\s.,-]{3,10})\.?[ .-]+(?<y>\d{2}|\d{4})$/u,
  "DD.MM.YY": /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{2})$/,
  "DD/MM/YY": /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{2})$/,
  "MM/DD/YY": /^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{2})$/,
};

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads `text` in `format` as "YYYY-MM-DD"; undefined when it is not a real date that way. */
export function parseDate(text: string, format: DateFormat): string | undefined {
  // Already canonical (the common case in large files): only the calendar needs checking.
  if (format === "YYYY-MM-DD" && ISO_DAY.test(text)) {
    const ok = isoDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8)));
    return ok === undefined ? undefined : text;
  }
  const groups = PATTERNS[format].exec(text.trim())?.groups;
  if (groups === undefined) return undefined;
  const yearText = groups.y ?? "";
  const year = yearText.length === 2 ? fullYear(Number(yearText)) : Number(yearText);
  const month =
    groups.mon === undefined ? Number(groups.m) : MONTHS[groups.mon.toLowerCase().normalize()];
  if (month === undefined) return undefined;
  return isoDate(year, month, Number(groups.d));
}

/**
 * The date formats that read every non-empty sample, best first. Day-first and month-first both
 * fit "03/04/2026": `monthFirst` (a US-style file) decides which comes first.
 */
export function detectDateFormats(samples: readonly string[], monthFirst = false): DateFormat[] {
  const values = samples.map((s) => s.trim()).filter((s) => s.length > 0);
  if (values.length === 0) return [];
  // A summary line among the samples ("Kontostand am 31.01.2026") must not hide the format: a
  // format fits when it reads all samples but one in ten (at least one spared).
  const needed = Math.max(1, values.length - Math.max(1, Math.floor(values.length / 10)));
  const scored = DATE_FORMATS.map((f) => ({
    f,
    n: values.filter((v) => parseDate(v, f) !== undefined).length,
  })).filter((s) => s.n >= needed);
  scored.sort((a, b) => b.n - a.n);
  const fits = scored.map((s) => s.f);
  if (!monthFirst) return fits;
  return [...fits.filter((f) => f.startsWith("MM")), ...fits.filter((f) => !f.startsWith("MM"))];
}

/** The decimal separators amounts use. */
export type DecimalSeparator = "." | ",";
/** The thousands separators amounts use ("" for none). */
export type ThousandsSeparator = "" | "," | "." | " " | "'";

// "-1 234 567 890 123,45 EUR" with room to spare.
const MAX_AMOUNT_CHARS = 64;
// Spaces of every kind banks put into numbers: plain, no-break, narrow no-break, thin.
const SPACES = /[\s\u00a0\u202f\u2009]/g;
const CURRENCY_MARKS = /[€$£¥₣₤₹]|\b[A-Z]{3}\b/g;

/**
 * Reads an amount as banks write it ("1.234,56", "1 234,56", "(12.34)", "12.34-", "+5", "€ 3")
 * into a canonical decimal string ("-12.34"); undefined when it is not a number that way.
 */
export function parseDecimal(
  text: string,
  decimal: DecimalSeparator,
  thousands: ThousandsSeparator,
): string | undefined {
  // A plain "-12.34" (what most large exports hold) reads the same under every dot-decimal
  // setting: skip the general path's dozen regular expressions.
  const plain = decimal === "." ? PLAIN_DECIMAL.exec(text) : null;
  if (plain !== null) return canonicalDecimal(plain[1] === "-", plain[2] ?? "", plain[3] ?? "");
  let t = text.replace(CURRENCY_MARKS, "").replace(SPACES, "");
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  if (/^[+-]/.test(t)) {
    negative = negative !== t.startsWith("-");
    t = t.slice(1);
  } else if (/[+-]$/.test(t)) {
    negative = negative !== t.endsWith("-");
    t = t.slice(0, -1);
  }
  if (thousands !== "" && thousands !== " ") {
    const [whole = "", ...rest] = t.split(decimal);
    const groups = whole.split(thousands);
    const grouped = groups.length > 1;
    if (grouped && !groups.slice(1).every((g) => /^\d{3}$/.test(g))) return undefined;
    if (grouped && !/^\d{1,3}$/.test(groups[0] ?? "")) return undefined;
    t = [groups.join(""), ...rest].join(decimal);
  }
  if (decimal === ",") t = t.replace(",", ".");
  const match = /^(\d+)(?:\.(\d+))?$/.exec(t) ?? /^()\.(\d+)$/.exec(t);
  if (match === null) return undefined;
  return canonicalDecimal(negative, match[1] ?? "", match[2] ?? "");
}

const PLAIN_DECIMAL = /^([-+]?)(\d+)(?:\.(\d+))?$/;

// Digits as the canonical decimal string: no leading zeros, no trailing fraction zeros, no "-0".
function canonicalDecimal(negative: boolean, wholeDigits: string, fractionDigits: string): string {
  const whole = wholeDigits.replace(/^0+(?=\d)/, "") || "0";
  const fraction = fractionDigits.replace(/0+$/, "");
  const magnitude = fraction === "" ? whole : `${whole}.${fraction}`;
  return negative && /[1-9]/.test(magnitude) ? `-${magnitude}` : magnitude;
}

/**
 * Guesses the separators from sample amounts: the last of "." and "," followed by one or two
 * digits at the end is the decimal point; "1.234" alone reads as a thousands group only when a
 * comma decimal is seen elsewhere.
 */
export function detectSeparators(samples: readonly string[]): {
  decimal: DecimalSeparator;
  thousands: ThousandsSeparator;
} {
  let comma = 0;
  let point = 0;
  let spaces = 0;
  let apostrophes = 0;
  for (const raw of samples) {
    // No amount is this long; the patterns below are quadratic on a hostile 60 KB cell.
    if (raw.length > MAX_AMOUNT_CHARS) continue;
    const s = raw.replace(CURRENCY_MARKS, "").trim();
    if (/\d[\s\u00a0\u202f]\d{3}(?!\d)/.test(s)) spaces += 1;
    if (/\d'\d{3}/.test(s)) apostrophes += 1;
    if (/,\d{1,2}\)?-?$/.test(s) || /\.\d{3}.*,\d+/.test(s)) comma += 1;
    else if (/\.\d{1,2}\)?-?$/.test(s) || /,\d{3}.*\.\d+/.test(s)) point += 1;
  }
  const decimal: DecimalSeparator = comma > point ? "," : ".";
  const thousands: ThousandsSeparator =
    spaces > 0 ? " " : apostrophes > 0 ? "'" : decimal === "," ? "." : ",";
  return { decimal, thousands };
}
