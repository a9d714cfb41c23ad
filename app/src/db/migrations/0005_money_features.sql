-- Money features: exchange rates, budgets, recurring transactions, and the daily aggregates the
-- reports read instead of the ledger. Every aggregate is kept exact by statement-level triggers
-- (one aggregate per statement, so a COPY of a million rows costs one pass), as
-- accounts.transactions_total is in 0003.

-- Exchange rates: one unit of `currency` is worth `rate` units of `quote`, from `day` until the
-- next rate of the pair. Exact decimals, never floats.
create table exchange_rates (
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  quote char(3) not null check (quote ~ '^[A-Z]{3}$'),
  day date not null,
  rate numeric(38, 12) not null check (rate > 0),
  created_at timestamptz not null default now(),
  primary key (currency, quote, day),
  check (currency <> quote)
);

-- Household budget settings: one row. A budget month "YYYY-MM" starts on month_start_day of that
-- month (payday months); 1 to 28 so that every month has the day.
create table budget_settings (
  id boolean primary key default true check (id),
  month_start_day int not null default 1 check (month_start_day between 1 and 28)
);
insert into budget_settings default values;

-- What a category may spend in a budget month, in the base currency's minor units. `month` is the
-- first of the month the budget month is named after.
create table budgets (
  category_id bigint not null references categories (id) on delete cascade,
  month date not null check (extract(day from month) = 1),
  amount bigint not null check (amount >= 0),
  primary key (category_id, month)
);

-- Categories whose leftover (or overspending) carries into the next budget month.
create table budget_rollovers (
  category_id bigint primary key references categories (id) on delete cascade
);

create table recurring (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 100),
  account_id bigint not null references accounts (id) on delete cascade,
  amount bigint not null,
  payee text not null default '' check (length(payee) <= 200),
  description text not null default '' check (length(description) <= 1000),
  category_id bigint references categories (id) on delete set null,
  tags text[] not null default '{}',
  unit text not null check (unit in ('day', 'week', 'month', 'year')),
  every int not null check (every between 1 and 1000),
  -- For monthly schedules: the day of the month, -1 for its last day; null keeps start_date's.
  day_of_month int check (day_of_month = -1 or day_of_month between 1 and 31),
  start_date date not null,
  end_date date check (end_date >= start_date),
  occurrences int check (occurrences between 1 and 10000),
  auto_post boolean not null default false,
  -- How many days around the due date a matching transaction already in the ledger counts as
  -- this occurrence, so a bill is never booked twice.
  match_days int not null default 3 check (match_days between 0 and 31),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- What happened to each due occurrence: posted (as a new transaction or matched to an existing
-- one) or skipped. The primary key makes posting an occurrence twice impossible.
create table recurring_occurrences (
  recurring_id bigint not null references recurring (id) on delete cascade,
  due_date date not null,
  status text not null check (status in ('posted', 'skipped')),
  transaction_id bigint references transactions (id) on delete set null,
  -- Whether fintrack created the transaction (true) or matched one already booked (false).
  created boolean not null default false,
  posted_at timestamptz not null default now(),
  primary key (recurring_id, due_date)
);
create unique index recurring_occurrences_transaction_key
  on recurring_occurrences (transaction_id) where transaction_id is not null;

-- Split lines carry their transaction's date, currency and sign, so their aggregate can be kept
-- by their own triggers, also when a cascade deletes them after their transaction.
alter table transaction_splits
  add column booking_date date,
  add column currency char(3),
  add column parent_inflow boolean;

create function splits_denormalize() returns trigger language plpgsql as $$
begin
  select t.booking_date, t.currency, t.amount > 0
    into new.booking_date, new.currency, new.parent_inflow
  from transactions t where t.id = new.transaction_id;
  return new;
end $$;
create trigger transaction_splits_denormalize before insert on transaction_splits
  for each row execute function splits_denormalize();
update transaction_splits s set booking_date = t.booking_date, currency = t.currency,
  parent_inflow = t.amount > 0
from transactions t where t.id = s.transaction_id;

-- The balance of an account per month (net worth reads these, never the ledger).
create table account_months (
  account_id bigint not null,
  month date not null,
  amount bigint not null default 0,
  primary key (account_id, month)
);

-- Income and spending per currency, day and category (0: none, or the part of a split
-- transaction its lines carry elsewhere). Transfers are not income or spending: left out.
-- inflow sums the positive lines, outflow the negative ones.
create table category_days (
  currency char(3) not null,
  day date not null,
  category_id bigint not null,
  inflow bigint not null default 0,
  outflow bigint not null default 0,
  primary key (currency, day, category_id)
);

