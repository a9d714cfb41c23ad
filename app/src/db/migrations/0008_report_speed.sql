-- Report speed: income and spending per currency, ISO week (its Monday) and category, so the
-- weekly cashflow reads whole weeks here (52 rows per category a year instead of 365) and only the
-- partial weeks at the edges of its range from category_days. Kept exact by statement-level
-- triggers beside the ones of 0005, with the same moves: the transaction's line goes to its
-- category (0 for none) unless it is a transfer, and a split line moves its part from bucket 0 to
-- its own category. The category's kind is joined when reading, so re-kinding a category needs
-- no rewrite here.
create table category_weeks (
  currency char(3) not null,
  week date not null check (extract(isodow from week) = 1),
  category_id bigint not null,
  inflow bigint not null default 0,
  outflow bigint not null default 0,
  primary key (currency, week, category_id)
);

create function report_weeks_transactions_change() returns trigger language plpgsql as $$
declare
  moves text := report_moves(TG_OP, 'booking_date, amount, currency, category_id, transfer_group');
begin
  execute format($q$
    insert into category_weeks as c (currency, week, category_id, inflow, outflow)
    select currency, date_trunc('week', booking_date)::date, coalesce(category_id, 0),
      sum(greatest(amount, 0) * sign), sum(least(amount, 0) * sign)
    from (%s) moves where transfer_group is null group by 1, 2, 3
    having sum(greatest(amount, 0) * sign) <> 0 or sum(least(amount, 0) * sign) <> 0
    on conflict (currency, week, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  return null;
end $$;

create trigger transactions_report_weeks_insert after insert on transactions
  referencing new table as new_rows for each statement
  execute function report_weeks_transactions_change();
create trigger transactions_report_weeks_delete after delete on transactions
  referencing old table as old_rows for each statement
  execute function report_weeks_transactions_change();
create trigger transactions_report_weeks_update after update on transactions
  referencing new table as new_rows old table as old_rows for each statement
  execute function report_weeks_transactions_change();

-- Split lines carry their transaction's date, currency and sign (0005 keeps them in step, also
-- when the transaction moves), so their part is moved on their own statements.
create function report_weeks_splits_change() returns trigger language plpgsql as $$
declare
  moves text := report_moves(TG_OP,
    'amount, category_id, booking_date, currency, parent_inflow');
begin
  execute format($q$
    insert into category_weeks as c (currency, week, category_id, inflow, outflow)
    select currency, week, category_id, sum(inflow), sum(outflow) from (
      select currency, date_trunc('week', booking_date)::date as week,
        coalesce(category_id, 0) as category_id,
        greatest(amount, 0) * sign as inflow, least(amount, 0) * sign as outflow
      from (%1$s) moves
      union all
      select currency, date_trunc('week', booking_date)::date, 0,
        case when parent_inflow then -amount * sign else 0 end,
        case when parent_inflow then 0 else -amount * sign end
      from (%1$s) moves
    ) lines where currency is not null group by 1, 2, 3
    having sum(inflow) <> 0 or sum(outflow) <> 0
    on conflict (currency, week, category_id) do update
      set inflow = c.inflow + excluded.inflow, outflow = c.outflow + excluded.outflow $q$, moves);
  return null;
end $$;

create trigger transaction_splits_report_weeks_insert after insert on transaction_splits
  referencing new table as new_rows for each statement
  execute function report_weeks_splits_change();
create trigger transaction_splits_report_weeks_delete after delete on transaction_splits
  referencing old table as old_rows for each statement
  execute function report_weeks_splits_change();
create trigger transaction_splits_report_weeks_update after update on transaction_splits
  referencing new table as new_rows old table as old_rows for each statement
  execute function report_weeks_splits_change();

-- The ledger as it stands when this migration runs: category_days already holds every move.
insert into category_weeks (currency, week, category_id, inflow, outflow)
select currency, date_trunc('week', day)::date, category_id, sum(inflow), sum(outflow)
from category_days group by 1, 2, 3
having sum(inflow) <> 0 or sum(outflow) <> 0;
