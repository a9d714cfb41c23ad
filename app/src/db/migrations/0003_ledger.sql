-- The ledger: accounts, the category tree, transactions with splits, tags, transfers and
-- receipts. Money is bigint minor units in the account's ISO 4217 currency, never numeric or
-- float; dates are plain dates.

-- Trigram indexes make `q` substring search fast. pg_trgm is a trusted extension (PostgreSQL
-- 13+): the database owner may create it without superuser rights.
create extension if not exists pg_trgm;

create table accounts (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  type text not null check (type in ('checking', 'savings', 'credit_card', 'cash', 'loan', 'asset')),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  opening_balance bigint not null default 0,
  opening_date date not null,
  archived boolean not null default false,
  -- The sum of the account's transactions, kept by statement-level triggers below so balances
  -- never scan the ledger. Balance = opening_balance + transactions_total.
  transactions_total bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index accounts_name_key on accounts (lower(name));

create table categories (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  kind text not null check (kind in ('income', 'expense')),
  parent_id bigint references categories (id) on delete restrict,
  created_at timestamptz not null default now()
);
-- Sibling names are unique; top-level categories are siblings of each other.
create unique index categories_sibling_name_key on categories (coalesce(parent_id, 0), lower(name));
create index categories_parent_idx on categories (parent_id);

create table transactions (
  id bigint generated always as identity primary key,
  account_id bigint not null references accounts (id) on delete restrict,
  booking_date date not null,
  amount bigint not null,
  currency char(3) not null,
  payee text not null default '' check (length(payee) <= 200),
  description text not null default '' check (length(description) <= 1000),
  notes text not null default '' check (length(notes) <= 5000),
  category_id bigint references categories (id) on delete set null,
  tags text[] not null default '{}',
  status text not null default 'cleared' check (status in ('pending', 'cleared', 'reconciled')),
  -- Both halves of a transfer carry the same group id and point at each other's account.
  transfer_group uuid,
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- What `q` searches, kept as one column so one trigram index serves it.
  search_text text generated always as (lower(payee || ' ' || description || ' ' || notes)) stored
);
-- Keyset pagination, newest first, overall and per account / category.
create index transactions_page_idx on transactions (booking_date desc, id desc);
create index transactions_account_page_idx on transactions (account_id, booking_date desc, id desc) include (amount);
create index transactions_category_page_idx on transactions (category_id, booking_date desc, id desc);
create index transactions_tags_idx on transactions using gin (tags);
create index transactions_search_idx on transactions using gin (search_text gin_trgm_ops);
create index transactions_transfer_idx on transactions (transfer_group) where transfer_group is not null;

create table transaction_splits (
  transaction_id bigint not null references transactions (id) on delete cascade,
  position int not null,
  amount bigint not null,
  category_id bigint references categories (id) on delete set null,
  memo text not null default '' check (length(memo) <= 200),
  primary key (transaction_id, position)
);
create index transaction_splits_category_idx on transaction_splits (category_id);

-- Receipts live in PostgreSQL so every replica serves them and backups carry them.
create table attachments (
  id bigint generated always as identity primary key,
  transaction_id bigint not null references transactions (id) on delete cascade,
  filename text not null check (length(filename) between 1 and 255),
  media_type text not null,
  size int not null check (size between 1 and 10485760),
  sha256 text not null,
  content bytea not null,
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now()
);
create index attachments_transaction_idx on attachments (transaction_id);

-- accounts.transactions_total follows every insert, update and delete, once per statement (so a
-- COPY of a million rows costs one aggregate, not a million row triggers).
create function ledger_totals_add() returns trigger language plpgsql as $$
begin
  update accounts a set transactions_total = a.transactions_total + d.delta
  from (select account_id, sum(amount) as delta from new_rows group by account_id) d
  where a.id = d.account_id;
  return null;
end $$;

create function ledger_totals_remove() returns trigger language plpgsql as $$
begin
  update accounts a set transactions_total = a.transactions_total - d.delta
  from (select account_id, sum(amount) as delta from old_rows group by account_id) d
  where a.id = d.account_id;
  return null;
end $$;

create function ledger_totals_change() returns trigger language plpgsql as $$
begin
  update accounts a set transactions_total = a.transactions_total + d.delta
  from (
    select account_id, sum(delta) as delta from (
      select account_id, amount as delta from new_rows
      union all
      select account_id, -amount from old_rows
    ) moves group by account_id
  ) d
  where a.id = d.account_id and d.delta <> 0;
  return null;
end $$;

create trigger transactions_totals_insert after insert on transactions
  referencing new table as new_rows for each statement execute function ledger_totals_add();
create trigger transactions_totals_delete after delete on transactions
  referencing old table as old_rows for each statement execute function ledger_totals_remove();
create trigger transactions_totals_update after update on transactions
  referencing new table as new_rows old table as old_rows
  for each statement execute function ledger_totals_change();
