import { currencyCodes, currencyExponent } from "./currencies.ts";

/**
 * The transaction search language:
 *
 *   payee:amazon category:groceries amount:<-50 after:2026-01-01 tag:trip "free phrase" word
 *
 * Terms side by side must all hold; `OR` (upper case) between terms offers alternatives and
 * binds looser than side by side; `-term` negates; parentheses group. A value with spaces is
 * quoted (`payee:"whole foods"`, `\"` inside quotes is a quote). Fields:
 *
 * - payee, description (desc), notes: contains the text, case-insensitive
 * - category: the category of that name (any level) or one below it, split lines included
 * - account: the account of that name; tag: carries the tag; status: pending|cleared|reconciled
 * - amount: `<-50`, `<=`, `>`, `>=`, `=` or none (equal), or a range `-100..-50` (inclusive),
 *   signed like the ledger (negative is money out), in the transaction's currency
 * - after:D (on or after D), before:D (before D, not on it), date:D (on D); D is YYYY-MM-DD
 *
 * A free word or phrase must appear in payee, description or notes.
 */

/** The fields a term may name, and their aliases. */
const FIELDS = {
  payee: "payee",
  description: "description",
  desc: "description",
  notes: "notes",
  category: "category",
  account: "account",
  tag: "tag",
  status: "status",
  amount: "amount",
  after: "after",
  before: "before",
  date: "date",
} as const;

type FieldName = (typeof FIELDS)[keyof typeof FIELDS];
type TextField = "payee" | "description" | "notes" | "category" | "account" | "tag";

/** A comparison of the amount with a decimal. */
export type AmountOp = "<" | "<=" | ">" | ">=" | "=";

/** A parsed query: a tree of conditions on a transaction. */
export type QueryNode =
  | { kind: "text"; value: string; position: number }
  | { kind: "field"; field: TextField; value: string; position: number }
  | { kind: "status"; value: "pending" | "cleared" | "reconciled"; position: number }
  | { kind: "amount"; op: AmountOp; value: string; position: number }
  | { kind: "amountRange"; low: string; high: string; position: number }
  | { kind: "date"; op: ">=" | "<" | "="; value: string; position: number }
  | { kind: "not"; item: QueryNode }
  | { kind: "and"; items: QueryNode[] }
  | { kind: "or"; items: QueryNode[] };

/** A query the parser refuses: `position` is the 0-based offset of the offending character. */
export class QueryError extends Error {
  override readonly name = "QueryError";
  readonly position: number;
  readonly reason: string;

  constructor(position: number, reason: string) {
    super(`${reason} (at character ${position + 1})`);
    this.position = position;
    this.reason = reason;
  }
}

/** The longest query parsed; the API's schema caps `q` lower still. */
export const MAX_QUERY_LENGTH = 1000;
/** The deepest nesting of parentheses and negations. */
export const MAX_DEPTH = 16;
/** The most terms one query holds. */
export const MAX_TERMS = 40;

const DECIMAL = /^-?[0-9]{1,13}(\.[0-9]{1,4})?$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const SPECIAL = new Set(["(", ")", '"']);

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/u.test(ch);
}

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/** A recursive-descent parser over the characters of one query. */
class Parser {
  private pos = 0;
  private depth = 0;
  private terms = 0;

  private readonly input: string;

  constructor(input: string) {
    this.input = input;
  }

  parse(): QueryNode {
    this.skipSpace();
    if (this.atEnd()) throw new QueryError(0, "the query is empty");
    const node = this.orExpr();
    this.skipSpace();
    if (!this.atEnd()) {
      const ch = this.peek();
      throw new QueryError(
        this.pos,
        ch === ")" ? "this ')' closes no '('" : `unexpected ${JSON.stringify(ch)}`,
      );
    }
    return node;
  }

  private atEnd(): boolean {
    return this.pos >= this.input.length;
  }

  private peek(): string | undefined {
    return this.input[this.pos];
  }

  private skipSpace(): void {
    while (isSpace(this.peek())) this.pos += 1;
  }

  /** Whether the next word is the OR keyword (followed by space, '(' or the end). */
  private atOr(): boolean {
    if (!this.input.startsWith("OR", this.pos)) return false;
    const after = this.input[this.pos + 2];
    return after === undefined || isSpace(after) || after === "(" || after === "-";
  }

  private orExpr(): QueryNode {
    const items = [this.andExpr()];
    for (;;) {
      this.skipSpace();
      if (!this.atOr()) break;
      const at = this.pos;
      this.pos += 2;
      this.skipSpace();
      if (this.atEnd() || this.peek() === ")") {
        throw new QueryError(at, "OR needs a term on both sides");
      }
      items.push(this.andExpr());
    }
    return items.length === 1 && items[0] !== undefined ? items[0] : { kind: "or", items };
  }

