-- Saved filters: a named search of the register (the search language's `q` and the list's
-- other filters) that anyone in the household picks again later. One instance serves one
-- household, so they are the household's, not one user's: a filter such as "Unsorted card
-- spending" is shared work, like the categories and rules it goes with. `created_by` only says
-- who saved it, and outlives its user.
create table saved_filters (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  -- { q?, accountId?, categoryId?, tag?, from?, to?, status? } as GET /transactions takes them.
  filter jsonb not null check (jsonb_typeof(filter) = 'object'),
  created_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now()
);

-- Names are unique regardless of case, so the picker never shows two that look alike.
create unique index saved_filters_name_key on saved_filters (lower(name));
