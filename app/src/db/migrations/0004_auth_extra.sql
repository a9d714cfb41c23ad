-- The time step of the last TOTP code a user signed in with. A code is refused unless its step
-- is later (RFC 6238 5.2: single use), and the check-and-set is one conditional UPDATE, so two
-- replicas racing with the same intercepted code cannot both accept it.
alter table users add column totp_last_step bigint;
