// The import wizard: drop a bank file -> what it is (format, encoding) and its first rows -> for
// CSV, the column mapping with a live preview of parsed dates and amounts -> what was imported,
// skipped as a duplicate or refused (with line numbers), and an undo. Below it the past imports,
// each with why its last commit did not finish, when it did not.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  Amount,
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  Section,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import { type Account, api, ApiError, messageOf } from "../lib/api.ts";
import { refreshAccounts, useAccounts } from "../lib/data.ts";
import { asSentence, formatBytes, formatCount, formatDate, formatDateTime } from "../lib/format.ts";
import {
  type AmountLayout,
  DATE_FORMATS,
  layoutOf,
  type Mapping,
  previewRow,
  withLayout,
} from "../lib/import-preview.ts";
import { type Resource, useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";

interface Upload {
  id: string;
  accountId: string | null;
  filename: string;
  format: "csv" | "ofx" | "qif" | "camt053" | "mt940";
  encoding: string;
  size: number;
  rowCount: number;
  preview: { columns: string[]; rows: string[][] };
  suggestedMapping: Mapping | null;
}

/** An import as GET /imports lists it. */
interface ImportRecord {
  id: string;
  accountId: string | null;
  filename: string;
  format: Upload["format"];
  rowCount: number;
  status: "uploading" | "uploaded" | "committing" | "committed" | "undone";
  processed: number;
  imported: number;
  duplicates: number;
  /** Why the last commit did not finish (refused, or interrupted); null once one succeeded. */
  error: string | null;
  createdAt: string;
  committedAt: string | null;
}

/** How many past imports the list shows. */
const PAST_IMPORTS = 20;
/** How often an import still being committed (its answer was lost) is read again. */
const POLL_MS = 2000;

interface CommitResult {
  imported: number;
  duplicates: number;
  errors: { line: number; column?: string; message: string }[];
  skipped: { line: number; reason: "bank_id" | "fingerprint" | "matched" }[];
}

const formatNames: Record<Upload["format"], string> = {
  csv: "CSV",
  ofx: "OFX / QFX",
  qif: "QIF",
  camt053: "CAMT.053 (ISO 20022)",
  mt940: "MT940",
};

const skipReasons: Record<CommitResult["skipped"][number]["reason"], string> = {
  bank_id: "same bank reference as an earlier import",
  fingerprint: "same date, amount and text as an existing transaction",
  matched: "matches a transaction entered by hand",
};

// A bank's mapping is remembered per header line: the next file from that bank maps itself.
const profileKey = (columns: readonly string[]) => `fintrack.import.${columns.join("|")}`;

function rememberedMapping(columns: readonly string[]): Mapping | undefined {
  try {
    const text = localStorage.getItem(profileKey(columns));
    return text === null ? undefined : (JSON.parse(text) as Mapping);
  } catch {
    return undefined;
  }
}

function defaultMapping(): Mapping {
  return {
    hasHeader: true,
    skipRows: 0,
    dateColumn: 0,
    dateFormat: "YYYY-MM-DD",
    amountColumn: 1,
    decimalSeparator: ".",
    thousandsSeparator: "",
    payeeColumn: null,
    descriptionColumns: [],
    invertSign: false,
  };
}

/** "1 row", "3 rows". */
function rowsLabel(n: number): string {
  return `${String(n)} ${n === 1 ? "row" : "rows"}`;
}

/** The lines the API refused, from a 422 problem ("line 3, amount" -> message). */
function badLines(error: unknown): { where: string; message: string }[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields)
    .filter(([path]) => path.startsWith("line"))
    .map(([where, message]) => ({ where, message }));
}

const layoutOptions: [AmountLayout, string][] = [
  ["signed", "One signed column"],
  ["split", "Debit and credit columns"],
  ["direction", "Amount + direction column"],
];

/** Comma-separated values of a direction column, edited as text so commas can be typed. */
function ValuesField(props: {
  label: string;
  name: string;
  hint: string;
  values: readonly string[];
  onValues: (values: string[]) => void;
}) {
  const [text, setText] = useState(props.values.join(", "));
  const joined = props.values.join(", ");
  useEffect(() => {
    // Another layout or a remembered mapping replaced the values: show those.
    setText((t) => (splitValues(t).join(", ") === joined ? t : joined));
  }, [joined]);
  return (
    <TextField
      label={props.label}
      name={props.name}
      hint={props.hint}
      value={text}
      onValue={(value) => {
        setText(value);
        props.onValues(splitValues(value));
      }}
    />
  );
}

