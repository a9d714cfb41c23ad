// The import wizard: choose the account, drop a bank file -> what it is (format, encoding) and its
// first rows -> for CSV, the column mapping with a live preview of parsed dates and amounts, and
// what the commit will book (duplicates and rule matches marked) -> what was imported,
// skipped as a duplicate or refused (with line numbers), and an undo. Below it the past imports,
// each with why its last commit did not finish, when it did not.
import { useState } from "preact/hooks";
import { Empty, FormError, Loading, PageHeader } from "../components/ui.tsx";
import type { Account } from "../lib/api.ts";
import { useAccounts } from "../lib/data.ts";
import { useCanWrite } from "../lib/session.ts";
import { AccountCheck, accountFit, RememberIban } from "./import/account-check.tsx";
import { CheckFile } from "./import/check-file.tsx";
import { ChooseFile } from "./import/choose-file.tsx";
import { FailedCommit } from "./import/failed-commit.tsx";
import { ImportResult } from "./import/import-result.tsx";
import { PastImports, usePastImports } from "./import/past-imports.tsx";
import { type ImportWizard, useImportWizard } from "./import/use-import-wizard.ts";

/**
 * The accounts open for imports and the one chosen, with its currency. Nothing is chosen for the
 * user, so no file lands in an account by surprise, but for a household with only one open
 * account: that one, with `reason` saying why. A file sent with no account chosen goes into the
 * account whose IBAN it names, and the next step says so.
 */
function useTargetAccount(accounts: readonly Account[] | undefined) {
  const open = accounts?.filter((a) => !a.archived) ?? [];
  const [accountId, setAccountId] = useState("");
  const only = open.length === 1 ? open[0] : undefined;
  const chosen = accountId === "" ? (only?.id ?? "") : accountId;
  const reason =
    only?.id === chosen
      ? `Chosen because ${only.name} is the household's only open account.`
      : undefined;
  const currency = open.find((a) => a.id === chosen)?.currency ?? "EUR";
  return { open, chosen, reason, currency, setAccountId };
}

/** The wizard's step 2 or 3 for the file uploaded, or nothing before a file is. */
function WizardStep(props: {
  wizard: ImportWizard;
  currency: string;
  accounts: readonly Account[] | undefined;
  onSwitch: (accountId: string) => void;
}) {
  const { wizard } = props;
  const { upload, result, failed } = wizard;
  if (!upload) return null;
  const accounts = props.accounts ?? [];
  const accountName = accounts.find((a) => a.id === upload.accountId)?.name ?? "the account";
  if (result) {
    return (
      <>
        <ImportResult
          upload={upload}
          result={result}
          undone={wizard.undone}
          onUndo={() => void wizard.undo()}
          onRestart={wizard.restart}
        />
        {wizard.undone === undefined && <RememberIban upload={upload} accounts={accounts} />}
      </>
    );
  }
  if (failed) {
    return (
      <FailedCommit
        stored={failed}
        error={wizard.error}
        busy={wizard.busy !== undefined}
        onRestart={wizard.restart}
        onBack={wizard.back}
        onRetry={() => void wizard.commit()}
      />
    );
  }
  const fit = accountFit(upload, accounts);
  return (
    <CheckFile
      upload={upload}
      mapping={wizard.mapping}
      onMapping={wizard.setMapping}
      currency={props.currency}
      accountName={accountName}
      accountCheck={
        <AccountCheck
          fit={fit}
          accountName={accountName}
          allowMismatch={wizard.allowMismatch}
          onAllowMismatch={wizard.setAllowMismatch}
          onSwitch={props.onSwitch}
        />
      }
      blocked={fit.kind === "mismatch" && fit.refused && !wizard.allowMismatch}
      allowAccountMismatch={wizard.allowMismatch}
      lines={wizard.lines}
      busy={wizard.busy !== undefined}
      onRestart={wizard.restart}
      onCommit={() => void wizard.commit()}
    />
  );
}

function NoEditRights() {
  return (
    <div class="page">
      <PageHeader title="Import" />
      <Empty title="Importing needs edit rights">
        <p>Ask the household's owner to make you a member.</p>
      </Empty>
    </div>
  );
}

/** The import wizard. */
export function ImportScreen() {
  const canWrite = useCanWrite();
  const accounts = useAccounts();
  const target = useTargetAccount(accounts.data);
  const past = usePastImports();
  const wizard = useImportWizard(past.reload);

  if (!canWrite) return <NoEditRights />;
  return (
    <div class="page">
      <PageHeader title="Import" />
      {accounts.data && target.open.length === 0 && (
        <Empty title="No account to import into">
          <p>
            <a href="/accounts">Add an account</a> first.
          </p>
        </Empty>
      )}
      {target.open.length > 0 && !wizard.upload && (
        <ChooseFile
          accounts={target.open}
          chosen={target.chosen}
          reason={target.reason}
          onAccount={(id) => {
            target.setAccountId(id);
            wizard.clearError();
          }}
          error={wizard.error}
          onFile={(file) => void wizard.send(file, target.chosen)}
        />
      )}
      {wizard.busy && <Loading label={wizard.busy} />}
      {!wizard.lines.length && !wizard.failed && <FormError error={wizard.error} />}
      <WizardStep
        wizard={wizard}
        currency={target.currency}
        accounts={accounts.data}
        onSwitch={(id) => {
          target.setAccountId(id);
          void wizard.resend(id);
        }}
      />
      <PastImports
        imports={past}
        accounts={accounts.data}
        onUndone={(record) => {
          wizard.undoneElsewhere(record.id, record.imported);
        }}
      />
    </div>
  );
}
