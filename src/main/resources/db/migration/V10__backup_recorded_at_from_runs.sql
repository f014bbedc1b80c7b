-- tenantctl catalog, version 10: backups taken before version 9 ordered by the catalog's clock too.
--
-- Version 9 gave the rows it found their started_at, which is the clock of the worker that took the backup: the clock
-- it was meant to stop trusting. Mixed with the catalog-clock recorded_at of later rows, a backup taken before the
-- upgrade by a worker whose clock ran ahead outranked every backup taken after it ("newest": restore's default, the one
-- prune always keeps; the one taken last then pruned). Such a row takes its run's start instead, which the catalog
-- recorded by its own clock; an org has one backup per run, so that orders an org's backups by when they happened.
-- A row version 9 filled is one whose recorded_at is still its started_at; later rows were stamped at insert.
update backups b set recorded_at = r.started_at
  from runs r
 where r.run_id = b.run_id and b.recorded_at = b.started_at;
