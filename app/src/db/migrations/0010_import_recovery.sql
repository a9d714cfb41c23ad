-- Why an import's last commit did not finish (shown with the import, so the user knows to retry):
-- a refused commit, or one whose process died mid-way and was found stalled later. Null once a
-- commit succeeds.
alter table imports add column error text check (length(error) <= 1000);

-- A committed or undone import no longer needs its file: the transactions carry everything the
-- result listing and undo use. Commits now delete the chunks; this frees the ones kept before.
delete from import_chunks c
using imports i
where i.id = c.import_id and i.status in ('committed', 'undone');
