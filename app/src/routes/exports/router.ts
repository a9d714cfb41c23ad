import type pg from "pg";
import { z } from "zod";
import { route, type Route } from "../../http/route.ts";
import { PlainDateSchema } from "../../domain/dates.ts";
import { parseId } from "../../http/ids.ts";
import { formatMinor } from "../../http/amounts.ts";
import { csvField, csvLine } from "./csv.ts";
import { clientReady } from "../../http/drained.ts";

const tag = "exports";

const HEADER = [
  "id",
  "date",
  "account",
  "amount",
  "currency",
  "payee",
  "description",
  "notes",
  "category",
  "tags",
  "status",
];

interface ExportRow {
  id: string;
  date: string;
  account: string;
  amount: string;
  currency: string;
  payee: string;
  description: string;
  notes: string;
  category: string | null;
  tags: string[];
  status: string;
}

/** Downloads: the transactions as CSV. */
export function exportRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "get",
      path: "/exports/transactions.csv",
      operationId: "exportTransactionsCsv",
      summary: "Download transactions as CSV (RFC 4180, UTF-8, ISO dates, decimal point)",
      description: "Cells a spreadsheet would run as formulas are prefixed with an apostrophe.",
      tag,
      access: "read",
      query: z.object({
        accountId: z
          .string()
          .refine((t) => parseId(t) !== undefined, "is not an id")
          .optional(),
        // Calendar dates, checked before the header is sent: PostgreSQL refusing 2026-02-30
        // mid-stream could only reset the connection.
        from: PlainDateSchema.optional(),
        to: PlainDateSchema.optional(),
      }),
      responses: { 200: { description: "The CSV file", contentType: "text/csv" } },
      handler: async ({ query, res }) => {
        res
          .status(200)
          .type("text/csv; charset=utf-8")
          .set("Content-Disposition", 'attachment; filename="transactions.csv"');
        res.write(csvLine(HEADER));
        const pageSize = 5000;
        let after: { date: string; id: string } | undefined;
        for (;;) {
          // The next page only once the client has taken this one (see drained.ts).
          if (!(await clientReady(res))) return undefined;
          const { rows } = await db.query<ExportRow>(
            `select t.id::text, t.booking_date::text as date, a.name as account, t.amount::text,
               t.currency, t.payee, t.description, t.notes, c.name as category, t.tags, t.status
             from transactions t join accounts a on a.id = t.account_id
             left join categories c on c.id = t.category_id
             where ($1::bigint is null or t.account_id = $1) and ($2::date is null or t.booking_date >= $2)
               and ($3::date is null or t.booking_date <= $3)
               and ($4::date is null or (t.booking_date, t.id) > ($4::date, $5::bigint))
             order by t.booking_date, t.id limit ${pageSize}`,
            [
              query.accountId ?? null,
              query.from ?? null,
              query.to ?? null,
              after?.date ?? null,
              after?.id ?? null,
            ],
          );
          for (const row of rows) {
            res.write(
              csvLine([
                row.id,
                row.date,
                csvField(row.account),
                formatMinor(row.amount, row.currency),
                row.currency,
                csvField(row.payee),
                csvField(row.description),
                csvField(row.notes),
                csvField(row.category ?? ""),
                csvField(row.tags.join(";")),
                row.status,
              ]),
            );
          }
          const last = rows.at(-1);
          if (last === undefined || rows.length < pageSize) break;
          after = { date: last.date, id: last.id };
        }
        res.end();
        return undefined;
      },
    }),
  ];
}