function splitValues(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "")
    .slice(0, 20);
}

/** The amount layout and the columns (and direction values) that layout reads. */
function AmountFields(props: {
  mapping: Mapping;
  columnOptions: [string, string][];
  rows: readonly (readonly string[])[];
  onMapping: (m: Mapping) => void;
}) {
  const { mapping, columnOptions, onMapping } = props;
  const set = (patch: Partial<Mapping>) => {
    onMapping({ ...mapping, ...patch });
  };
  const layout = layoutOf(mapping);
  // The distinct values of the direction column in the preview rows, to help fill the lists.
  const directionSample =
    mapping.directionColumn == null
      ? ""
      : [
          ...new Set(
            props.rows
              .map((r) => (r[mapping.directionColumn ?? 0] ?? "").trim())
              .filter((v) => v !== ""),
          ),
        ]
          .slice(0, 6)
          .join(", ");
  return (
    <>
      <SelectField
        label="Amounts are in"
        name="amountLayout"
        value={layout}
        options={layoutOptions}
        onValue={(v) => {
          onMapping(withLayout(mapping, v as AmountLayout, columnOptions.length));
        }}
      />
      {layout !== "split" && (
        <SelectField
          label="Amount column"
          name="amountColumn"
          value={String(mapping.amountColumn ?? 0)}
          options={columnOptions}
          onValue={(v) => {
            set({ amountColumn: Number(v) });
          }}
        />
      )}
      {layout === "split" && (
        <>
          <SelectField
            label="Debit column (money out)"
            name="debitColumn"
            value={String(mapping.debitColumn ?? 0)}
            options={columnOptions}
            onValue={(v) => {
              set({ debitColumn: Number(v) });
            }}
          />
          <SelectField
            label="Credit column (money in)"
            name="creditColumn"
            value={String(mapping.creditColumn ?? 0)}
            options={columnOptions}
            onValue={(v) => {
              set({ creditColumn: Number(v) });
            }}
          />
        </>
      )}
      {layout === "direction" && (
        <>
          <SelectField
            label="Credit/debit column"
            name="directionColumn"
            value={String(mapping.directionColumn ?? 0)}
            options={columnOptions}
            onValue={(v) => {
              set({ directionColumn: Number(v) });
            }}
          />
          <ValuesField
            label="Values meaning money in"
            name="creditValues"
            hint={`Comma-separated, any case${directionSample ? `; this file has ${directionSample}` : ""}`}
            values={mapping.creditValues ?? []}
            onValues={(values) => {
              set({ creditValues: values });
            }}
          />
          <ValuesField
            label="Values meaning money out"
            name="debitValues"
            hint="Comma-separated, any case"
            values={mapping.debitValues ?? []}
            onValues={(values) => {
              set({ debitValues: values });
            }}
          />
        </>
      )}
    </>
  );
}

function MappingEditor(props: {
  upload: Upload;
  mapping: Mapping;
  onMapping: (m: Mapping) => void;
}) {
  const { upload, mapping, onMapping } = props;
  const columnOptions: [string, string][] = upload.preview.columns.map((c, i) => [
    String(i),
    c || `Column ${String(i + 1)}`,
  ]);
  const optional: [string, string][] = [["", "(none)"], ...columnOptions];
  const set = (patch: Partial<Mapping>) => {
    onMapping({ ...mapping, ...patch });
  };
  const col = (v: string) => (v === "" ? null : Number(v));
  const layout = layoutOf(mapping);
  return (
    <div class="mapping-grid">
      <SelectField
        label="Date column"
        name="dateColumn"
        value={String(mapping.dateColumn)}
        options={columnOptions}
        onValue={(v) => {
          set({ dateColumn: Number(v) });
        }}
      />
      <SelectField
        label="Date format"
        name="dateFormat"
        value={mapping.dateFormat}
        options={DATE_FORMATS.map((f) => [f, f])}
        onValue={(v) => {
          set({ dateFormat: v as Mapping["dateFormat"] });
        }}
      />
      <AmountFields
        mapping={mapping}
        columnOptions={columnOptions}
        rows={upload.preview.rows}
        onMapping={onMapping}
      />
      <SelectField
        label="Decimal separator"
        name="decimalSeparator"
        value={mapping.decimalSeparator}
        options={[
          [".", "Point (1234.50)"],
          [",", "Comma (1234,50)"],
        ]}
        onValue={(v) => {
          set({
            decimalSeparator: v === "," ? "," : ".",
            thousandsSeparator:
              v === ","
                ? "."
                : mapping.thousandsSeparator === "."
                  ? ""
                  : mapping.thousandsSeparator,
          });
        }}
      />
      <SelectField
        label="Payee column"
        name="payeeColumn"
        value={mapping.payeeColumn == null ? "" : String(mapping.payeeColumn)}
        options={optional}
        onValue={(v) => {
          set({ payeeColumn: col(v) });
        }}
      />
      <SelectField
        label="Description column"
        name="descriptionColumns"
        value={String(mapping.descriptionColumns?.[0] ?? "")}
        options={optional}
        onValue={(v) => {
          set({ descriptionColumns: v === "" ? [] : [Number(v)] });
        }}
      />
      {layout === "signed" && (
        <label class="check">
          <input
            type="checkbox"
            checked={mapping.invertSign ?? false}
            onChange={(e) => {
              set({ invertSign: e.currentTarget.checked });
            }}
          />
          Money out is positive in this file (flip signs)
        </label>
      )}
    </div>
  );
}

