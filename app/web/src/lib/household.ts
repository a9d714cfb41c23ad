// The household export and load (Settings -> Household data): what a load reports back, and the
// download address.
import type { Answer } from "./api.ts";
import { formatCount } from "./format.ts";

/** What POST /imports/full answers: how many of each kind it loaded. */
export type HouseholdLoadResult = Answer<"importHousehold">;

/** Each kind's name, one and many, in the order the summary lists them. */
const kinds: [keyof HouseholdLoadResult, string, string][] = [
  ["accounts", "account", "accounts"],
  ["transactions", "transaction", "transactions"],
  ["categories", "category", "categories"],
  ["budgets", "budget", "budgets"],
  ["recurring", "recurring transaction", "recurring transactions"],
  ["rules", "rule", "rules"],
  ["exchangeRates", "exchange rate", "exchange rates"],
  ["reconciliations", "reconciliation", "reconciliations"],
  ["importProfiles", "import mapping", "import mappings"],
  ["attachments", "receipt", "receipts"],
];

/**
 * "3 accounts", "1 transaction", ... for what a load brought in. Accounts and transactions are
 * always named (a zero there is worth seeing); other kinds only when there were some.
 */
export function loadedSummary(result: HouseholdLoadResult): string[] {
  return kinds.flatMap(([key, one, many]) => {
    const n = result[key];
    if (n === 0 && key !== "accounts" && key !== "transactions") return [];
    return [`${formatCount(n)} ${n === 1 ? one : many}`];
  });
}

/** Where the browser downloads the export from, with or without the receipts. */
export function exportHref(withReceipts: boolean): string {
  return `/api/v1/exports/full.json${withReceipts ? "?attachments=true" : ""}`;
}
