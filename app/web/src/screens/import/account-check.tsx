// Whether the uploaded file is for the account it goes into: a bank statement names its account
// (MT940 :25:, CAMT.053 Acct/Id, OFX ACCTID), the server says whose IBAN that is, and a file for
// another IBAN is not imported until the user switches account or confirms (an old IBAN, say).
// After an import into an account without IBAN, the file's IBAN can be remembered for it.
import { useState } from "preact/hooks";
import { FormError } from "../../components/ui.tsx";
import { api, type Account } from "../../lib/api.ts";
import { refreshAccounts } from "../../lib/data.ts";
import type { Upload } from "./model.ts";

/**
 * How the file's account and the chosen account relate. `mismatch`: the file is another
 * account's, or the chosen account's IBAN is another; `refused` when the server will not book it
 * unless told to (the chosen account has an IBAN).
 */
export type AccountFit =
  | { kind: "unnamed" }
  | { kind: "matches"; named: string }
  | { kind: "unknown"; named: string }
  | {
      kind: "mismatch";
      named: string;
      chosen: Account | undefined;
      match: Account | undefined;
      refused: boolean;
    };

/** How the file's statement account fits the account it was uploaded into. */
export function accountFit(upload: Upload, accounts: readonly Account[]): AccountFit {
  const statement = upload.statementAccount;
  if (statement === null) return { kind: "unnamed" };
  const named = statement.iban ?? statement.identifier;
  if (statement.accountId !== null && statement.accountId === upload.accountId) {
    return { kind: "matches", named };
  }
  const chosen = accounts.find((a) => a.id === upload.accountId);
  const match = accounts.find((a) => a.id === statement.accountId);
  const refused = chosen?.iban != null;
  if (match === undefined && !refused) return { kind: "unknown", named };
  return { kind: "mismatch", named, chosen, match, refused };
}

/** What the check says about the file's account, and for another IBAN the two ways on. */
export function AccountCheck(props: {
  fit: AccountFit;
  accountName: string;
  allowMismatch: boolean;
  onAllowMismatch: (allow: boolean) => void;
  onSwitch: (accountId: string) => void;
}) {
  const { fit } = props;
  if (fit.kind === "unnamed") return null;
  if (fit.kind === "matches") {
    return (
      <p class="hint" data-testid="account-fit">
        The file is a statement of <span class="iban">{fit.named}</span>, the IBAN of{" "}
        {props.accountName}.
      </p>
    );
  }
  if (fit.kind === "unknown") {
    return (
      <p class="hint" data-testid="account-fit">
        The file is a statement of <span class="iban">{fit.named}</span>.
      </p>
    );
  }
  const { chosen, match } = fit;
  const chosenName = chosen?.name ?? props.accountName;
  return (
    <div class="notice account-mismatch" role="alert" data-testid="account-mismatch">
      <p>
        <strong>This file is for another account.</strong> It is a statement of{" "}
        <span class="iban">{fit.named}</span>
        {match ? ` (${match.name})` : ""}, but you chose {chosenName}
        {chosen?.iban ? (
          <>
            , whose IBAN is <span class="iban">{chosen.iban}</span>
          </>
        ) : (
          ", which has no IBAN"
        )}
        .
      </p>
      {match && (
        <button
          type="button"
          class="primary"
          onClick={() => {
            props.onSwitch(match.id);
          }}
        >
          Import into {match.name} instead
        </button>
      )}
      {fit.refused && (
        <label class="check">
          <input
            type="checkbox"
            checked={props.allowMismatch}
            onChange={(e) => {
              props.onAllowMismatch(e.currentTarget.checked);
            }}
          />
          Import into {chosenName} anyway: the file is this account's (under an old IBAN, say)
        </label>
      )}
    </div>
  );
}

/**
 * After an import into an account without IBAN from a file that names one no account has: the
 * offer to remember it for that account, an explicit change the user makes, never a silent one.
 */
export function RememberIban(props: { upload: Upload; accounts: readonly Account[] }) {
  const [state, setState] = useState<"offered" | "busy" | "saved">("offered");
  const [error, setError] = useState<unknown>(undefined);
  const iban = props.upload.statementAccount?.iban ?? null;
  const account = props.accounts.find((a) => a.id === props.upload.accountId);
  const known = props.upload.statementAccount?.accountId != null;
  if (iban === null || account === undefined || known) return null;
  if (state === "saved") {
    return (
      <p class="notice" role="status" data-testid="iban-remembered">
        Saved: files for <span class="iban">{iban}</span> go into {account.name} from now on.
      </p>
    );
  }
  if (account.iban !== null) return null;
  const remember = async () => {
    setState("busy");
    setError(undefined);
    try {
      await api.patch(`/accounts/${account.id}`, { iban }, { version: account.version });
      await refreshAccounts();
      setState("saved");
    } catch (e) {
      setError(e);
      setState("offered");
    }
  };
  return (
    <div class="notice" data-testid="remember-iban">
      <p>
        {account.name} has no IBAN yet. Remember <span class="iban">{iban}</span> for it, so files
        for it go there by themselves?
      </p>
      <button type="button" disabled={state === "busy"} onClick={() => void remember()}>
        Remember this IBAN for {account.name}
      </button>
      <FormError error={error} />
    </div>
  );
}
