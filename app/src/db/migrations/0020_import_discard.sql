-- An upload its user set aside before committing ("Choose another file", or the file's own
-- account chosen instead) is 'discarded': its file is deleted at once instead of lingering for 7
-- days, and the list of past imports leaves it out (it booked nothing, and never will).
alter table imports drop constraint imports_status_check;
alter table imports add constraint imports_status_check
  check (status in ('uploading', 'uploaded', 'committing', 'committed', 'undone', 'expired',
                    'discarded'));
