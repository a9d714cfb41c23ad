-- Bank file imports: the uploaded file (kept in PostgreSQL in 1 MB chunks so any replica can
-- commit it), the import's state and counts, and on each imported transaction the import it
-- came from, the bank's own id and a fingerprint for duplicate detection.

create table imports (
  id bigint generated always as identity primary key,
  -- Null only while the upload streams in (the multipart field may follow the file).
  account_id bigint references accounts (id) on delete cascade,
  filename text not null default '' check (length(filename) <= 255),
  format text not null check (format in ('csv', 'ofx', 'qif', 'camt053', 'mt940')),
  encoding text not null,
  size bigint not null,
  row_count int not null default 0,
  -- uploading -> uploaded -> committing -> committed -> undone; a failed commit goes back to
  -- uploaded (it may be retried with another mapping).
  status text not null default 'uploading'
    check (status in ('uploading', 'uploaded', 'committing', 'committed', 'undone')),
  preview jsonb not null,
  suggested_mapping jsonb,
  mapping jsonb,
  -- Rows read so far by a running commit: what GET /imports/{id} shows as progress.
  processed int not null default 0,
  imported int not null default 0,
  duplicates int not null default 0,
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  committed_at timestamptz,
  updated_at timestamptz not null default now()
);
create index imports_created_idx on imports (created_at desc, id desc);

create table import_chunks (
  import_id bigint not null references imports (id) on delete cascade,
  seq int not null,
  data bytea not null,
  primary key (import_id, seq)
);

-- Mappings saved per account (name null: the account's last mapping) and as named profiles.
create table import_profiles (
  id bigint generated always as identity primary key,
  name text check (length(name) between 1 and 100),
  account_id bigint references accounts (id) on delete cascade,
  mapping jsonb not null,
  updated_at timestamptz not null default now(),
  check (name is not null or account_id is not null)
);
create unique index import_profiles_name_key on import_profiles (lower(name)) where name is not null;
create unique index import_profiles_account_key on import_profiles (account_id) where name is null;

-- import_id has no foreign key on purpose: imports are never deleted (undo marks them), and a
-- per-row key check would be most of the cost of a million-row import.
alter table transactions
  add column import_id bigint,
  add column external_id text,
  add column import_fingerprint text;
create index transactions_import_idx on transactions (import_id) where import_id is not null;
create index transactions_external_id_idx on transactions (account_id, external_id)
  where external_id is not null;
create index transactions_fingerprint_idx on transactions (account_id, import_fingerprint)
  where import_fingerprint is not null;
