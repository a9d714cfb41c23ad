// What committing the file will book, from the server's own dry run (POST /imports/{id}/preview):
// the account it goes into, the counts, and each row with the bank's text, the payee booked,
// and whether it is skipped as a duplicate (of what) or changed by rules (which, setting what).
import { useEffect, useState } from "preact/hooks";
import { Amount, LoadError, Loading } from "../../components/ui.tsx";
import { api } from "../../lib/api.ts";
import { formatCount, formatDate } from "../../lib/format.ts";
import type { Mapping } from "../../lib/import-preview.ts";
import type { BookingPreview } from "./model.ts";

type Row = BookingPreview["rows"][number];
type Rule = Row["rules"][number];

/** How long the mapping must stay put before the preview is asked for again. */
const SETTLE_MS = 300;

/**
 * The server's preview of the import with `mapping`, asked again when the mapping changes
 * (a CSV's mapping not yet complete answers 422, shown as the error).
 */
export function useBookingPreview(
  importId: string,
  mapping: Mapping | undefined,
  account: { allowMismatch: boolean; blocked: boolean } = { allowMismatch: false, blocked: false },
) {
  const { allowMismatch, blocked } = account;
  const [preview, setPreview] = useState<BookingPreview | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const body = JSON.stringify({
    ...(mapping ? { mapping } : {}),
    ...(allowMismatch ? { allowAccountMismatch: true } : {}),
  });
  useEffect(() => {
    // A file for another account is not previewed (the server refuses it) until it is settled.
    if (blocked) {
      setPreview(undefined);
      setError(undefined);
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      api
        .post<BookingPreview>(`/imports/${importId}/preview`, JSON.parse(body) as object)
        .then((answer) => {
          if (!live) return;
          setPreview(answer);
          setError(undefined);
        })
        .catch((e: unknown) => {
          if (!live) return;
          setPreview(undefined);
          setError(e);
        })
        .finally(() => {
          if (live) setLoading(false);
        });
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [importId, body, attempt, blocked]);
  return {
    preview,
    error,
    loading,
    retry: () => {
      setAttempt((n) => n + 1);
    },
  };
}

const duplicateReasons: Record<NonNullable<Row["duplicate"]>["reason"], string> = {
  bank_id: "same bank reference",
  fingerprint: "same date, amount and text",
  matched: "entered by hand",
};

/** What a duplicate row repeats, in words. */
function DuplicateOf(props: { duplicate: NonNullable<Row["duplicate"]>; currency: string }) {
  const { duplicate } = props;
  const t = duplicate.transaction;
  return (
    <span class="preview-mark duplicate">
      <strong>Duplicate, skipped</strong> ({duplicateReasons[duplicate.reason]}):{" "}
      {t ? (
        <>
          {t.payee || "a transaction"} on {formatDate(t.date)} (
          <Amount value={t.amount} currency={props.currency} />)
        </>
      ) : (
        `line ${String(duplicate.line ?? "?")} of this file`
      )}
    </span>
  );
}

/** What one rule sets, in words: "category Food, payee City Market". */
function ruleSets(rule: Rule): string {
  const parts: string[] = [];
  if (rule.sets.category) parts.push(`category ${rule.sets.category.name}`);
  if (rule.sets.payee !== undefined) parts.push(`payee “${rule.sets.payee}”`);
  if (rule.sets.tags?.length) parts.push(`tag ${rule.sets.tags.join(", ")}`);
  if (rule.sets.notes !== undefined) parts.push("notes");
  return parts.join(", ") || "nothing new";
}

/** A row's outcome: skipped as a duplicate, changed by rules, or booked as read. */
function Outcome(props: { row: Row; currency: string }) {
  const { row } = props;
  if (row.duplicate) return <DuplicateOf duplicate={row.duplicate} currency={props.currency} />;
  if (row.rules.length === 0) return <span class="preview-mark">New</span>;
  return (
    <span class="preview-mark rule">
      <strong>New, by rules:</strong>
      <ul class="plain">
        {row.rules.map((r) => (
          <li key={r.id}>
            {r.name} → {ruleSets(r)}
          </li>
        ))}
      </ul>
    </span>
  );
}

/** The counts over the whole file: "120 new, 3 duplicates, 45 categorised by rules". */
export function previewCounts(counts: BookingPreview["counts"]): string {
  const parts = [
    `${formatCount(counts.new)} new`,
    `${formatCount(counts.duplicates)} ${counts.duplicates === 1 ? "duplicate" : "duplicates"}`,
    `${formatCount(counts.categorised)} categorised by rules`,
  ];
  if (counts.ruleMatched > counts.categorised) {
    parts.push(`${formatCount(counts.ruleMatched - counts.categorised)} more changed by rules`);
  }
  return parts.join(", ");
}

/** The rows the commit would book or skip, with the counts over the whole file. */
export function BookingPreviewTable(props: {
  preview: BookingPreview | undefined;
  error: unknown;
  loading: boolean;
  retry: () => void;
  /** The file is for another account and waits for the user. */
  blocked?: boolean;
}) {
  const { preview } = props;
  if (!preview) {
    if (props.blocked) {
      return (
        <p class="hint" data-testid="preview-waits">
          Shown once the account is settled: the file's own account, or this one confirmed.
        </p>
      );
    }
    if (props.error !== undefined && !props.loading) {
      return <LoadError error={props.error} retry={props.retry} />;
    }
    return <Loading label="Working out what will be booked…" />;
  }
  const currency = preview.account.currency;
  return (
    <>
      <p class="preview-counts" role="status" data-testid="preview-counts">
        {previewCounts(preview.counts)}
        {props.loading && <span class="muted"> (updating…)</span>}
      </p>
      <div class="table-wide" tabIndex={0} aria-label="What will be booked">
        <table class="booking-preview">
          <caption class="sr-only">What the import will book, line by line</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Date</th>
              <th scope="col">Bank's text</th>
              <th scope="col">Payee to book</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row) => (
              <tr
                key={row.line}
                class={row.duplicate ? "is-duplicate" : row.rules.length ? "is-ruled" : undefined}
              >
                <td class="num" data-label="Line">
                  {row.line}
                </td>
                <td data-label="Date">{formatDate(row.date)}</td>
                <td class="wrap" data-label="Bank's text">
                  {row.bankPayee}
                  {row.bankText && <span class="bank-text">{row.bankText}</span>}
                </td>
                <td class="wrap" data-label="Payee to book">
                  {row.payee}
                  {row.category && <span class="badge">{row.category.name}</span>}
                </td>
                <td class="num" data-label="Amount">
                  <Amount value={row.amount} currency={currency} />
                </td>
                <td class="wrap" data-label="Outcome">
                  <Outcome row={row} currency={currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {preview.truncated && (
        <p class="hint">
          The first {formatCount(preview.rows.length)} of {formatCount(preview.counts.rows)} rows
          are shown; the counts cover them all.
        </p>
      )}
    </>
  );
}
