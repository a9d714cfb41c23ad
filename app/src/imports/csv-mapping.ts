import { z } from "zod";
import { DELIMITERS } from "./csv-dialect.ts";
import type { ImportedRow, RowProblem } from "./types.ts";
import {
  DATE_FORMATS,
  detectDateFormats,
  detectSeparators,
  parseDate,
  parseDecimal,
} from "./values.ts";

const Column = z.number().int().min(0).max(500);

/**
 * How the columns of a CSV file become transactions. Columns are 0-based indexes. The amount is
 * one signed column, or a debit and a credit column, or an amount plus a direction column whose
 * values are listed in creditValues/debitValues.
 */
export const MappingSchema = z
  .object({
    hasHeader: z.boolean(),
    skipRows: z.number().int().min(0).max(1000),
    delimiter: z.enum(DELIMITERS).optional(),
    dateColumn: Column,
    dateFormat: z.enum(DATE_FORMATS),
    amountColumn: Column.nullish(),
    debitColumn: Column.nullish(),
    creditColumn: Column.nullish(),
    directionColumn: Column.nullish(),
    creditValues: z.array(z.string().max(40)).max(20).default([]),
    debitValues: z.array(z.string().max(40)).max(20).default([]),
    decimalSeparator: z.enum([".", ","]),
    thousandsSeparator: z.enum(["", ",", ".", " ", "'"]),
    payeeColumn: Column.nullish(),
    descriptionColumns: z.array(Column).max(20).default([]),
    currencyColumn: Column.nullish(),
    externalIdColumn: Column.nullish(),
    invertSign: z.boolean().default(false),
  })
  .refine((m) => (m.amountColumn != null) !== (m.debitColumn != null && m.creditColumn != null), {
    message: "give amountColumn, or debitColumn and creditColumn",
  })
  .refine((m) => m.directionColumn == null || m.amountColumn != null, {
    message: "directionColumn needs amountColumn",
    path: ["directionColumn"],
  })
  .refine((m) => m.decimalSeparator !== m.thousandsSeparator, {
    message: "the decimal and thousands separators must differ",
    path: ["thousandsSeparator"],
  });

/** A checked mapping. */
export type Mapping = z.infer<typeof MappingSchema>;

type Role =
  | "date"
  | "amount"
  | "debit"
  | "credit"
  | "direction"
  | "payee"
  | "description"
  | "currency"
  | "reference";

