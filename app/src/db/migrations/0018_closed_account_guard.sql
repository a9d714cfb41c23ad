-- Nothing may be dated after the day its account closed, whichever path writes it (the API, an
-- import, a recurring booking, a household load): checked here, so no path can forget it. The
-- paths check first, to name the field or the line; this is the net under them.
--
-- Each check locks the accounts it reads FOR SHARE first: a close holds its account FOR NO KEY
-- UPDATE from its own checks to its commit, so either the check waits and then sees the closing
-- day, or the close waits and then sees the new rows (and refuses to close before them).

-- New rows: once per statement, so an import of a million rows costs one join.
create function ledger_guard_insert() returns trigger language plpgsql as $$
declare
  refused record;
begin
  perform 1 from accounts where id in (select account_id from new_rows) order by id for share;
  select a.name, a.closed_on, n.booking_date into refused
    from new_rows n join accounts a on a.id = n.account_id
   where a.closed_on is not null and n.booking_date > a.closed_on
   limit 1;
  if found then
    raise exception 'the account "%" closed on %: nothing may be dated after it (%)',
      refused.name, refused.closed_on, refused.booking_date
      using errcode = 'check_violation', constraint = 'transactions_within_open_account';
  end if;
  return null;
end $$;

create trigger transactions_within_open_account_insert after insert on transactions
  referencing new table as new_rows
  for each statement execute function ledger_guard_insert();

-- A row moved to another day or account: rare and one at a time, so a row trigger whose WHEN
-- leaves out every other update (a bulk recategorisation runs no function at all).
create function ledger_guard_move() returns trigger language plpgsql as $$
declare
  account record;
begin
  select name, closed_on into account from accounts where id = new.account_id for share;
  if account.closed_on is not null and new.booking_date > account.closed_on then
    raise exception 'the account "%" closed on %: nothing may be dated after it (%)',
      account.name, account.closed_on, new.booking_date
      using errcode = 'check_violation', constraint = 'transactions_within_open_account';
  end if;
  return new;
end $$;

create trigger transactions_within_open_account_update
  before update of account_id, booking_date on transactions
  for each row
  when (old.account_id is distinct from new.account_id or old.booking_date is distinct from new.booking_date)
  execute function ledger_guard_move();
