import type { Role } from "../auth/principal.ts";
import { formatRate } from "../domain/fx.ts";
import { ibanFrom } from "../domain/iban.ts";
import { formatAmount, money } from "../domain/money.ts";
import type { Action, Condition } from "../domain/rules.ts";

// The demo household: a year of a couple's money, generated from a seeded PRNG so every run (and
// every test) sees the same data for the same `today`. Pure: no clock, no I/O. Rows refer to
// each other by keys (account keys, category paths, user emails); seed.ts maps them to ids.

/** The demo users' password; every demo user has it. At least 12 characters, as login demands. */
export const DEMO_PASSWORD = "fintrack-household-2026";

/** The account types of migration 0003. */
export type AccountType = "checking" | "savings" | "credit_card" | "cash" | "loan" | "asset";

/** The transaction statuses of migration 0003. */
export type TransactionStatus = "pending" | "cleared" | "reconciled";

/** A member of the demo household; the password is DEMO_PASSWORD. */
export interface DemoUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

/** A demo account; `key` is how transactions name it. */
export interface DemoAccount {
  readonly key: string;
  readonly name: string;
  readonly type: AccountType;
  readonly currency: string;
  /** Minor units of `currency`. */
  readonly openingBalance: bigint;
  readonly openingDate: string;
  /** Normalised; only the bank accounts have one, so imports show which account a file is for. */
  readonly iban?: string;
}

/** A node of the category tree; `key` is its path ("Housing/Utilities/Electricity"). */
export interface DemoCategory {
  readonly key: string;
  readonly name: string;
  readonly kind: "income" | "expense";
  readonly parentKey: string | null;
}

/** One category line of a split transaction, in the transaction's currency. */
export interface DemoSplit {
  readonly amount: bigint;
  readonly categoryKey: string;
  readonly memo: string;
}

/**
 * One transaction. A split transaction has no category of its own and lines adding up to its
 * amount; both halves of a transfer share `transferGroup` and have no category.
 */
export interface DemoTransaction {
  readonly accountKey: string;
  readonly date: string;
  /** Minor units of `currency`, negative = money out. */
  readonly amount: bigint;
  readonly currency: string;
  readonly payee: string;
  readonly description: string;
  readonly notes: string;
  readonly categoryKey: string | null;
  readonly tags: readonly string[];
  readonly status: TransactionStatus;
  readonly transferGroup: string | null;
  readonly splits: readonly DemoSplit[];
  /** The email of the user who entered it. */
  readonly createdBy: string;
}

/** What one unit of `currency` is worth in `quote` on `day`: an exact decimal, never a float. */
export interface DemoRate {
  readonly currency: string;
  readonly quote: string;
  readonly day: string;
  readonly rate: string;
}

/** What a category may spend in a month, in the base currency's minor units. */
export interface DemoBudget {
  readonly categoryKey: string;
  /** The first of the month (YYYY-MM-01). */
  readonly month: string;
  readonly amount: bigint;
}

/**
 * A monthly bill kept as a recurring transaction. `posted` links each past due date to the
 * transaction that paid it, by its index in DemoHousehold.transactions.
 */
export interface DemoBill {
  readonly name: string;
  readonly accountKey: string;
  /** Minor units of the account's currency, negative = money out. */
  readonly amount: bigint;
  readonly payee: string;
  readonly description: string;
  readonly categoryKey: string;
  readonly dayOfMonth: number;
  readonly startDate: string;
  readonly posted: readonly { readonly dueDate: string; readonly transactionIndex: number }[];
}

/**
 * A rule as domain/rules.ts runs it, except that setCategory names a category key and an
 * account condition an account key (seed.ts swaps in their ids).
 */
export interface DemoRule {
  readonly name: string;
  readonly position: number;
  readonly match: "all" | "any";
  readonly stopProcessing: boolean;
  readonly conditions: readonly Condition[];
  readonly actions: readonly Action[];
}

/** The CSV mapping of a bank file, as imports/csv-mapping.ts's MappingSchema reads it. */
export interface DemoCsvMapping {
  readonly hasHeader: boolean;
  readonly skipRows: number;
  readonly delimiter: ",";
  readonly dateColumn: number;
  readonly dateFormat: "YYYY-MM-DD";
  readonly amountColumn: number;
  readonly creditValues: readonly string[];
  readonly debitValues: readonly string[];
  readonly decimalSeparator: ".";
  readonly thousandsSeparator: "";
  readonly payeeColumn: number;
  readonly descriptionColumns: readonly number[];
  readonly invertSign: boolean;
}