// Header names in English, German, Dutch, French and Spanish as banks write them; they are
// compared normalised (normaliseHeader), and a name with an umlaut also in its ASCII spelling
// ("Begünstigter", "Beguenstigter"). The first role whose name matches a header wins.
// prettier-ignore
const NAMES: readonly (readonly [Role, readonly string[]])[] = [
  [
    "date",
    [
      "date", "transaction date", "posting date", "posted date", "booking date", "trans date",
      "buchungstag", "buchungsdatum", "datum", "transactiedatum", "boekdatum", "date operation",
      "date de l operation", "date comptable", "fecha", "fecha operacion", "fecha valor",
      "fecha contable", "valutadatum", "wertstellung", "date valeur", "value date",
    ],
  ],
  [
    "debit",
    [
      "debit", "debit amount", "withdrawal", "withdrawals", "soll", "belastung", "af", "debet",
      "cargo", "cargos", "debe", "Débit euros", "Débit EUR",
    ],
  ],
  [
    "credit",
    [
      "credit", "credit amount", "deposit", "deposits", "haben", "gutschrift", "bij", "credito",
      "abono", "abonos", "haber", "Crédit euros", "Crédit EUR",
    ],
  ],
  [
    "amount",
    [
      "amount", "transaction amount", "betrag", "umsatz", "bedrag", "bedrag eur", "montant",
      "importe", "cantidad", "value", "betrag eur", "amount eur", "montant eur",
    ],
  ],
  [
    "direction",
    ["af bij", "debit credit", "dr cr", "d c", "credit debit", "soll haben", "s h", "cd", "direction", "type mouvement"],
  ],
  [
    "payee",
    [
      // English (ING NL's English export: "Name / Description"; N26: "Partner Name")
      "Payee", "Payee name", "Name", "Name / Description", "Beneficiary", "Beneficiary name",
      "Counterparty", "Counterparty name", "Recipient", "Partner name", "Merchant",
      // German (Sparkasse, Deutsche Bank, ING DE, Postbank)
      "Beguenstigter/Zahlungspflichtiger", "Begunstigter/Zahlungspflichtiger",
      "Begünstigter / Auftraggeber", "Auftraggeber / Begünstigter", "Auftraggeber/Empfänger",
      "Empfänger/Zahlungspflichtiger", "Empfänger", "Zahlungsempfänger",
      // Dutch (ING, Rabobank, ABN AMRO)
      "Naam / Omschrijving", "Naam", "Naam tegenpartij", "Tegenrekening naam", "Naam tegenrekening",
      "Tegenpartij", "Naam begunstigde", "Begunstigde",
      // French and Spanish
      "Bénéficiaire", "Nom du bénéficiaire", "Nom de la contrepartie", "Tiers",
      "Beneficiario", "Ordenante", "Beneficiario / Ordenante",
    ],
  ],
  [
    "description",
    [
      "Description", "Details", "Memo", "Narrative", "Reference", "Payment reference", "Text",
      "Purpose", "Notifications", "Verwendungszweck", "Buchungstext", "Mededelingen",
      "Omschrijving", "Libellé", "Libellé opération", "Détail de l'écriture", "Communication",
      "Communications", "Descripción", "Detalle", "Concepto",
    ],
  ],
  ["currency", ["currency", "wahrung", "waehrung", "munt", "devise", "moneda", "divisa", "ccy"]],
  // Only a bank's own id of the booking: a repeated id marks rows as duplicates, so references
  // the payer chooses (Deutsche Bank's "Kundenreferenz", an end-to-end id that repeats, often
  // "NOTPROVIDED") must never be taken for one.
  ["reference", ["transaction id", "reference number", "ref", "fitid", "id", "referenz", "transactie id", "numero operation", "referencia"]],
];

