/** Thrown when a currency code is not one of the ISO 4217 codes fintrack knows. */
export class UnknownCurrencyError extends Error {
  override readonly name = "UnknownCurrencyError";
  readonly code: string;

  constructor(code: string) {
    const hint = /^[a-z]{3}$/.test(code) ? ` (codes are upper case: "${code.toUpperCase()}")` : "";
    super(
      `unknown currency ${JSON.stringify(code)}: not an ISO 4217 code known to fintrack${hint}`,
    );
    this.code = code;
  }
}

// ISO 4217 active codes and their minor-unit exponents (number of decimals). Only codes whose
// exponent is certain are listed; codes without minor units (precious metals, XDR, testing codes)
// are left out on purpose because they cannot be expressed as integer minor units. The exponent is
// ISO's, not CLDR's display preference (CLDR shows HUF without decimals; ISO gives it 2).
const exponents: ReadonlyMap<string, number> = new Map<string, number>([
  // Zero decimals.
  ["BIF", 0],
  ["CLP", 0],
  ["DJF", 0],
  ["GNF", 0],
  ["ISK", 0],
  ["JPY", 0],
  ["KMF", 0],
  ["KRW", 0],
  ["PYG", 0],
  ["RWF", 0],
  ["UGX", 0],
  ["UYI", 0],
  ["VND", 0],
  ["VUV", 0],
  ["XAF", 0],
  ["XOF", 0],
  ["XPF", 0],
  // Three decimals.
  ["BHD", 3],
  ["IQD", 3],
  ["JOD", 3],
  ["KWD", 3],
  ["LYD", 3],
  ["OMR", 3],
  ["TND", 3],
  // Four decimals (units of account).
  ["CLF", 4],
  ["UYW", 4],
  // Two decimals.
  ["AED", 2],
  ["ARS", 2],
  ["AUD", 2],
  ["BDT", 2],
  ["BRL", 2],
  ["CAD", 2],
  ["CHF", 2],
  ["CNY", 2],
  ["COP", 2],
  ["CZK", 2],
  ["DKK", 2],
  ["EGP", 2],
  ["EUR", 2],
  ["GBP", 2],
  ["GEL", 2],
  ["HKD", 2],
  ["HUF", 2],
  ["IDR", 2],
  ["ILS", 2],
  ["INR", 2],
  ["KES", 2],
  ["KZT", 2],
  ["LKR", 2],
  ["MAD", 2],
  ["MXN", 2],
  ["MYR", 2],
  ["NGN", 2],
  ["NOK", 2],
  ["NZD", 2],
  ["PEN", 2],
  ["PHP", 2],
  ["PKR", 2],
  ["PLN", 2],
  ["QAR", 2],
  ["RON", 2],
  ["RSD", 2],
  ["RUB", 2],
  ["SAR", 2],
  ["SEK", 2],
  ["SGD", 2],
  ["THB", 2],
  ["TRY", 2],
  ["TWD", 2],
  ["UAH", 2],
  ["USD", 2],
  ["UYU", 2],
  ["ZAR", 2],
]);

/** All supported ISO 4217 codes, sorted. */
export const currencyCodes: readonly string[] = [...exponents.keys()].sort();

/** Whether `code` is a supported ISO 4217 code (exact, upper case). */
export function isCurrency(code: string): boolean {
  return exponents.has(code);
}

/** The number of decimals of `code`'s minor unit; throws UnknownCurrencyError for unknown codes. */
export function currencyExponent(code: string): number {
  const exponent = exponents.get(code);
  if (exponent === undefined) throw new UnknownCurrencyError(code);
  return exponent;
}
