const FORMULA_START = /^[=+\-@\t\r]/;
// A semicolon or line break followed (past quotes and spaces) by what starts a formula: where a
// cell begins when Excel's ';' locales (de, fr, nl, ...) open the file, whatever the quoting says.
const FORMULA_INSIDE = /([;\r\n])(?=["\s]*[=+\-@\t\r])/g;

/**
 * One CSV field (RFC 4180): quoted when it holds a delimiter, quote or line break. A text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, and so
 * does such a text after a semicolon or line break: Excel in many locales splits a .csv at ";",
 * where only a field that starts with a quote is quoted, so "Shop;=cmd" would start a formula. Pass `neutralise: false` only for numbers
 * (amounts), whose minus sign must stay a minus sign.
 */
export function csvField(value: string, neutralise = true): string {
  let safe = value;
  if (neutralise) {
    safe = safe.replace(FORMULA_INSIDE, "$1'");
    if (FORMULA_START.test(safe)) safe = `'${safe}`;
  }
  return /[",;\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line with CRLF, as RFC 4180 ends records. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.join(",")}\r\n`;
}