function Preview(props: { upload: Upload; mapping: Mapping | undefined; currency: string }) {
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

const statusLabels: Record<ImportRecord["status"], string> = {
  uploading: "uploading",
  uploaded: "not imported",
  committing: "importing",
  committed: "imported",
  undone: "undone",
};

/** What became of an import, in a few words. */
function importOutcome(i: ImportRecord): string {
  switch (i.status) {
    case "committed":
      return `${formatCount(i.imported)} imported, ${formatCount(i.duplicates)} duplicates skipped`;
    case "committing":
      return `${formatCount(i.processed)} of ${rowsLabel(i.rowCount)} read`;
    case "undone":
      return "undone, its transactions removed";
    default:
      return `${rowsLabel(i.rowCount)}, nothing booked`;
  }
}

/** The latest imports, newest first, each with why its last commit failed when it did. */
function PastImports(props: {
  imports: Resource<{ data: ImportRecord[] }>;
  accounts: readonly Account[] | undefined;
}) {
  const { imports } = props;
  const accountName = (id: string | null) =>
    props.accounts?.find((a) => a.id === id)?.name ?? "a deleted account";
  const list = imports.data?.data ?? [];
  return (
    <Section title="Past imports">
      {imports.loading && !imports.data && <Loading />}
      {imports.error !== undefined && <LoadError error={imports.error} retry={imports.reload} />}
      {imports.data && list.length === 0 && <p class="muted">No bank file imported yet.</p>}
      {list.length > 0 && (
        <ul class="list" data-testid="past-imports">
          {list.map((i) => (
            <li key={i.id} class="list-row past-import">
              <span class="list-main">
                <span class="list-title">
                  {i.filename} <span class="badge">{statusLabels[i.status]}</span>
                </span>
                <span class="list-sub">
                  {formatDateTime(i.createdAt)} · {accountName(i.accountId)} · {importOutcome(i)}
                </span>
                {i.error && (
                  <span class="import-error">
                    <strong>Last commit failed:</strong> {i.error}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/**
 * The result of a commit that did not go through: the import's own `error` (why it was refused,
 * or that the server stopped mid-way), or that it is still running when its answer was lost.
 */
function FailedCommit(props: {
  stored: ImportRecord;
  error: unknown;
  busy: boolean;
  onRestart: () => void;
  onBack: () => void;
  onRetry: () => void;
}) {
  const { stored } = props;
  return (
    <Section title="3. Result">
      {stored.status === "committing" ? (
        <p class="loading" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true" />
          Still importing: {formatCount(stored.processed)} of {rowsLabel(stored.rowCount)} read…
        </p>
      ) : (
        <div class="load-error" role="alert" data-testid="import-error">
          <p>
            <strong>Nothing was imported.</strong>
          </p>
          <p>{asSentence(stored.error ?? messageOf(props.error))}</p>
        </div>
      )}
      <div class="form-actions">
        <button type="button" onClick={props.onRestart}>
          Choose another file
        </button>
        {stored.status === "uploaded" && (
          <>
            <button type="button" onClick={props.onBack}>
              Back to the file
            </button>
            <button type="button" class="primary" disabled={props.busy} onClick={props.onRetry}>
              Try again
            </button>
          </>
        )}
      </div>
    </Section>
  );
}

/**
 * What a failed commit left, read from the import itself: the answer may have been lost (a proxy
 * timed out) while the commit finished or is still running. A running one is read again until it
 * ends; one that went through is handed to `onCommitted` as its counts. `onRead` follows each read.
 */
function useCommitOutcome(onCommitted: (result: CommitResult) => void, onRead: () => void) {
  const [stored, setStored] = useState<ImportRecord | undefined>(undefined);
  const handlers = useRef({ onCommitted, onRead });
  handlers.current = { onCommitted, onRead };
  const settle = useCallback(async (id: string) => {
    const now = await api.get<ImportRecord>(`/imports/${id}`).catch(() => undefined);
    if (now?.status === "committed") {
      setStored(undefined);
      handlers.current.onCommitted({
        imported: now.imported,
        duplicates: now.duplicates,
        errors: [],
        skipped: [],
      });
    } else {
      setStored(now);
    }
    handlers.current.onRead();
  }, []);
  useEffect(() => {
    if (stored?.status !== "committing") return;
    const timer = setTimeout(() => {
      void settle(stored.id);
    }, POLL_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [stored, settle]);
  return { stored, setStored, settle };
}

/** The import wizard. */
export function ImportScreen() {
  const canWrite = useCanWrite();
  const accounts = useAccounts();
  const open = accounts.data?.filter((a) => !a.archived) ?? [];
  const [accountId, setAccountId] = useState("");
  const chosen = (accountId === "" ? open[0]?.id : accountId) ?? "";
  const currency = open.find((a) => a.id === chosen)?.currency ?? "EUR";
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [upload, setUpload] = useState<Upload | undefined>(undefined);
  const [mapping, setMapping] = useState<Mapping | undefined>(undefined);
  const [result, setResult] = useState<CommitResult | undefined>(undefined);
  const [undone, setUndone] = useState<number | undefined>(undefined);
  const [dragging, setDragging] = useState(false);
  const past = useResource(
    () => api.get<{ data: ImportRecord[] }>(`/imports?limit=${String(PAST_IMPORTS)}`),
    [],
  );
  const { stored, setStored, settle } = useCommitOutcome((committed) => {
    setError(undefined);
    setResult(committed);
    void refreshAccounts();
  }, past.reload);

  const send = async (file: File) => {
    setError(undefined);
    setStored(undefined);
    setResult(undefined);
    setUndone(undefined);
    setBusy("Reading the file…");
    try {
      const form = new FormData();
      form.append("accountId", chosen);
      form.append("file", file, file.name);
      const answer = await api.form<Upload>("/imports", form);
      setUpload(answer);
      if (answer.format === "csv") {
        setMapping(
          rememberedMapping(answer.preview.columns) ?? answer.suggestedMapping ?? defaultMapping(),
        );
      } else setMapping(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const commit = async () => {
    if (!upload) return;
    setError(undefined);
    setStored(undefined);
    setBusy("Importing…");
    try {
      const body = upload.format === "csv" && mapping ? { mapping } : {};
      const answer = await api.post<CommitResult>(`/imports/${upload.id}/commit`, body);
      if (upload.format === "csv" && mapping) {
        localStorage.setItem(profileKey(upload.preview.columns), JSON.stringify(mapping));
      }
      setResult(answer);
      void refreshAccounts();
      past.reload();
    } catch (e) {
      setError(e);
      await settle(upload.id);
    } finally {
      setBusy(undefined);
    }
  };

  const undo = async () => {
    if (!upload) return;
    setBusy("Undoing…");
    try {
      await api.del(`/imports/${upload.id}`);
      setUndone(result?.imported ?? 0);
      void refreshAccounts();
      past.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const restart = () => {
    setUpload(undefined);
    setMapping(undefined);
    setResult(undefined);
    setUndone(undefined);
    setError(undefined);
    setStored(undefined);
  };

  const lines = useMemo(() => badLines(error), [error]);
  // A refused or interrupted commit is shown as the result; bad lines stay by the mapping.
  const failed = stored !== undefined && lines.length === 0;

  if (!canWrite) {
    return (
      <div class="page">
        <PageHeader title="Import" />
        <Empty title="Importing needs edit rights">
          <p>Ask the household's owner to make you a member.</p>
        </Empty>
      </div>
    );
  }

  return (
    <div class="page">
      <PageHeader title="Import" />
      {accounts.data && open.length === 0 && (
        <Empty title="No account to import into">
          <p>
            <a href="/accounts">Add an account</a> first.
          </p>
        </Empty>
      )}
      {open.length > 0 && !upload && (
        <Section title="1. Choose a bank file">
          <SelectField
            label="Into account"
            name="accountId"
            value={chosen}
            options={open.map((a) => [a.id, `${a.name} (${a.currency})`])}
            onValue={setAccountId}
            error={error}
          />
          <label
            class={`dropzone ${dragging ? "dragging" : ""}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => {
              setDragging(false);
            }}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              const file = e.dataTransfer?.files[0];
              if (file) void send(file);
            }}
          >
            <span class="dropzone-title">Drop a file here or choose one</span>
            <span class="hint">CSV, OFX/QFX, QIF, CAMT.053 or MT940, up to 50 MB</span>
            <input
              type="file"
              aria-label="Bank file"
              accept=".csv,.txt,.ofx,.qfx,.qif,.xml,.sta,.mt940"
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) void send(file);
                e.currentTarget.value = "";
              }}
            />
          </label>
        </Section>
      )}
      {busy && <Loading label={busy} />}
      {!lines.length && !failed && <FormError error={error} />}
      {upload && !result && !failed && (
        <>
          <Section title="2. Check the file">
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
              <MappingEditor upload={upload} mapping={mapping} onMapping={setMapping} />
            )}
            <h3>Preview</h3>
            <Preview upload={upload} mapping={mapping} currency={currency} />
            <p class="hint" data-testid="twin-hint">
              Transactions you entered by hand are matched, not duplicated: a row with the same
              amount booked at most 3 days before or after one of them is taken as its bank booking
              and skipped.
            </p>
          </Section>
          {lines.length > 0 && (
            <div class="load-error" role="alert">
              <p>Nothing was imported: these lines cannot be read.</p>
              <ul data-testid="bad-lines">
                {lines.map((l) => (
                  <li key={l.where}>
                    {l.where}: {l.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div class="form-actions">
            <button type="button" onClick={restart}>
              Choose another file
            </button>
            <button
              type="button"
              class="primary"
              disabled={busy !== undefined}
              onClick={() => void commit()}
            >
              Import {rowsLabel(upload.rowCount)}
            </button>
          </div>
        </>
      )}
      {upload && !result && failed && (
        <FailedCommit
          stored={stored}
          error={error}
          busy={busy !== undefined}
          onRestart={restart}
          onBack={() => {
            setStored(undefined);
            setError(undefined);
          }}
          onRetry={() => void commit()}
        />
      )}
      {upload && result && (
        <Section title="3. Result">
          {undone === undefined ? (
            <p class="import-summary" role="status">
              Imported <strong data-testid="imported">{result.imported}</strong>, skipped{" "}
              <strong data-testid="duplicates">{result.duplicates}</strong> duplicates.
            </p>
          ) : (
            <p class="import-summary" role="status">
              Undone: the {undone} imported transactions were removed.
            </p>
          )}
          {result.skipped.length > 0 && (
            <>
              <h3>Skipped duplicates</h3>
              <ul class="plain">
                {result.skipped.slice(0, 50).map((s) => (
                  <li key={s.line}>
                    Line {s.line}: {skipReasons[s.reason]}
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.errors.length > 0 && (
            <>
              <h3>Bad lines</h3>
              <ul class="plain">
                {result.errors.map((e) => (
                  <li key={`${String(e.line)}${e.column ?? ""}`}>
                    Line {e.line}
                    {e.column ? `, ${e.column}` : ""}: {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div class="form-actions">
            {undone === undefined && result.imported > 0 && (
              <button type="button" class="danger" onClick={() => void undo()}>
                Undo this import
              </button>
            )}
            <button type="button" class="primary" onClick={restart}>
              Import another file
            </button>
            {upload.accountId && (
              <a class="button" href={`/accounts/${upload.accountId}`}>
                Open the account
              </a>
            )}
          </div>
        </Section>
      )}
      <PastImports imports={past} accounts={accounts.data} />
    </div>
  );
}
