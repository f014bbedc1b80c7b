-- tenantctl catalog, version 16: a finding's fix as verify made it, its command and its note apart.
--
-- fix is the one line people read (the command and its note together). verify -o json gives the command alone (fix: it
-- runs as pasted) and the rest (fix_note); verify ack, which has only the catalog's row, could not tell them apart again
-- (a note can read like a command with its note), so it gave no command at all. Both parts are kept beside the line.
-- Rows from before version 16 have neither until verify sees them again: their whole line stays the note.
alter table findings add column fix_command text;
alter table findings add column fix_note text;