-- The same per calendar month: reports read whole months of the base currency here (no rate is
-- needed), and only the edges of their range and other currencies day by day.
create table category_months (
  currency char(3) not null,
  month date not null,
  category_id bigint not null,
  inflow bigint not null default 0,
  outflow bigint not null default 0,
  primary key (currency, month, category_id)
);

create table payee_days (
  currency char(3) not null,
  day date not null,
  payee text not null,
  inflow bigint not null default 0,
  outflow bigint not null default 0,
  primary key (currency, day, payee)
);

create table tag_days (
  currency char(3) not null,
  day date not null,
  tag text not null,
  inflow bigint not null default 0,
  outflow bigint not null default 0,
  primary key (currency, day, tag)
);

-- The rows a statement changed, as signed moves: inserted rows count +1, deleted rows -1, an
-- update is its old rows removed and its new rows added (rows whose reported facts did not change
-- cancel out in the sums and touch nothing). Transition tables are visible to EXECUTE in the
-- trigger's own function only, hence dynamic SQL rather than a helper function.
create function report_moves(op text, columns text) returns text language sql immutable as $$
  select case op
    when 'INSERT' then format('select %s, 1 as sign from new_rows', columns)
    when 'DELETE' then format('select %s, -1 as sign from old_rows', columns)
    else format('select %1$s, 1 as sign from new_rows union all select %1$s, -1 from old_rows',
                columns)
  end
$$;

create function report_transactions_change() returns trigger language plpgsql as $$
declare
  moves text := report_moves(TG_OP,
    'account_id, booking_date, amount, currency, payee, category_id, tags, transfer_group');
