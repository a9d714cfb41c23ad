-- Authentication and the household: two-factor secrets, recovery codes, invitations and
-- personal access tokens. Sessions live in Redis, not here: they expire by themselves there.

alter table users
  add column totp_secret text,
  add column totp_enabled_at timestamptz,
  add column password_changed_at timestamptz not null default now(),
  add column updated_at timestamptz not null default now();

-- Single-use codes that stand in for the authenticator app. Only a hash is kept.
create table recovery_codes (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz
);
create index recovery_codes_user_idx on recovery_codes (user_id) where used_at is null;

-- One-time invitation links. The token travels only in the link; its sha256 is stored.
create table invitations (
  id bigint generated always as identity primary key,
  token_hash text not null unique,
  email text,
  role text not null check (role in ('member', 'viewer')),
  invited_by bigint references users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by bigint references users (id) on delete set null
);

-- Personal access tokens for scripts: shown once, stored as a sha256 (they are long random
-- secrets, so a slow hash adds nothing), looked up by that hash on every bearer request.
create table api_tokens (
  id bigint generated always as identity primary key,
  user_id bigint not null references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  token_hash text not null unique,
  scope text not null check (scope in ('read', 'write')),
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);
