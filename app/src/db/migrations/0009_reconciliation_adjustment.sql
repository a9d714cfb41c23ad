-- The balancing transaction a reconciliation booked when it was finished with a difference left
-- ({adjust: true}); null when the ticked transactions matched the statement on their own.
alter table reconciliations
  add column adjustment_transaction_id bigint references transactions (id) on delete set null;
