-- tenantctl catalog, version 9: when the catalog recorded each backup, by the catalog's own clock.
--
-- started_at (and the backup id) come from the clock of the worker that took the backup; a worker whose clock is
-- behind (a VM resumed from a snapshot, a node whose NTP failed) would make the org's latest backup look old, and
-- "the newest complete backup is never pruned" / "restore takes the newest" would pick another. recorded_at orders
-- backups by when they really happened. Rows from before version 9 take their started_at.
alter table backups add column recorded_at timestamptz;
update backups set recorded_at = started_at;
alter table backups alter column recorded_at set default clock_timestamp();
alter table backups alter column recorded_at set not null;
