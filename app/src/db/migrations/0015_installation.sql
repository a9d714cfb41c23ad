-- This database's installation id: one random row, made once when the schema is. With the app's
-- public origin it names the tenant (auth/tenant.ts): sessions carry that identity and Redis keys
-- its namespace, so tenants sharing one Redis never accept nor even see each other's sessions,
-- though each numbers its users from 1. A restore of the database keeps it (the same household);
-- a copy served at another origin is another tenant all the same.
create table installation (
  id uuid primary key default gen_random_uuid(),
  -- At most one row: `one` is unique and can only be true.
  one boolean not null default true unique check (one),
  created_at timestamptz not null default now()
);

insert into installation default values;