  private andExpr(): QueryNode {
    const items: QueryNode[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || this.peek() === ")") break;
      if (this.atOr()) {
        if (items.length === 0) throw new QueryError(this.pos, "OR needs a term on both sides");
        break;
      }
      items.push(this.unary());
    }
    if (items.length === 0) throw new QueryError(this.pos, "expected a term");
    return items.length === 1 && items[0] !== undefined ? items[0] : { kind: "and", items };
  }

  private enter(at: number): void {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) {
      throw new QueryError(at, `the query nests deeper than ${MAX_DEPTH} levels`);
    }
  }

  private unary(): QueryNode {
    const at = this.pos;
    const ch = this.peek();
    if (ch === "-" && this.pos + 1 < this.input.length && !isSpace(this.input[this.pos + 1])) {
      this.pos += 1;
      this.enter(at);
      const item = this.unary();
      this.depth -= 1;
      return { kind: "not", item };
    }
    if (ch === "(") {
      this.pos += 1;
      this.enter(at);
      this.skipSpace();
      if (this.peek() === ")") throw new QueryError(this.pos, "empty parentheses");
      const inner = this.orExpr();
      this.skipSpace();
      if (this.peek() !== ")") throw new QueryError(at, "this '(' is never closed");
      this.pos += 1;
      this.depth -= 1;
      return inner;
    }
    if (ch === ")") throw new QueryError(at, "this ')' closes no '('");
    return this.term();
  }

  private countTerm(at: number): void {
    this.terms += 1;
    if (this.terms > MAX_TERMS)
      throw new QueryError(at, `a query holds at most ${MAX_TERMS} terms`);
  }

  private term(): QueryNode {
    const at = this.pos;
    this.countTerm(at);
    if (this.peek() === '"') return { kind: "text", value: this.quoted(), position: at };
    const word = this.bare();
    const colon = word.indexOf(":");
    const key = colon > 0 ? word.slice(0, colon) : "";
    if (colon <= 0 || !/^[a-z]+$/i.test(key)) return { kind: "text", value: word, position: at };
    const field = (FIELDS as Record<string, FieldName | undefined>)[key.toLowerCase()];
    if (field === undefined) {
      const known = Object.keys(FIELDS).join(", ");
      throw new QueryError(
        at,
        `unknown field "${key}" (known: ${known}); quote the text to search for it as is`,
      );
    }
    const valueAt = at + colon + 1;
    let value = word.slice(colon + 1);
    if (value === "" && this.peek() === '"') value = this.quoted();
    else if (value === "") throw new QueryError(valueAt, `expected a value after "${key}:"`);
    return this.fieldNode(field, value, at, valueAt);
  }

  /** A run of characters up to space, a parenthesis or a quote. */
  private bare(): string {
    const start = this.pos;
    while (!this.atEnd()) {
      const ch = this.peek();
      if (ch === undefined || isSpace(ch) || SPECIAL.has(ch)) break;
      this.pos += 1;
    }
    return this.input.slice(start, this.pos);
  }

  /** A "quoted" string; `\"` and `\\` stand for themselves. */
  private quoted(): string {
    const start = this.pos;
    this.pos += 1;
    let out = "";
    while (!this.atEnd()) {
      const ch = this.peek();
      if (ch === '"') {
        this.pos += 1;
        if (out.trim() === "") throw new QueryError(start, "empty quotes");
        return out;
      }
      if (ch === "\\" && (this.input[this.pos + 1] === '"' || this.input[this.pos + 1] === "\\")) {
        out += this.input[this.pos + 1] ?? "";
        this.pos += 2;
        continue;
      }
      out += ch ?? "";
      this.pos += 1;
    }
    throw new QueryError(start, "this quote is never closed");
  }

  private fieldNode(field: FieldName, value: string, at: number, valueAt: number): QueryNode {
    switch (field) {
      case "status":
        if (value === "pending" || value === "cleared" || value === "reconciled") {
          return { kind: "status", value, position: at };
        }
        throw new QueryError(valueAt, "status is one of pending, cleared, reconciled");
      case "amount":
        return amountNode(value, at, valueAt);
      case "after":
      case "before":
      case "date": {
        if (!isCalendarDate(value)) {
          throw new QueryError(valueAt, `${field}: needs a date in the form YYYY-MM-DD`);
        }
        const op = field === "after" ? ">=" : field === "before" ? "<" : "=";
        return { kind: "date", op, value, position: at };
      }
      default:
        return { kind: "field", field, value, position: at };
    }
  }
}

function amountNode(value: string, at: number, valueAt: number): QueryNode {
  const range = value.indexOf("..", 1);
  if (range > 0) {
    const low = value.slice(0, range);
    const high = value.slice(range + 2);
    if (!DECIMAL.test(low)) throw new QueryError(valueAt, `"${low}" is not an amount`);
    if (!DECIMAL.test(high))
      throw new QueryError(valueAt + range + 2, `"${high}" is not an amount`);
    if (compareDecimals(low, high) > 0) {
      throw new QueryError(valueAt, "the range's low end is above its high end");
    }
    return { kind: "amountRange", low, high, position: at };
  }
  const op = (/^(<=|>=|<|>|=)/.exec(value)?.[0] ?? "=") as AmountOp;
  const rest = value.startsWith(op) ? value.slice(op.length) : value;
  if (!DECIMAL.test(rest)) {
    throw new QueryError(
      valueAt,
      `amount: needs a number like -50 or 12.34, a comparison like <-50, or a range like -100..-50`,
    );
  }
  return { kind: "amount", op, value: rest, position: at };
}

