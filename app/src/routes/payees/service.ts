import type pg from "pg";
import { type PayeeUse, suggestPayees } from "../../domain/payees.ts";
import type { PayeeQuery, PayeeSuggestionJson } from "./schema.ts";

/**
 * The most distinct spellings read, most recently used first: enough for any household's
 * payees while bounding the work on a ledger of imported card lines that each differ.
 */
const MAX_SPELLINGS = 5000;

interface SpellingRow {
  payee: string;
  uses: number;
  last_used: string;
  category_id: string | null;
  categorised_on: string | null;
  /** The database's day, so ages are counted on the clock that stamps booking dates. */
  today: string;
}

/**
 * Payees to suggest for `q`: every spelling used on a transaction that is not a transfer, with
 * its use, last day and last category, grouped and ranked by suggestPayees.
 */
export async function listPayeeSuggestions(
  db: pg.Pool,
  query: PayeeQuery,
): Promise<PayeeSuggestionJson[]> {
  const { rows } = await db.query<SpellingRow>(
    `select payee,
            count(*)::int as uses,
            max(booking_date)::text as last_used,
            ((array_agg(category_id order by booking_date desc, id desc)
                filter (where category_id is not null))[1])::text as category_id,
            (max(booking_date) filter (where category_id is not null))::text as categorised_on,
            current_date::text as today
       from transactions
      where payee <> '' and transfer_group is null
      group by payee
      order by max(booking_date) desc, payee
      limit $1`,
    [MAX_SPELLINGS],
  );
  const spellings: PayeeUse[] = rows.map((r) => ({
    payee: r.payee,
    uses: r.uses,
    lastUsed: r.last_used,
    categoryId: r.category_id,
    categorisedOn: r.categorised_on,
  }));
  return suggestPayees(spellings, query.q, rows[0]?.today ?? "", query.limit);
}
