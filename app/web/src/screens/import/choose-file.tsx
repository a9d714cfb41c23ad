// Step 1 of the import wizard: the account to import into and the bank file, dropped or chosen.
import { Section, SelectField } from "../../components/ui.tsx";
import type { Account } from "../../lib/api.ts";
import { useDropZone } from "../../lib/drop-zone.ts";

/** The account select and the drop zone; `onFile` gets the file dropped or chosen. */
export function ChooseFile(props: {
  accounts: readonly Account[];
  chosen: string;
  onAccount: (id: string) => void;
  error: unknown;
  onFile: (file: File) => void;
}) {
  const drop = useDropZone((files) => {
    const file = files?.[0];
    if (file) props.onFile(file);
  });
  return (
    <Section title="1. Choose a bank file">
      <SelectField
        label="Into account"
        name="accountId"
        value={props.chosen}
        options={props.accounts.map((a) => [a.id, `${a.name} (${a.currency})`])}
        onValue={props.onAccount}
        error={props.error}
      />
      <label class={`dropzone ${drop.dragging ? "dragging" : ""}`} {...drop.handlers}>
        <span class="dropzone-title">Drop a file here or choose one</span>
        <span class="hint">CSV, OFX/QFX, QIF, CAMT.053 or MT940, up to 50 MB</span>
        <input
          type="file"
          aria-label="Bank file"
          accept=".csv,.txt,.ofx,.qfx,.qif,.xml,.sta,.mt940"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) props.onFile(file);
            e.currentTarget.value = "";
          }}
        />
      </label>
    </Section>
  );
}