/** Compares two decimals matching DECIMAL exactly (no floats): -1, 0 or 1. */
function compareDecimals(a: string, b: string): number {
  const scaled = (text: string) => {
    const [whole = "0", fraction = ""] = text.split(".");
    return (
      BigInt(whole.replace("-", "") + fraction.padEnd(4, "0")) * (text.startsWith("-") ? -1n : 1n)
    );
  };
  const x = scaled(a);
  const y = scaled(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses a search query; throws QueryError naming the position of the first problem. */
export function parseQuery(input: string): QueryNode {
  if (input.length > MAX_QUERY_LENGTH) {
    throw new QueryError(MAX_QUERY_LENGTH, `a query is at most ${MAX_QUERY_LENGTH} characters`);
  }
  return new Parser(input).parse();
}

/**
 * Whether `q` is plain text with none of the language's syntax (no `field:`, quotes,
 * parentheses, `-term` or OR): such a query keeps its original meaning, one substring of
 * payee, description or notes, and the list's tuned substring search.
 */
export function isPlainText(q: string): boolean {
  if (/["()]/.test(q)) return false;
  return !q
    .split(/\s+/u)
    .some((word) => word === "OR" || /^-\S/u.test(word) || /^[a-z]+:/i.test(word));
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (escape character `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** Hands out a placeholder (`$3`) for each value, in the order the SQL text uses them. */
export type AddParam = (value: unknown) => string;

const byExponent = (exponent: number) =>
  currencyCodes.filter((code) => currencyExponent(code) === exponent);

/** The SQL exponent of the row's currency, from the same table the API parses amounts with. */
function exponentSql(alias: string, add: AddParam): string {
  const cases = [0, 3, 4]
    .map((e) => `when ${alias}.currency = any(${add(byExponent(e))}::text[]) then ${e}`)
    .join(" ");
  return `(case ${cases} else 2 end)`;
}

/** The amount as a decimal in the row's currency units, for comparing with typed decimals. */
function amountSql(alias: string, add: AddParam): string {
  return `(${alias}.amount::numeric / power(10::numeric, ${exponentSql(alias, add)}))`;
}

function containsSql(column: string, value: string, alias: string, add: AddParam): string {
  const pattern = add(escapeLike(value));
  // The search_text test lets the trigram index find candidates; the column test is exact.
  const any = `${alias}.search_text like '%' || lower(${pattern}) || '%'`;
  return `(${any} and lower(${alias}.${column}) like '%' || lower(${pattern}) || '%')`;
}

function categorySql(value: string, alias: string, add: AddParam): string {
  const name = add(value);
  const tree = `array(with recursive tree (id) as (
      select id from categories where lower(name) = lower(${name})
      union select c.id from categories c join tree on c.parent_id = tree.id
    ) select id from tree)`;
  return `(${alias}.category_id = any(${tree}) or ${alias}.id in (
    select s.transaction_id from transaction_splits s where s.category_id = any(${tree})))`;
}

function fieldSql(
  node: Extract<QueryNode, { kind: "field" }>,
  add: AddParam,
  alias: string,
): string {
  switch (node.field) {
    case "payee":
    case "description":
    case "notes":
      return containsSql(node.field, node.value, alias, add);
    case "category":
      return categorySql(node.value, alias, add);
    case "account":
      return `${alias}.account_id in (select a.id from accounts a where lower(a.name) = lower(${add(node.value)}))`;
    case "tag":
      return `${alias}.tags @> array[${add(node.value)}]::text[]`;
  }
}

/**
 * Compiles a parsed query to one SQL boolean expression over the transactions row `alias`.
 * Every value travels as a parameter through `add`; the text itself holds only SQL we wrote.
 */
export function compileQuery(node: QueryNode, add: AddParam, alias = "t"): string {
  switch (node.kind) {
    case "text":
      return `${alias}.search_text like '%' || lower(${add(escapeLike(node.value))}) || '%'`;
    case "field":
      return fieldSql(node, add, alias);
    case "status":
      return `${alias}.status = ${add(node.value)}`;
    case "amount":
      return `${amountSql(alias, add)} ${node.op} ${add(node.value)}::numeric`;
    case "amountRange":
      return `${amountSql(alias, add)} between ${add(node.low)}::numeric and ${add(node.high)}::numeric`;
    case "date":
      return `${alias}.booking_date ${node.op} ${add(node.value)}::date`;
    case "not":
      return `not coalesce(${compileQuery(node.item, add, alias)}, false)`;
    case "and":
      return `(${node.items.map((item) => compileQuery(item, add, alias)).join(" and ")})`;
    case "or":
      return `(${node.items.map((item) => compileQuery(item, add, alias)).join(" or ")})`;
  }
}
