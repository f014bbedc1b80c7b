-- tenantctl catalog, version 15: an org's backups that are not pruned, found without reading its pruned ones.
--
-- A backups row is never deleted (a pruned one stays for the audit trail): after a year of nightly 'backup --due' an org
-- has ~365 rows, of which retention keeps a few dozen, each on its own page (one row per org a night). The per-org
-- statements — the backup's start (is the org done in this run already?), the org's newest complete backup (restore,
-- backup's freeze check, verify), its listing (backups list --org, verify's per-org check) — found the org's rows by
-- backups_org_started_idx and read every one from the table, pruned included: ~300 pages and 5-9 ms an org at 10,000 orgs
-- with 3 million rows, growing with every night kept. This index holds only the rows that are not pruned, in the order
-- those statements read them (newest first).
create index backups_org_live_idx on backups (org_id, recorded_at desc, backup_id desc) where status <> 'pruned';
