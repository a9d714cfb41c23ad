// The column mapping of a CSV file: which column holds the date, the amount (one signed column,
// debit and credit columns, or an amount and a direction), the payee and the description.
import { useEffect, useState } from "preact/hooks";
import { SelectField, TextField } from "../../components/ui.tsx";
import {
  type AmountLayout,
  DATE_FORMATS,
  layoutOf,
  type Mapping,
  withLayout,
} from "../../lib/import-preview.ts";
import type { Upload } from "./model.ts";

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

/** The mapping's fields for `upload`'s columns. */
export function MappingEditor(props: {
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