/** Lower case, accents dropped, punctuation as single spaces: "Begünstigter/Zahlungspflichtiger". */
export function normaliseHeader(name: string): string {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

const UMLAUT_DIGRAPHS: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue" };

// Each normalised spelling of a NAMES entry, and the role of its first entry.
const ROLE_BY_NAME: ReadonlyMap<string, Role> = (() => {
  const roles = new Map<string, Role>();
  for (const [role, names] of NAMES) {
    for (const name of names) {
      const ascii = name.toLowerCase().replace(/[äöü]/g, (c) => UMLAUT_DIGRAPHS[c] ?? c);
      for (const spelling of [normaliseHeader(name), normaliseHeader(ascii)]) {
        if (!roles.has(spelling)) roles.set(spelling, role);
      }
    }
  }
  return roles;
})();

// A header's role; a numbered one ("Omschrijving-1", "Verwendungszweck 2") is its name's.
function roleOf(name: string): Role | undefined {
  return ROLE_BY_NAME.get(name) ?? ROLE_BY_NAME.get(name.replace(/ \d{1,2}$/, ""));
}

function findColumns(header: readonly string[]): Map<Role, number[]> {
  const found = new Map<Role, number[]>();
  header.forEach((raw, index) => {
    const name = normaliseHeader(raw);
    const role = name === "" ? undefined : roleOf(name);
    if (role !== undefined) found.set(role, [...(found.get(role) ?? []), index]);
  });
  return found;
}

const CREDIT_WORDS = ["c", "cr", "credit", "bij", "h", "haben", "+", "crdt", "gutschrift"];
const DEBIT_WORDS = ["d", "dr", "debit", "af", "s", "soll", "-", "dbit", "lastschrift"];

function column(rows: readonly (readonly string[])[], index: number | undefined): string[] {
  if (index === undefined) return [];
  return rows.map((row) => row[index] ?? "").filter((v) => v.trim() !== "");
}

// Columns whose every sample reads as a date, for files without recognisable headers.
function guessDateColumn(rows: readonly (readonly string[])[], width: number): number | undefined {
  for (let i = 0; i < width; i++) {
    if (detectDateFormats(column(rows, i)).length > 0) return i;
  }
  return undefined;
}

function guessAmountColumn(
  rows: readonly (readonly string[])[],
  width: number,
  skip: number | undefined,
): number | undefined {
  for (let i = 0; i < width; i++) {
    const values = column(rows, i);
    if (i === skip || values.length === 0) continue;
    if (values.every((v) => /^[-+(]?[\s€$£]*\d[\d.,'\s\u00a0]*\)?-?$/.test(v.trim()))) return i;
  }
  return undefined;
}

/**
 * Suggests a mapping from the header names (EN/DE/NL/FR/ES) and sample rows; fields it cannot
 * decide are left for the user. `undefined` when no date or amount column is recognisable.
 */
export function suggestMapping(
  header: readonly string[] | undefined,
  rows: readonly (readonly string[])[],
  dialect: { delimiter: (typeof DELIMITERS)[number]; skipRows: number },
): Mapping | undefined {
  const width = Math.max(header?.length ?? 0, ...rows.map((r) => r.length));
  const found = header ? findColumns(header) : new Map<Role, number[]>();
  const dateColumn = found.get("date")?.[0] ?? guessDateColumn(rows, width);
  const debitColumn = found.get("debit")?.[0];
  const creditColumn = found.get("credit")?.[0];
  const split = debitColumn !== undefined && creditColumn !== undefined;
  const amountColumn = split
    ? undefined
    : (found.get("amount")?.[0] ?? guessAmountColumn(rows, width, dateColumn));
  if (dateColumn === undefined || (amountColumn === undefined && !split)) return undefined;
  const amounts = [amountColumn, debitColumn, creditColumn].flatMap((c) =>
    column(rows, c ?? undefined),
  );
  const separators = detectSeparators(amounts);
  const formats = detectDateFormats(column(rows, dateColumn), separators.decimal === ".");
  const directionColumn = split ? undefined : found.get("direction")?.[0];
  const directionValues = new Set(column(rows, directionColumn).map((v) => v.trim().toLowerCase()));
  return MappingSchema.parse({
    hasHeader: header !== undefined,
    skipRows: dialect.skipRows,
    delimiter: dialect.delimiter,
    dateColumn,
    dateFormat: formats[0] ?? "YYYY-MM-DD",
    amountColumn: amountColumn ?? null,
    debitColumn: split ? debitColumn : null,
    creditColumn: split ? creditColumn : null,
    directionColumn: directionColumn ?? null,
    creditValues: [...directionValues].filter((v) => CREDIT_WORDS.includes(v)),
    debitValues: [...directionValues].filter((v) => DEBIT_WORDS.includes(v)),
    decimalSeparator: separators.decimal,
    thousandsSeparator: separators.thousands,
    payeeColumn: found.get("payee")?.[0] ?? null,
    descriptionColumns: found.get("description") ?? [],
    currencyColumn: found.get("currency")?.[0] ?? null,
    externalIdColumn: found.get("reference")?.[0] ?? null,
    invertSign: false,
  });
}

/** Whether the first record of a file looks like a header: it has no date where data has one. */
export function looksLikeHeader(
  first: readonly string[],
  rows: readonly (readonly string[])[],
): boolean {
  const dateColumn = guessDateColumn(rows, first.length);
  if (dateColumn === undefined) return first.every((cell) => !/^[-+]?[\d.,\s]+$/.test(cell.trim()));
  return detectDateFormats([first[dateColumn] ?? ""]).length === 0;
}

/** The header's name of column `index` for error messages, or "column N" (1-based). */
function columnName(header: readonly string[] | undefined, index: number): string {
  const name = header?.[index]?.trim();
  return name !== undefined && name !== "" ? name : `column ${index + 1}`;
}

interface AmountResult {
  amount?: string;
  problem?: { column: number; message: string };
}

function cellAmount(mapping: Mapping, cells: readonly string[], index: number): AmountResult {
  const text = (cells[index] ?? "").trim();
  if (text === "") return { amount: "0" };
  const amount = parseDecimal(text, mapping.decimalSeparator, mapping.thousandsSeparator);
  if (amount === undefined) {
    return {
      problem: { column: index, message: `${JSON.stringify(text.slice(0, 40))} is not an amount` },
    };
  }
  return { amount };
}

function negate(amount: string): string {
  if (amount === "0") return amount;
  return amount.startsWith("-") ? amount.slice(1) : `-${amount}`;
}

function signedAmount(mapping: Mapping, cells: readonly string[]): AmountResult {
  if (mapping.amountColumn == null) {
    const debit = cellAmount(mapping, cells, mapping.debitColumn ?? 0);
    const credit = cellAmount(mapping, cells, mapping.creditColumn ?? 0);
    if (debit.problem || credit.problem) return debit.problem ? debit : credit;
    const d = debit.amount ?? "0";
    const c = credit.amount ?? "0";
    if (d !== "0" && c !== "0") {
      return {
        problem: { column: mapping.creditColumn ?? 0, message: "both debit and credit are filled" },
      };
    }
    // Banks write debits either as positive numbers in the debit column or already negative.
    return { amount: d !== "0" ? (d.startsWith("-") ? d : negate(d)) : c };
  }
  const base = cellAmount(mapping, cells, mapping.amountColumn);
  if (base.problem || mapping.directionColumn == null) return base;
  const direction = (cells[mapping.directionColumn] ?? "").trim().toLowerCase();
  const magnitude = (base.amount ?? "0").replace(/^-/, "");
  if (mapping.creditValues.some((v) => v.toLowerCase() === direction)) return { amount: magnitude };
  if (mapping.debitValues.some((v) => v.toLowerCase() === direction))
    return { amount: negate(magnitude) };
  return {
    problem: {
      column: mapping.directionColumn,
      message: `${JSON.stringify(direction.slice(0, 40))} is neither a credit nor a debit value`,
    },
  };
}

// A cell as text: whitespace runs (newlines of quoted cells included) made one space, trimmed.
function cellText(cells: readonly string[], index: number | null | undefined): string {
  return index == null ? "" : (cells[index] ?? "").replace(/\s+/g, " ").trim();
}

// The description columns' texts joined by a space, empty ones left out.
function descriptionText(mapping: Mapping, cells: readonly string[]): string {
  let joined = "";
  for (const column of mapping.descriptionColumns) {
    const text = cellText(cells, column);
    if (text !== "") joined = joined === "" ? text : `${joined} ${text}`;
  }
  return joined.slice(0, 1000);
}

/**
 * A CSV record as a transaction under `mapping`, or every problem of the record. Runs for every
 * row of a file (a million in a large import): nothing is allocated that the row does not keep.
 */
export function applyMapping(
  mapping: Mapping,
  header: readonly string[] | undefined,
  line: number,
  cells: readonly string[],
): { row: ImportedRow } | { problems: RowProblem[] } {
  const dateText = (cells[mapping.dateColumn] ?? "").trim();
  const date = parseDate(dateText, mapping.dateFormat);
  const amount = signedAmount(mapping, cells);
  if (date === undefined || amount.amount === undefined) {
    const problems: RowProblem[] = [];
    if (date === undefined) {
      problems.push({
        line,
        column: columnName(header, mapping.dateColumn),
        message: `${JSON.stringify(dateText.slice(0, 40))} is not a date in the format ${mapping.dateFormat}`,
      });
    }
    if (amount.problem) {
      problems.push({
        line,
        column: columnName(header, amount.problem.column),
        message: amount.problem.message,
      });
    }
    return { problems };
  }
  const row: ImportedRow = {
    line,
    date,
    amount: mapping.invertSign ? negate(amount.amount) : amount.amount,
    payee: cellText(cells, mapping.payeeColumn).slice(0, 200),
    description: descriptionText(mapping, cells),
  };
  const externalId = cellText(cells, mapping.externalIdColumn);
  if (externalId !== "") row.externalId = externalId;
  const currency = cellText(cells, mapping.currencyColumn).toUpperCase();
  if (currency !== "") row.currency = currency;
  return { row };
}
