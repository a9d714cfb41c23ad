-- Closing an account: the day it closed. The application only closes an account whose balance
-- is zero and that has no transaction after that day, and refuses transactions dated after it;
-- a closed account is also archived, so the check below keeps the two from drifting apart.
alter table accounts add column closed_on date;
alter table accounts add constraint accounts_closed_is_archived
  check (closed_on is null or archived);
