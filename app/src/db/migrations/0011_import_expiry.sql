-- Uploads nobody finishes or commits stop holding their file: an upload still 'uploading' an
-- hour on (its process died) is deleted with its chunks, and an 'uploaded' import left alone
-- for 7 days loses its chunks and becomes 'expired' (shown, never committable: upload again).
alter table imports drop constraint imports_status_check;
alter table imports add constraint imports_status_check
  check (status in ('uploading', 'uploaded', 'committing', 'committed', 'undone', 'expired'));

-- The periodic cleanup reads only the imports still waiting, by how long they have waited.
create index imports_waiting_idx on imports (updated_at) where status in ('uploading', 'uploaded');
