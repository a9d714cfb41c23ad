-- An account's IBAN, normalised (upper case, no spaces; the API checks country, length and
-- checksum), so a bank file that names its account lands in the right one. At most one account
-- of the household has a given IBAN; most have none.
alter table accounts add column iban text
  check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$');
create unique index accounts_iban_key on accounts (iban) where iban is not null;

-- The account the uploaded file says it is a statement of, as the file has it (MT940 :25:,
-- CAMT.053 Acct/Id, OFX ACCTID): a commit into an account with another IBAN is refused unless
-- the user confirms it.
alter table imports add column statement_account text check (length(statement_account) <= 100);
