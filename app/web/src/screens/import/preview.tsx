// The first rows of an uploaded file: as they are, or as the mapping will read them.
import { Amount } from "../../components/ui.tsx";
import { formatDate } from "../../lib/format.ts";
import { type Mapping, previewRow } from "../../lib/import-preview.ts";
import type { Upload } from "./model.ts";

/** Without a mapping the file's own columns; with one, the date, payee and amount it reads. */
export function Preview(props: { upload: Upload; mapping: Mapping | undefined; currency: string }) {
  const { upload, mapping } = props;
  const rows = upload.preview.rows.slice(0, 8);
  if (mapping === undefined) {
    return (
      <div class="table-wide" tabIndex={0} aria-label="File preview">
        <table>
          <caption class="sr-only">The first rows of {upload.filename}</caption>
          <thead>
            <tr>
              {upload.preview.columns.map((c, i) => (
                <th key={i} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div class="table-wide" tabIndex={0} aria-label="Parsed preview">
      <table class="import-preview">
        <caption class="sr-only">How the first rows will be read</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Payee</th>
            <th scope="col" class="num">
              Amount
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const p = previewRow(r, mapping);
            return (
              <tr key={i}>
                <td>{p.date ? formatDate(p.date) : <span class="bad">✗ not a date</span>}</td>
                <td class="wrap">{p.payee}</td>
                <td class="num">
                  {p.amount !== undefined ? (
                    <Amount value={p.amount} currency={props.currency} />
                  ) : (
                    <span class="bad">✗ {p.problem ?? "not an amount"}</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
