/**
 * One CSV field (RFC 4180): quoted when it holds a delimiter, quote or line break; a text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe.
 */
export function csvField(value: string, neutralise = true): string {
  const safe = neutralise && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line with CRLF, as RFC 4180 ends records. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.join(",")}\r\n`;
}
