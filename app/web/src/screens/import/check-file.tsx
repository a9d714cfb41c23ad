// Step 2 of the import wizard: what the file is and the account it goes into, its mapping (CSV),
// a preview of how its first rows will be read, what the commit will book (the server's dry run:
// duplicates and rule matches marked), the lines the server could not read, and the import button.
import type { ComponentChildren } from "preact";
import { Section } from "../../components/ui.tsx";
import { formatBytes } from "../../lib/format.ts";
import type { Mapping } from "../../lib/import-preview.ts";
import { BookingPreviewTable, useBookingPreview } from "./booking-preview.tsx";
import { MappingEditor } from "./mapping-editor.tsx";
import { rowsLabel, type Upload } from "./model.ts";
import { Preview } from "./preview.tsx";

const formatNames: Record<Upload["format"], string> = {
  csv: "CSV",
  ofx: "OFX / QFX",
  qif: "QIF",
  camt053: "CAMT.053 (ISO 20022)",
  mt940: "MT940",
};

/** The lines a commit was refused for: nothing was imported. */
function BadLines(props: { lines: readonly { where: string; message: string }[] }) {
  return (
    <div class="load-error" role="alert">
      <p>Nothing was imported: these lines cannot be read.</p>
      <ul data-testid="bad-lines">
        {props.lines.map((l) => (
          <li key={l.where}>
            {l.where}: {l.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The uploaded file checked before it is imported into `accountName`. */
export function CheckFile(props: {
  upload: Upload;
  mapping: Mapping | undefined;
  onMapping: (mapping: Mapping) => void;
  currency: string;
  accountName: string;
  lines: readonly { where: string; message: string }[];
  /** Whether the file's account fits the chosen one, shown under it. */
  accountCheck: ComponentChildren;
  /** The import waits for the user to settle a file for another account. */
  blocked: boolean;
  allowAccountMismatch: boolean;
  busy: boolean;
  onRestart: () => void;
  onCommit: () => void;
}) {
  const { upload, mapping } = props;
  const booking = useBookingPreview(upload.id, mapping, {
    allowMismatch: props.allowAccountMismatch,
    blocked: props.blocked,
  });
  // Until the server has said how many rows are new, the file's count; a preview that failed
  // (rows it cannot read) still lets the commit say which lines they are.
  const firstLoad =
    booking.loading && !booking.preview && booking.error === undefined && !props.blocked;
  const count = booking.preview?.counts.new ?? upload.rowCount;
  return (
    <>
      <Section title="2. Check the file">
        <p class="import-target" data-testid="import-target">
          Goes into <strong>{props.accountName}</strong>
        </p>
        {props.accountCheck}
        <dl class="facts">
          <dt>File</dt>
          <dd>
            {upload.filename} ({formatBytes(upload.size)})
          </dd>
          <dt>Format</dt>
          <dd data-testid="import-format">{formatNames[upload.format]}</dd>
          <dt>Encoding</dt>
          <dd data-testid="import-encoding">{upload.encoding}</dd>
          <dt>Rows</dt>
          <dd>{upload.rowCount}</dd>
        </dl>
        {upload.format === "csv" && mapping && (
          <MappingEditor upload={upload} mapping={mapping} onMapping={props.onMapping} />
        )}
        <h3>Preview</h3>
        <Preview upload={upload} mapping={mapping} currency={props.currency} />
        <p class="hint" data-testid="twin-hint">
          Transactions you entered by hand are matched, not duplicated: a row with the same amount
          booked at most 3 days before or after one of them is taken as its bank booking and
          skipped.
        </p>
      </Section>
      <Section title="What will be booked">
        <BookingPreviewTable {...booking} blocked={props.blocked} />
      </Section>
      {props.lines.length > 0 && <BadLines lines={props.lines} />}
      <div class="form-actions">
        <button type="button" onClick={props.onRestart}>
          Choose another file
        </button>
        <button
          type="button"
          class="primary"
          disabled={props.busy || firstLoad || props.blocked}
          onClick={props.onCommit}
        >
          Import {rowsLabel(count)} into {props.accountName}
        </button>
      </div>
    </>
  );
}
