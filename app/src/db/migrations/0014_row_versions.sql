-- Optimistic concurrency for edits of money data: each account and transaction carries a version
-- that every change of its stored state bumps, served as its ETag and checked against If-Match
-- under the row lock of the edit. An explicit column, not xmin: xmin changes with VACUUM FREEZE
-- and dump/restore (a restored household would refuse every edit a tab had open), and it moves
-- on writes that change nothing a user sees. A trigger bumps it, so every writer (edits, bulk
-- actions, rules, imports, reconciliation) is covered without each remembering to.

-- TG_ARGV lists the columns whose changes are not edits: derived values kept by other triggers.
create function bump_row_version() returns trigger language plpgsql as $$
begin
  if (to_jsonb(new) - tg_argv) is distinct from (to_jsonb(old) - tg_argv) then
    new.version := old.version + 1;
  end if;
  return new;
end $$;

alter table accounts add column version bigint not null default 1;
alter table transactions add column version bigint not null default 1;

-- An account's balance moves with its transactions (transactions_total): that is no edit of the
-- account, so it leaves the version alone.
create trigger accounts_version before update on accounts
  for each row execute function bump_row_version('transactions_total', 'updated_at');
-- search_text is generated after BEFORE triggers run; updated_at is set by every edit statement
-- (a change of splits only rewrites the row with a new updated_at, which is the bump).
create trigger transactions_version before update on transactions
  for each row execute function bump_row_version('search_text');

-- The version is bookkeeping, like updated_at: the audit log's before/after leave it out.
create or replace function audit_strip(row_data jsonb) returns jsonb language sql immutable as $$
  select row_data - 'search_text' - 'updated_at' - 'transactions_total' - 'created_at' - 'version'
$$;