/** A committed CSV import of one account's week: its transactions by index in `transactions`. */
export interface DemoImport {
  readonly accountKey: string;
  readonly filename: string;
  readonly encoding: "utf-8";
  /** The bytes of the file it was, as `csv` below. */
  readonly size: number;
  readonly csv: string;
  readonly preview: { readonly columns: readonly string[]; readonly rows: readonly string[][] };
  readonly mapping: DemoCsvMapping;
  readonly transactionIndexes: readonly number[];
  readonly createdBy: string;
  /** ISO timestamp. */
  readonly committedAt: string;
}

/** Everything seedDemo inserts. */
export interface DemoHousehold {
  readonly password: string;
  readonly users: readonly DemoUser[];
  readonly accounts: readonly DemoAccount[];
  readonly categories: readonly DemoCategory[];
  readonly transactions: readonly DemoTransaction[];
  /** Every other currency in BASE_CURRENCY, every day from the first opening date to today. */
  readonly rates: readonly DemoRate[];
  readonly budgets: readonly DemoBudget[];
  /** The categories whose budget leftover carries into the next month. */
  readonly rolloverCategoryKeys: readonly string[];
  readonly bills: readonly DemoBill[];
  readonly rules: readonly DemoRule[];
  readonly pastImport: DemoImport;
}

/** The demo's base currency (the app's default FINTRACK_BASE_CURRENCY). */
export const BASE_CURRENCY = "EUR";

const OWNER = "demo@fintrack.local";
const MEMBER = "sam@fintrack.local";

/** The demo household's people: the owner signs in first; all share DEMO_PASSWORD. */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: OWNER, name: "Alex Demo", role: "owner" },
  { email: MEMBER, name: "Sam Demo", role: "member" },
  { email: "robin@fintrack.local", name: "Robin Demo", role: "viewer" },
];

// The tree as nested lists: [name, children]. Income is its own root; everything else is expense.
type Node = readonly [string, readonly Node[]];
const incomeTree: readonly Node[] = [
  [
    "Income",
    [
      ["Salary", []],
      ["Interest", []],
      ["Refunds", []],
    ],
  ],
];
const expenseTree: readonly Node[] = [
  [
    "Housing",
    [
      ["Rent", []],
      [
        "Utilities",
        [
          ["Electricity", []],
          ["Water", []],
          ["Internet", []],
          ["Mobile phone", []],
        ],
      ],
      ["Household", []],
    ],
  ],
  [
    "Food",
    [
      ["Groceries", []],
      ["Restaurants", []],
      ["Coffee & snacks", []],
    ],
  ],
  [
    "Transport",
    [
      ["Fuel", []],
      ["Public transport", []],
    ],
  ],
  [
    "Leisure",
    [
      ["Subscriptions", []],
      ["Sports", []],
      ["Travel", []],
    ],
  ],
  [
    "Health",
    [
      ["Pharmacy", []],
      ["Doctor", []],
    ],
  ],
  ["Insurance", []],
  ["Gifts", []],
  [
    "Shopping",
    [
      ["Clothing", []],
      ["Electronics", []],
    ],
  ],
  ["Financial", [["Loan interest", []]]],
];

function flatten(
  nodes: readonly Node[],
  kind: DemoCategory["kind"],
  parentKey: string | null,
): DemoCategory[] {
  return nodes.flatMap(([name, children]) => {
    const key = parentKey === null ? name : `${parentKey}/${name}`;
    return [{ key, name, kind, parentKey }, ...flatten(children, kind, key)];
  });
}

const categories: readonly DemoCategory[] = [
  ...flatten(incomeTree, "income", null),
  ...flatten(expenseTree, "expense", null),
];

type CategoryKey = string;

// ---- dates: day numbers since 1970-01-01 (UTC), so plain dates never meet a time zone ----------

const DAY_MS = 86_400_000;

function dayNumber(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (Number.isNaN(ms) || formatDay(ms / DAY_MS) !== date) {
    throw new RangeError(`not a date in the form YYYY-MM-DD: ${JSON.stringify(date)}`);
  }
  return ms / DAY_MS;
}

function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day after the same date one year earlier (29 February falls back to the 28th). */
function yearBefore(day: number): number {
  const d = new Date(day * DAY_MS);
  const year = d.getUTCFullYear() - 1;
  const month = d.getUTCMonth();
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastOfMonth)) / DAY_MS + 1;
}