begin
  execute format($q$
    insert into account_months as m (account_id, month, amount)
    select account_id, date_trunc('month', booking_date)::date, sum(amount * sign)
    from (%s) moves group by 1, 2 having sum(amount * sign) <> 0
    on conflict (account_id, month) do update set amount = m.amount + excluded.amount $q$, moves);
  execute format($q$
    insert into category_days as c (currency, day, category_id, inflow, outflow)
    select currency, booking_date, coalesce(category_id, 0),
      sum(greatest(amount, 0) * sign), sum(least(amount, 0) * sign)
    from (%s) moves where transfer_group is null group by 1, 2, 3
    having sum(greatest(amount, 0) * sign) <> 0 or sum(least(amount, 0) * sign) <> 0
    on conflict (currency, day, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  execute format($q$
    insert into category_months as c (currency, month, category_id, inflow, outflow)
    select currency, date_trunc('month', booking_date)::date, coalesce(category_id, 0),
      sum(greatest(amount, 0) * sign), sum(least(amount, 0) * sign)
    from (%s) moves where transfer_group is null group by 1, 2, 3
    having sum(greatest(amount, 0) * sign) <> 0 or sum(least(amount, 0) * sign) <> 0
    on conflict (currency, month, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  execute format($q$
    insert into payee_days as p (currency, day, payee, inflow, outflow)
    select currency, booking_date, payee,
      sum(greatest(amount, 0) * sign), sum(least(amount, 0) * sign)
    from (%s) moves where transfer_group is null group by 1, 2, 3
    having sum(greatest(amount, 0) * sign) <> 0 or sum(least(amount, 0) * sign) <> 0
    on conflict (currency, day, payee) do update
      set inflow = p.inflow + excluded.inflow, outflow = p.outflow + excluded.outflow $q$, moves);
  execute format($q$
    insert into tag_days as g (currency, day, tag, inflow, outflow)
    select currency, booking_date, tag,
      sum(greatest(amount, 0) * sign), sum(least(amount, 0) * sign)
    from (%s) moves cross join lateral unnest(tags) as tag
    where transfer_group is null group by 1, 2, 3
    having sum(greatest(amount, 0) * sign) <> 0 or sum(least(amount, 0) * sign) <> 0
    on conflict (currency, day, tag) do update
      set inflow = g.inflow + excluded.inflow, outflow = g.outflow + excluded.outflow $q$, moves);
  if TG_OP = 'UPDATE' then
    -- Split lines follow their transaction's date, currency and sign (their own trigger then
    -- moves their part of the aggregate).
    update transaction_splits s
    set booking_date = n.booking_date, currency = n.currency, parent_inflow = n.amount > 0
    from new_rows n
    where s.transaction_id = n.id
      and (s.booking_date, s.currency, s.parent_inflow)
        is distinct from (n.booking_date, n.currency, n.amount > 0);
  end if;
  return null;
end $$;

create trigger transactions_reports_insert after insert on transactions
  referencing new table as new_rows for each statement
  execute function report_transactions_change();
create trigger transactions_reports_delete after delete on transactions
  referencing old table as old_rows for each statement
  execute function report_transactions_change();
create trigger transactions_reports_update after update on transactions
  referencing new table as new_rows old table as old_rows for each statement
  execute function report_transactions_change();

-- A split line moves its amount from bucket 0 (where its transaction put it) to its category, on
-- the same day, in the same currency and out of the same inflow/outflow column as its
-- transaction. The lines of a split transaction sum to its amount, so bucket 0 nets to zero.
create function report_splits_change() returns trigger language plpgsql as $$
declare
  moves text := report_moves(TG_OP,
    'amount, category_id, booking_date, currency, parent_inflow');
begin
  execute format($q$
    insert into category_days as c (currency, day, category_id, inflow, outflow)
    select currency, day, category_id, sum(inflow), sum(outflow) from (
      select currency, booking_date as day, coalesce(category_id, 0) as category_id,
        greatest(amount, 0) * sign as inflow, least(amount, 0) * sign as outflow
      from (%1$s) moves
      union all
      select currency, booking_date, 0,
        case when parent_inflow then -amount * sign else 0 end,
        case when parent_inflow then 0 else -amount * sign end
      from (%1$s) moves
    ) lines where currency is not null group by 1, 2, 3
    having sum(inflow) <> 0 or sum(outflow) <> 0
    on conflict (currency, day, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  execute format($q$
    insert into category_months as c (currency, month, category_id, inflow, outflow)
    select currency, day, category_id, sum(inflow), sum(outflow) from (
      select currency, date_trunc('month', booking_date)::date as day, coalesce(category_id, 0) as category_id,
        greatest(amount, 0) * sign as inflow, least(amount, 0) * sign as outflow
      from (%1$s) moves
      union all
      select currency, date_trunc('month', booking_date)::date, 0,
        case when parent_inflow then -amount * sign else 0 end,
        case when parent_inflow then 0 else -amount * sign end
      from (%1$s) moves
    ) lines where currency is not null group by 1, 2, 3
    having sum(inflow) <> 0 or sum(outflow) <> 0
    on conflict (currency, month, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  return null;
end $$;

create trigger transaction_splits_reports_insert after insert on transaction_splits
  referencing new table as new_rows for each statement execute function report_splits_change();
create trigger transaction_splits_reports_delete after delete on transaction_splits
  referencing old table as old_rows for each statement execute function report_splits_change();
create trigger transaction_splits_reports_update after update on transaction_splits
  referencing new table as new_rows old table as old_rows for each statement
  execute function report_splits_change();

-- The ledger as it stands when this migration runs.
insert into account_months (account_id, month, amount)
select account_id, date_trunc('month', booking_date)::date, sum(amount)
from transactions group by 1, 2;
insert into category_days (currency, day, category_id, inflow, outflow)
select currency, booking_date, coalesce(category_id, 0), sum(greatest(amount, 0)),
  sum(least(amount, 0))
from transactions where transfer_group is null group by 1, 2, 3;
insert into payee_days (currency, day, payee, inflow, outflow)
select currency, booking_date, payee, sum(greatest(amount, 0)), sum(least(amount, 0))
from transactions where transfer_group is null group by 1, 2, 3;
insert into tag_days (currency, day, tag, inflow, outflow)
select currency, booking_date, tag, sum(greatest(amount, 0)), sum(least(amount, 0))
from transactions cross join lateral unnest(tags) as tag
where transfer_group is null group by 1, 2, 3;
insert into category_days as c (currency, day, category_id, inflow, outflow)
select currency, day, category_id, sum(inflow), sum(outflow) from (
  select currency, booking_date as day, coalesce(category_id, 0) as category_id,
    greatest(amount, 0) as inflow, least(amount, 0) as outflow
  from transaction_splits
  union all
  select currency, booking_date, 0,
    case when parent_inflow then -amount else 0 end,
    case when parent_inflow then 0 else -amount end
  from transaction_splits
) lines where currency is not null group by 1, 2, 3
on conflict (currency, day, category_id) do update
  set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow;
insert into category_months (currency, month, category_id, inflow, outflow)
select currency, date_trunc('month', day)::date, category_id, sum(inflow), sum(outflow)
from category_days group by 1, 2, 3;
