-- The upload reads a bank file once, with the suggested mapping, into the commit's staging lines
-- (COPY text) and keeps them here: a commit under that mapping copies them instead of reading
-- the file again. Deleted with the file when the import is committed, undone or expires.
create table import_prepared_chunks (
  import_id bigint not null references imports (id) on delete cascade,
  seq int not null,
  data bytea not null,
  primary key (import_id, seq)
);

-- What the prepared lines hold, and under which account currency they were read; null when the
-- upload prepared none (no mapping could be suggested, or some row did not read).
alter table imports add column prepared jsonb;