// ---- a seeded PRNG: mulberry32, tiny and good enough for demo data -------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Minor units in [min, max] major units, e.g. cents(12, 30) is 12.00 to 30.00. */
  cents(min: number, max: number): bigint {
    return BigInt(this.int(min * 100, max * 100));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    const item = list[this.int(0, list.length - 1)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  /** A version 4 UUID made of PRNG bytes: unique enough here, and the same every run. */
  uuid(): string {
    const hex = Array.from({ length: 16 }, (_, i) => {
      let byte = this.int(0, 255);
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      if (i === 8) byte = (byte & 0x3f) | 0x80;
      return byte.toString(16).padStart(2, "0");
    }).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

// ---- accounts ---------------------------------------------------------------------------------

const CHECKING = "checking";
const SAVINGS = "savings";
const CARD = "card";
const WALLET = "wallet";
const USD = "usd";
const YEN = "yen";
const LOAN = "loan";
const CAR = "car";

function accountsOpeningOn(openingDate: string): DemoAccount[] {
  const account = (
    key: string,
    name: string,
    type: AccountType,
    currency: string,
    openingBalance: bigint,
  ): DemoAccount => ({ key, name, type, currency, openingBalance, openingDate });
  return [
    // "DEMO" is no bank: the IBANs have valid check digits but name no real account.
    {
      ...account(CHECKING, "Everyday checking", "checking", "EUR", 3_912_37n),
      iban: ibanFrom("NL", "DEMO0123456789"),
    },
    {
      ...account(SAVINGS, "Rainy-day savings", "savings", "EUR", 8_000_00n),
      iban: ibanFrom("NL", "DEMO0987654321"),
    },
    account(CARD, "Visa credit card", "credit_card", "EUR", 0n),
    account(WALLET, "Wallet", "cash", "EUR", 85_20n),
    {
      ...account(USD, "USD travel (Wise)", "checking", "USD", 0n),
      iban: ibanFrom("GB", "DEMO00000012345678"),
    },
    account(YEN, "Yen cash", "cash", "JPY", 0n),
    account(LOAN, "Car loan", "loan", "EUR", -9_600_00n),
    account(CAR, "Car (VW Golf)", "asset", "EUR", 14_500_00n),
  ];
}

// ---- the generator ----------------------------------------------------------------------------

interface Entry {
  account: string;
  amount: bigint;
  payee: string;
  description?: string;
  notes?: string;
  category?: CategoryKey;
  tags?: readonly string[];
  splits?: readonly DemoSplit[];
  by?: string;
}

/** The state of one generation run: the ledger so far and each account's running balance. */
class Ledger {
  readonly transactions: DemoTransaction[] = [];
  readonly balances = new Map<string, bigint>();
  /** Business expenses per month ("YYYY-MM"), claimed back from the employer the month after. */
  readonly businessByMonth = new Map<string, bigint>();
  day = 0;
  readonly random: Random;
  private readonly accounts: ReadonlyMap<string, DemoAccount>;
  private readonly today: number;

  constructor(accounts: readonly DemoAccount[], today: number, random: Random) {
    this.accounts = new Map(accounts.map((a) => [a.key, a]));
    this.today = today;
    this.random = random;
    for (const a of accounts) this.balances.set(a.key, a.openingBalance);
  }

  balance(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  /** Records one transaction on the current day. */
  add(entry: Entry, transferGroup: string | null = null): void {
    const account = this.accounts.get(entry.account);
    if (!account) throw new Error(`unknown demo account ${entry.account}`);
    const date = formatDay(this.day);
    this.transactions.push({
      accountKey: account.key,
      date,
      amount: entry.amount,
      currency: account.currency,
      payee: entry.payee,
      description: entry.description ?? "",
      notes: entry.notes ?? "",
      categoryKey: entry.splits ? null : (entry.category ?? null),
      tags: entry.tags ?? [],
      status: this.status(account.type),
      transferGroup,
      splits: entry.splits ?? [],
      createdBy: entry.by ?? OWNER,
    });
    this.balances.set(account.key, this.balance(account.key) + entry.amount);
    if (entry.amount < 0n && entry.tags?.includes("business")) {
      const month = date.slice(0, 7);
      this.businessByMonth.set(month, (this.businessByMonth.get(month) ?? 0n) - entry.amount);
    }
  }

  /** Moves money between two accounts; `inAmount` is for a transfer across currencies. */
  transfer(from: string, to: string, amount: bigint, description: string, inAmount = amount): void {
    const group = this.random.uuid();
    const name = (key: string) => this.accounts.get(key)?.name ?? key;
    this.add({ account: from, amount: -amount, payee: name(to), description }, group);
    this.add({ account: to, amount: inAmount, payee: name(from), description }, group);
  }

  // Banks settle within a few days; the household reconciles its bank statements monthly.
  private status(type: AccountType): TransactionStatus {
    const age = this.today - this.day;
    if (type === "cash" || type === "asset") return "cleared";
    if (age < 3) return "pending";
    return age > 60 ? "reconciled" : "cleared";
  }
}

const supermarkets = ["Lidl", "Albert Heijn", "Rewe", "Aldi", "Jumbo", "Carrefour"];
const restaurants = [
  "Trattoria Da Marco",
  "Sushi Kyo",
  "The Green Fork",
  "Brasserie Central",
  "Burger Bros",
  "Pho Saigon",
  "Taverna Olympia",
];
const cafes = ["Bakery De Graaf", "Coffee Corner", "Kiosk Station Square", "Bagels & Beans"];
const fuelStations = ["Shell", "Esso", "TotalEnergies", "Aral"];
const clothing = ["Zara", "H&M", "Decathlon", "Uniqlo", "C&A"];
const pharmacies = ["Etos", "dm drogerie", "Kruidvat"];
const gifts = [
  ["Bol.com", "Birthday present for Mia"],
  ["Thalia", "Books for Dad"],
  ["Flower Market", "Flowers for Grandma"],
  ["Lego Store", "Present for Noah"],
] as const;

/** A fixed monthly bill: paid on `day` of every month, and kept as a recurring bill. */
interface Bill {
  readonly name: string;
  readonly day: number;
  readonly account: string;
  readonly payee: string;
  readonly category: CategoryKey;
  readonly amount: bigint;
  readonly description: string;
}

const bill = (
  name: string,
  day: number,
  account: string,
  payee: string,
  category: CategoryKey,
  amount: bigint,
  description: string,
): Bill => ({ name, day, account, payee, category, amount, description });

/** One month's fixed bills. */
const bills: readonly Bill[] = [
  bill("Rent", 1, CHECKING, "Parkside Residences", "Housing/Rent", -1_450_00n, "Rent"),
  bill("Gym", 4, CHECKING, "FitCity Gym", "Leisure/Sports", -29_90n, "Membership, two people"),
  bill("Internet", 8, CHECKING, "Ziggo", "Housing/Utilities/Internet", -49_95n, "Fibre 1 Gbit/s"),
  bill("Spotify", 9, CARD, "Spotify", "Leisure/Subscriptions", -17_99n, "Duo plan"),
  bill(
    "Mobile phones",
    12,
    CHECKING,
    "Vodafone",
    "Housing/Utilities/Mobile phone",
    -24_50n,
    "Two SIM-only plans",
  ),
  bill("Netflix", 17, CARD, "Netflix", "Leisure/Subscriptions", -13_99n, "Standard plan"),
  bill(
    "Health insurance",
    20,
    CHECKING,
    "Zilveren Kruis",
    "Insurance",
    -276_40n,
    "Health insurance, two people",
  ),
  bill(
    "Car and home insurance",
    22,
    CHECKING,
    "Centraal Beheer",
    "Insurance",
    -48_15n,
    "Car and home contents insurance",
  ),
];

/**
 * The demo household as of `today` (YYYY-MM-DD): three users, eight accounts in EUR, USD and
 * JPY, a category tree three levels deep, and a year of transactions ending on `today`: the same
 * data for the same arguments, every run.
 */
export function demoHousehold(today: string, seed = 42): DemoHousehold {
  const end = dayNumber(today);
  const start = yearBefore(end);
  const accounts = accountsOpeningOn(formatDay(start - 1));
  const ledger = new Ledger(accounts, end, new Random(seed));
  for (let day = start; day <= end; day++) {
    ledger.day = day;
    monthlyEvents(ledger, day - start);
    dailyLife(ledger, day - start);
  }
  const transactions = ledger.transactions;
  return {
    password: DEMO_PASSWORD,
    users: DEMO_USERS,
    accounts,
    categories,
    transactions,
    // After the ledger, so the rates draw from the PRNG without changing a transaction.
    rates: exchangeRates(ledger.random, start - 1, end),
    budgets: budgets(transactions, end),
    rolloverCategoryKeys: budgeted.filter(([, rollover]) => rollover).map(([key]) => key),
    bills: recurringBills(transactions),
    rules: rules(),
    pastImport: pastImport(transactions, end),
  };
}

function dayOfMonth(day: number): number {
  return new Date(day * DAY_MS).getUTCDate();
}

function isLastOfMonth(day: number): boolean {
  return dayOfMonth(day + 1) === 1;
}

/** 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function monthName(day: number): string {
  return new Date(day * DAY_MS).toLocaleString("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

// Salaries, bills, savings and the loan: the same days every month.
function monthlyEvents(l: Ledger, offset: number): void {
  const dom = dayOfMonth(l.day);
  const month = new Date(l.day * DAY_MS).getUTCMonth();
  for (const { day, account, payee, category, amount, description } of bills) {
    if (dom === day) l.add({ account, amount, payee, category, description });
  }
  if (dom === 2) sweepToSavings(l);
  if (dom === 3) electricity(l, month);
  if (dom === 5 && l.balance(CARD) < 0n) {
    l.transfer(CHECKING, CARD, -l.balance(CARD), "Credit card statement");
  }
  if (dom === 10 && month % 3 === 0) {
    l.add({
      account: CHECKING,
      amount: -l.random.cents(58, 74),
      payee: "Waternet",
      category: "Housing/Utilities/Water",
      description: "Quarterly water bill",
    });
  }
  if (dom === 12) expenseClaim(l);
  if (dom === 15) loanPayment(l);
  salaries(l, dom, month);
  if (isLastOfMonth(l.day)) {
    l.add({
      account: SAVINGS,
      amount: (l.balance(SAVINGS) * 2n) / 1200n, // 2 % a year
      payee: "Rainy-day savings",
      category: "Income/Interest",
      description: "Interest",
    });
  }
  trips(l, offset);
}

// Whatever checking holds above a buffer goes to savings, in hundreds.
function sweepToSavings(l: Ledger): void {
  const hundreds = (l.balance(CHECKING) - 5_000_00n) / 100_00n;
  if (hundreds > 0n) l.transfer(CHECKING, SAVINGS, hundreds * 100_00n, "Monthly savings");
}

// Electricity costs more in winter.
function electricity(l: Ledger, month: number): void {
  const winter = month <= 2 || month >= 10;
  l.add({
    account: CHECKING,
    amount: -(winter ? l.random.cents(105, 140) : l.random.cents(62, 88)),
    payee: "Vattenfall",
    category: "Housing/Utilities/Electricity",
    description: "Monthly advance",
  });
}

function salaries(l: Ledger, dom: number, month: number): void {
  if (dom === 25) {
    const bonus = month === 11 ? 1_210_00n : 0n; // the thirteenth month
    l.add({
      account: CHECKING,
      amount: 3_420_00n + bonus,
      payee: "Northwind Logistics B.V.",
      category: "Income/Salary",
      description: `Salary ${monthName(l.day)}`,
    });
  }
  if (dom === 26) {
    l.add({
      account: CHECKING,
      amount: 2_185_50n,
      payee: "City of Utrecht",
      category: "Income/Salary",
      description: `Salary ${monthName(l.day)}`,
      by: MEMBER,
    });
  }
}

function loanPayment(l: Ledger): void {
  const interest = (-l.balance(LOAN) * 45n) / 12_000n; // 4.5 % a year on what is owed
  l.add({
    account: LOAN,
    amount: -interest,
    payee: "Volkswagen Financial Services",
    category: "Financial/Loan interest",
    description: "Loan interest",
  });
  l.transfer(CHECKING, LOAN, 320_00n, "Car loan instalment");
}

function expenseClaim(l: Ledger): void {
  const previousMonth = formatDay(l.day - dayOfMonth(l.day)).slice(0, 7);
  const claimed = l.businessByMonth.get(previousMonth) ?? 0n;
  if (claimed <= 0n) return;
  l.add({
    account: CHECKING,
    amount: claimed,
    payee: "Northwind Logistics B.V.",
    category: "Income/Refunds",
    description: `Expense claim ${previousMonth}`,
    tags: ["business"],
  });
}

// Two holidays: New York in the first half of the year, Japan in the second.
function trips(l: Ledger, offset: number): void {
  const r = l.random;
  const vacation = ["vacation"];
  if (offset === 70) {
    l.add({
      account: CARD,
      amount: -1_186_40n,
      payee: "KLM",
      category: "Leisure/Travel",
      description: "Flights Amsterdam - New York, two people",
      tags: vacation,
    });
  }
  if (offset === 118) l.transfer(CHECKING, USD, 1_104_60n, "Dollars for New York", 1_200_00n);
  if (offset >= 120 && offset < 126) {
    if (offset === 120) {
      l.add({
        account: USD,
        amount: -612_00n,
        payee: "Pod Hotel Times Square",
        category: "Leisure/Travel",
        description: "Hotel, 6 nights (deposit paid at booking)",
        tags: vacation,
      });
    }
    l.add({
      account: USD,
      amount: -r.cents(28, 74),
      payee: r.pick(["Joe's Pizza", "Katz's Delicatessen", "Shake Shack", "Russ & Daughters"]),
      category: "Food/Restaurants",
      tags: vacation,
      by: r.pick([OWNER, MEMBER]),
    });
    if (r.chance(0.6)) {
      l.add({
        account: USD,
        amount: -r.cents(6, 34),
        payee: "MTA New York City Transit",
        category: "Transport/Public transport",
        description: "OMNY fares",
        tags: vacation,
      });
    }
  }
  if (offset === 215) {
    l.add({
      account: CARD,
      amount: -1_642_00n,
      payee: "Lufthansa",
      category: "Leisure/Travel",
      description: "Flights Frankfurt - Tokyo, two people",
      tags: vacation,
    });
  }
  if (offset === 258) l.transfer(CHECKING, YEN, 612_35n, "Yen for Japan", 100_000n);
  if (offset >= 260 && offset < 268) japanDay(l, offset - 260);
}

function japanDay(l: Ledger, tripDay: number): void {
  const r = l.random;
  // Cash only: what the wallet does not hold is not spent.
  const spend = (amount: bigint, entry: Omit<Entry, "account" | "amount">) => {
    if (l.balance(YEN) >= amount) {
      l.add({ account: YEN, amount: -amount, tags: ["vacation"], ...entry });
    }
  };
  if (tripDay === 0) {
    spend(29_680n, {
      payee: "JR East",
      category: "Transport/Public transport",
      description: "Narita Express and Suica top-up",
    });
  }
  if (tripDay === 3) {
    spend(36_400n, {
      payee: "Ryokan Yachiyo",
      category: "Leisure/Travel",
      description: "One night in Kyoto, dinner and breakfast",
    });
  }
  spend(BigInt(r.int(1_800, 4_600)), {
    payee: r.pick(["Ichiran Ramen", "Sukiya", "Matsuya", "Tsukiji Sushi Sei"]),
    category: "Food/Restaurants",
  });
  spend(BigInt(r.int(420, 1_680)), {
    payee: r.pick(["Lawson", "7-Eleven", "FamilyMart"]),
    category: "Food/Coffee & snacks",
  });
}

// Groceries, eating out, fuel, cash and the odd purchase: random, but the same every run.
function dailyLife(l: Ledger, offset: number): void {
  const r = l.random;
  const wd = weekday(l.day);
  const shopper = r.pick([OWNER, MEMBER]);
  if (wd === 6) weeklyShop(l, offset, shopper);
  if (wd === 3 && r.chance(0.5)) {
    l.add({
      account: CHECKING,
      amount: -r.cents(8, 31),
      payee: r.pick(supermarkets),
      category: "Food/Groceries",
      description: "Top-up shop",
      by: shopper,
    });
  }
  if (wd === 5 && r.chance(0.6)) {
    l.add({
      account: CARD,
      amount: -r.cents(26, 88),
      payee: r.pick(restaurants),
      category: "Food/Restaurants",
      by: shopper,
    });
  }
  if (wd >= 1 && wd <= 5) workday(l);
  if (offset % 10 === 4) {
    l.add({
      account: CARD,
      amount: -r.cents(54, 82),
      payee: r.pick(fuelStations),
      category: "Transport/Fuel",
      by: shopper,
    });
  }
  if (r.chance(0.06)) {
    l.add({
      account: CARD,
      amount: -r.cents(24, 129),
      payee: r.pick(clothing),
      category: "Shopping/Clothing",
      by: shopper,
    });
  }
  if (r.chance(0.035)) {
    l.add({
      account: CHECKING,
      amount: -r.cents(6, 38),
      payee: r.pick(pharmacies),
      category: "Health/Pharmacy",
      by: shopper,
    });
  }
  oneOffs(l, offset);
  if (l.balance(WALLET) < 40_00n) l.transfer(CHECKING, WALLET, 200_00n, "ATM withdrawal");
}

function weeklyShop(l: Ledger, offset: number, shopper: string): void {
  const r = l.random;
  const total = r.cents(46, 138);
  const payee = r.pick(supermarkets);
  const account = r.chance(0.8) ? CHECKING : CARD;
  // Every third week the shop includes cleaning things and toilet paper: one receipt, two lines.
  if (Math.floor(offset / 7) % 3 === 0) {
    const household = r.cents(9, 26);
    l.add({
      account,
      amount: -total,
      payee,
      description: "Weekly shop",
      splits: [
        { amount: -(total - household), categoryKey: "Food/Groceries", memo: "Food" },
        { amount: -household, categoryKey: "Housing/Household", memo: "Cleaning, toilet paper" },
      ],
      by: shopper,
    });
    return;
  }
  l.add({
    account,
    amount: -total,
    payee,
    category: "Food/Groceries",
    description: "Weekly shop",
    by: shopper,
  });
}

function workday(l: Ledger): void {
  const r = l.random;
  if (r.chance(0.3) && l.balance(WALLET) > 8_00n) {
    l.add({
      account: WALLET,
      amount: -r.cents(2, 7),
      payee: r.pick(cafes),
      category: "Food/Coffee & snacks",
      by: r.pick([OWNER, MEMBER]),
    });
  }
  if (r.chance(0.07)) {
    l.add({
      account: CARD,
      amount: -r.cents(18, 46),
      payee: "NS",
      category: "Transport/Public transport",
      description: "Train to a client",
      tags: ["business"],
    });
  }
  if (r.chance(0.05)) {
    l.add({
      account: CARD,
      amount: -r.cents(22, 58),
      payee: r.pick(restaurants),
      category: "Food/Restaurants",
      description: "Lunch with a client",
      notes: "Receipt handed in with the expense claim",
      tags: ["business"],
    });
  }
}

function oneOffs(l: Ledger, offset: number): void {
  const r = l.random;
  if (offset % 91 === 45) {
    const [payee, notes] = r.pick(gifts);
    l.add({ account: CARD, amount: -r.cents(25, 65), payee, category: "Gifts", notes });
  }
  if (offset === 150) {
    l.add({
      account: CHECKING,
      amount: -85_00n,
      payee: "Dr. Jansen",
      category: "Health/Doctor",
      description: "Check-up, own risk",
    });
  }
  if (offset === 301) {
    l.add({
      account: CARD,
      amount: -899_00n,
      payee: "Coolblue",
      category: "Shopping/Electronics",
      description: "Laptop",
      notes: "Two-year warranty until next year",
    });
  }
  if (offset === 309) {
    l.add({
      account: CARD,
      amount: 39_95n,
      payee: "Zara",
      category: "Income/Refunds",
      description: "Returned jacket",
    });
  }
}

// ---- what the household has set up: rates, budgets, bills, rules and a past import ------------

/**
 * Each foreign currency's rate walks from `start` (in units of 10^-scale of the base currency)
 * by at most `step` a day, turning back at `low` and `high`: integers throughout, so the stored
 * decimals are exact. The starts match the trips' own exchanges (0.9205 and 0.0061235).
 */
const rateWalks = [
  { currency: "USD", scale: 4, start: 9213, step: 30, low: 8700, high: 9700 },
  { currency: "JPY", scale: 6, start: 6213, step: 25, low: 5800, high: 6600 },
] as const;

/** A rate for every currency of rateWalks on every day from `from` to `to` (day numbers). */
function exchangeRates(random: Random, from: number, to: number): DemoRate[] {
  return rateWalks.flatMap(({ currency, scale, start, step, low, high }) => {
    const rates: DemoRate[] = [];
    let units: number = start;
    for (let day = from; day <= to; day++) {
      const rate = formatRate({ units: BigInt(units), scale });
      rates.push({ currency, quote: BASE_CURRENCY, day: formatDay(day), rate });
      const move = random.int(-step, step);
      units = units + move < low || units + move > high ? units - move : units + move;
    }
    return rates;
  });
}

/** The budgeted categories, and whether each rolls its leftover over. */
const budgeted: readonly (readonly [CategoryKey, boolean])[] = [
  ["Housing/Rent", false],
  ["Housing/Utilities", false],
  ["Food/Groceries", false],
  ["Food/Restaurants", false],
  ["Food/Coffee & snacks", false],
  ["Transport", false],
  ["Leisure/Subscriptions", false],
  ["Leisure/Travel", true],
  ["Shopping", false],
  ["Insurance", false],
];

const BUDGET_MONTHS = 4;

/**
 * Budgets for the current month and the three before it: each category's average monthly net
 * spending in the base currency over the year (its subcategories and split lines included),
 * rounded up to 10.00. An average, so in some months a category is over and in others under.
 */
function budgets(transactions: readonly DemoTransaction[], end: number): DemoBudget[] {
  const spent = new Map<CategoryKey, bigint>();
  const count = (key: string, amount: bigint) => {
    for (const [budgetKey] of budgeted) {
      if (key === budgetKey || key.startsWith(`${budgetKey}/`)) {
        spent.set(budgetKey, (spent.get(budgetKey) ?? 0n) - amount);
      }
    }
  };
  for (const t of transactions) {
    if (t.currency !== BASE_CURRENCY || t.transferGroup !== null) continue;
    if (t.categoryKey !== null) count(t.categoryKey, t.amount);
    for (const s of t.splits) count(s.categoryKey, s.amount);
  }
  const today = new Date(end * DAY_MS);
  const months = Array.from({ length: BUDGET_MONTHS }, (_, back) =>
    new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1))
      .toISOString()
      .slice(0, 10),
  ).reverse();
  return budgeted.flatMap(([categoryKey]) => {
    const monthly = (spent.get(categoryKey) ?? 0n) / 12n;
    const amount = monthly <= 0n ? 10_00n : ((monthly + 9_99n) / 10_00n) * 10_00n;
    return months.map((month) => ({ categoryKey, month, amount }));
  });
}

/**
 * Every monthly bill as a recurring transaction, starting on its first payment in the ledger,
 * each payment linked as the occurrence it is (same account, payee, amount, on the bill's day).
 */
function recurringBills(transactions: readonly DemoTransaction[]): DemoBill[] {
  return bills.map((b) => {
    const posted = transactions.flatMap((t, transactionIndex) =>
      t.accountKey === b.account &&
      t.payee === b.payee &&
      t.amount === b.amount &&
      dayOfMonth(dayNumber(t.date)) === b.day
        ? [{ dueDate: t.date, transactionIndex }]
        : [],
    );
    const first = posted[0];
    if (first === undefined) throw new Error(`the demo ledger never pays ${b.name}`);
    return {
      name: b.name,
      accountKey: b.account,
      amount: b.amount,
      payee: b.payee,
      description: b.description,
      categoryKey: b.category,
      dayOfMonth: b.day,
      startDate: first.dueDate,
      posted,
    };
  });
}

/** Rules that file what the household buys every week the way it files it by hand. */
function rules(): DemoRule[] {
  const categorise = (
    name: string,
    payees: readonly string[],
    categoryKey: CategoryKey,
  ): Omit<DemoRule, "position"> => ({
    name,
    match: "any",
    stopProcessing: false,
    conditions: payees.map((value) => ({ field: "payee", op: "contains", value })),
    actions: [{ type: "setCategory", categoryId: categoryKey }],
  });
  const drafts: Omit<DemoRule, "position">[] = [
    categorise("Supermarkets are groceries", supermarkets, "Food/Groceries"),
    categorise("Restaurants", restaurants, "Food/Restaurants"),
    categorise("Coffee and snacks on the way to work", cafes, "Food/Coffee & snacks"),
    categorise("Fuel stations", fuelStations, "Transport/Fuel"),
    {
      name: "Trains to clients are business expenses",
      match: "all",
      stopProcessing: false,
      conditions: [
        { field: "payee", op: "equals", value: "NS" },
        { field: "description", op: "contains", value: "client" },
      ],
      actions: [{ type: "addTag", tag: "business" }],
    },
  ];
  return drafts.map((rule, i) => ({ ...rule, position: (i + 1) * 10 }));
}

const IMPORT_COLUMNS = ["Date", "Amount", "Payee", "Description"];

/** One CSV field, quoted when it holds a delimiter, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The checking account's statement of one recent week (Monday to Sunday), imported from the
 * bank's CSV: the latest week at least a week back with three or more of its own payments in it
 * (transfers are booked by hand). Settled but not yet reconciled, so it can still be undone.
 */
function pastImport(transactions: readonly DemoTransaction[], end: number): DemoImport {
  const lastSunday = end - weekday(end);
  for (let back = 1; ; back++) {
    const sunday = lastSunday - 7 * back;
    const [from, to] = [formatDay(sunday - 6), formatDay(sunday)];
    const transactionIndexes = transactions.flatMap((t, i) =>
      t.accountKey === CHECKING && t.transferGroup === null && t.date >= from && t.date <= to
        ? [i]
        : [],
    );
    if (transactionIndexes.length < 3 && back < 6) continue;
    const rows = transactionIndexes.map((i) => {
      const t = transactions[i];
      if (t === undefined) throw new RangeError(`no transaction ${String(i)}`);
      return [t.date, formatAmount(money(t.amount, t.currency)), t.payee, t.description];
    });
    const csv = [IMPORT_COLUMNS, ...rows]
      .map((row) => row.map(csvField).join(",") + "\r\n")
      .join("");
    return {
      accountKey: CHECKING,
      filename: `checking-${from}-to-${to}.csv`,
      encoding: "utf-8",
      size: new TextEncoder().encode(csv).length,
      csv,
      preview: { columns: IMPORT_COLUMNS, rows: rows.slice(0, 20) },
      mapping: {
        hasHeader: true,
        skipRows: 0,
        delimiter: ",",
        dateColumn: 0,
        dateFormat: "YYYY-MM-DD",
        amountColumn: 1,
        creditValues: [],
        debitValues: [],
        decimalSeparator: ".",
        thousandsSeparator: "",
        payeeColumn: 2,
        descriptionColumns: [3],
        invertSign: false,
      },
      transactionIndexes,
      createdBy: OWNER,
      // The Monday evening after the week.
      committedAt: `${formatDay(sunday + 1)}T19:42:00.000Z`,
    };
  }
}
