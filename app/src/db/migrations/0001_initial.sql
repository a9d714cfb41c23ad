-- The first schema: the people who use one tenant's tracker. Accounts, transactions and money
-- columns arrive in later migrations.

-- Emails are unique regardless of case through an index on lower(email) rather than the citext
-- extension, which not every managed PostgreSQL lets an application install.
create table users (
  id bigint generated always as identity primary key,
  email text not null,
  name text,
  password_hash text not null,
  role text not null check (role in ('owner', 'member', 'viewer')),
  created_at timestamptz not null default now()
);

create unique index users_email_lower_key on users (lower(email));
