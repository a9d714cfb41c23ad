-- Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) on unsafe API requests. A key is
-- claimed in the same SQL transaction as the write it guards, so a write that commits after its
-- client gave up (a frozen database, a lost answer) is still recognised when the client retries:
-- the retry replays the recorded answer instead of booking the write twice.
--
-- Keys are scoped to the user who sent them: one user's key never answers another's request.
-- `fingerprint` (method, path and body digest) tells a retry from a different request reusing
-- the key. The answer columns stay null while the request is processed, and stay null for good
-- when the write committed but its answer could not be recorded.
create table idempotency_keys (
  user_id bigint not null references users (id) on delete cascade,
  key text not null,
  fingerprint text not null,
  claimed_at timestamptz not null default now(),
  expires_at timestamptz not null,
  response_status int,
  response_headers jsonb,
  response_body text,
  primary key (user_id, key)
);

-- Expired keys are pruned in small batches as new answers are recorded.
create index idempotency_keys_expires_idx on idempotency_keys (expires_at);
