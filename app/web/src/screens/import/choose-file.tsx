// Step 1 of the import wizard: the account to import into, chosen explicitly (only a household
// with one open account has it chosen, saying so) or, for a statement that names its account,
// the account with that IBAN; and the bank file, dropped or chosen.
import { Section, SelectField } from "../../components/ui.tsx";
import { type Account, ApiError } from "../../lib/api.ts";
import { useDropZone } from "../../lib/drop-zone.ts";

/**
 * The account select and the drop zone; `onFile` gets the file, with an account chosen or not
 * (the server refuses a file that names no account it knows, on `body.accountId`).
 */
export function ChooseFile(props: {
  accounts: readonly Account[];
  chosen: string;
  /** Why the account was chosen without the user, when it was. */
  reason: string | undefined;
  onAccount: (id: string) => void;
  error: unknown;
  onFile: (file: File) => void;
}) {
  const missing =
    props.error instanceof ApiError && props.error.fields["body.accountId"] !== undefined;
  const take = (file: File | undefined) => {
    if (file) props.onFile(file);
  };
  const drop = useDropZone((files) => {
    take(files?.[0]);
  });
  const options: [string, string][] = props.accounts.map((a) => [
    a.id,
    `${a.name} (${a.currency})`,
  ]);
  return (
    <Section title="1. Choose a bank file">
      <SelectField
        label="Into account"
        name="accountId"
        value={props.chosen}
        options={props.chosen === "" ? [["", "Choose the account…"], ...options] : options}
        onValue={props.onAccount}
        error={props.error}
      />
      {props.reason && props.chosen !== "" && (
        <p class="hint" data-testid="account-reason">
          {props.reason}
        </p>
      )}
      {props.chosen === "" && !missing && (
        <p class="hint" data-testid="account-by-iban">
          Or just drop a bank statement (MT940, CAMT.053, OFX): it goes into the account with the
          IBAN it names.
        </p>
      )}
      {missing && (
        <p class="field-error" role="alert">
          Choose the account this file goes into first: nothing is chosen for you.
        </p>
      )}
      <label class={`dropzone ${drop.dragging ? "dragging" : ""}`} {...drop.handlers}>
        <span class="dropzone-title">Drop a file here or choose one</span>
        <span class="hint">CSV, OFX/QFX, QIF, CAMT.053 or MT940, up to 50 MB</span>
        <input
          type="file"
          aria-label="Bank file"
          accept=".csv,.txt,.ofx,.qfx,.qif,.xml,.sta,.mt940"
          onChange={(e) => {
            take(e.currentTarget.files?.[0]);
            e.currentTarget.value = "";
          }}
        />
      </label>
    </Section>
  );
}
