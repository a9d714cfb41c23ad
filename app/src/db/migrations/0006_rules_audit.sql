-- Rules that categorise and tag transactions, statement reconciliations, and the audit log of
-- every change to money data.

create table rules (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  -- Rules run in ascending position (then id); a matching rule with stop_processing set ends
  -- the run for that transaction ("first match"), otherwise later rules run too ("all matches").
  position int not null default 0,
  enabled boolean not null default true,
  -- 'all': every condition must hold; 'any': one is enough.
  match text not null default 'all' check (match in ('all', 'any')),
  stop_processing boolean not null default false,
  -- Validated by the API (domain/rules.ts) before they are stored.
  conditions jsonb not null check (jsonb_typeof(conditions) = 'array'),
  actions jsonb not null check (jsonb_typeof(actions) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index rules_order_idx on rules (position, id) where enabled;

create table reconciliations (
  id bigint generated always as identity primary key,
  account_id bigint not null references accounts (id) on delete cascade,
  statement_date date not null,
  statement_balance bigint not null,
  status text not null default 'open' check (status in ('open', 'finished')),
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
-- One reconciliation in progress per account, so two people cannot tick against each other.
create unique index reconciliations_open_key on reconciliations (account_id) where status = 'open';
create index reconciliations_account_idx on reconciliations (account_id, id desc);

-- The transactions ticked on an open reconciliation (and, once finished, the ones it reconciled).
create table reconciliation_items (
  reconciliation_id bigint not null references reconciliations (id) on delete cascade,
  transaction_id bigint not null references transactions (id) on delete cascade,
  primary key (reconciliation_id, transaction_id)
);
create index reconciliation_items_transaction_idx on reconciliation_items (transaction_id);

-- The audit log: append-only. Who acted comes from the per-transaction setting fintrack.actor
-- (set_config(..., true) by the API), what kind of change from fintrack.action when a write is
-- more than a plain insert/update/delete ('import', 'reconcile', 'unlock', 'rule'). Triggers write
-- it, so no code path can change money data without leaving a row. actor_id has no foreign key:
-- deleting a user must neither lose nor rewrite the history of what they did.
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  actor_id bigint,
  action text not null,
  entity text not null,
  entity_id text not null,
  before jsonb,
  after jsonb,
  txid bigint not null default txid_current()
);
-- One object's history, newest first; the whole log pages through the primary key.
create index audit_log_entity_idx on audit_log (entity, entity_id, id desc);

create function audit_actor() returns bigint language sql stable as $$
  select case when current_setting('fintrack.actor', true) ~ '^[1-9][0-9]{0,18}$'
    then current_setting('fintrack.actor', true)::bigint end
$$;

-- The action to record: the setting when the writer declared one, else the plain operation.
create function audit_action(op text) returns text language sql stable as $$
  select coalesce(nullif(current_setting('fintrack.action', true), ''), op)
$$;

-- Columns left out of before/after: derived or bookkeeping values that change on their own.
create function audit_strip(row_data jsonb) returns jsonb language sql immutable as $$
  select row_data - 'search_text' - 'updated_at' - 'transactions_total' - 'created_at'
$$;

-- One statement-level trigger function for every audited table. Transition tables keep a COPY
-- of a million rows to one INSERT ... SELECT, as the balance triggers do. TG_ARGV[0] names the
-- entity, TG_ARGV[1] the column that identifies it.
create function audit_changes() returns trigger language plpgsql as $$
declare
  entity text := TG_ARGV[0];
  key text := TG_ARGV[1];
begin
  if TG_OP = 'INSERT' then
    insert into audit_log (actor_id, action, entity, entity_id, after)
    select audit_actor(), audit_action('create'), entity, n.j ->> key, audit_strip(n.j)
    from (select to_jsonb(r) as j from new_rows r) n;
  elsif TG_OP = 'DELETE' then
    insert into audit_log (actor_id, action, entity, entity_id, before)
    select audit_actor(), audit_action('delete'), entity, o.j ->> key, audit_strip(o.j)
    from (select to_jsonb(r) as j from old_rows r) o;
  else
    insert into audit_log (actor_id, action, entity, entity_id, before, after)
    select audit_actor(), audit_action('update'), entity, n.j ->> key, audit_strip(o.j),
      audit_strip(n.j)
    from (select to_jsonb(r) as j from new_rows r) n
    join (select to_jsonb(r) as j from old_rows r) o on o.j -> 'id' = n.j -> 'id'
    where audit_strip(o.j) is distinct from audit_strip(n.j);
  end if;
  return null;
end $$;

create trigger transactions_audit_insert after insert on transactions
  referencing new table as new_rows for each statement
  execute function audit_changes('transaction', 'id');
create trigger transactions_audit_update after update on transactions
  referencing new table as new_rows old table as old_rows for each statement
  execute function audit_changes('transaction', 'id');
create trigger transactions_audit_delete after delete on transactions
  referencing old table as old_rows for each statement
  execute function audit_changes('transaction', 'id');

create trigger accounts_audit_insert after insert on accounts
  referencing new table as new_rows for each statement
  execute function audit_changes('account', 'id');
create trigger accounts_audit_update after update on accounts
  referencing new table as new_rows old table as old_rows for each statement
  execute function audit_changes('account', 'id');
create trigger accounts_audit_delete after delete on accounts
  referencing old table as old_rows for each statement
  execute function audit_changes('account', 'id');

create trigger reconciliations_audit_insert after insert on reconciliations
  referencing new table as new_rows for each statement
  execute function audit_changes('reconciliation', 'id');
create trigger reconciliations_audit_update after update on reconciliations
  referencing new table as new_rows old table as old_rows for each statement
  execute function audit_changes('reconciliation', 'id');
create trigger reconciliations_audit_delete after delete on reconciliations
  referencing old table as old_rows for each statement
  execute function audit_changes('reconciliation', 'id');

create trigger rules_audit_insert after insert on rules
  referencing new table as new_rows for each statement
  execute function audit_changes('rule', 'id');
create trigger rules_audit_update after update on rules
  referencing new table as new_rows old table as old_rows for each statement
  execute function audit_changes('rule', 'id');
create trigger rules_audit_delete after delete on rules
  referencing old table as old_rows for each statement
  execute function audit_changes('rule', 'id');

-- Split lines are part of their transaction's money: recorded under the transaction's id.
create function audit_splits() returns trigger language plpgsql as $$
begin
  if TG_OP = 'INSERT' then
    insert into audit_log (actor_id, action, entity, entity_id, after)
    select audit_actor(), audit_action('create'), 'transaction_split', transaction_id::text,
      jsonb_agg(to_jsonb(r) order by position)
    from new_rows r group by transaction_id;
  else
    insert into audit_log (actor_id, action, entity, entity_id, before)
    select audit_actor(), audit_action('delete'), 'transaction_split', transaction_id::text,
      jsonb_agg(to_jsonb(r) order by position)
    from old_rows r group by transaction_id;
  end if;
  return null;
end $$;

create trigger transaction_splits_audit_insert after insert on transaction_splits
  referencing new table as new_rows for each statement execute function audit_splits();
create trigger transaction_splits_audit_delete after delete on transaction_splits
  referencing old table as old_rows for each statement execute function audit_splits();

-- Append-only: no role, not even the table's owner, may change or remove history.
create function audit_log_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', TG_OP
    using errcode = 'insufficient_privilege';
end $$;

create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_immutable();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_immutable();
revoke update, delete, truncate on audit_log from public;
