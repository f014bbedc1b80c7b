-- tenantctl catalog, version 8: a run's --per-pool is recorded with the run.
--
-- per_pool: the orgs of the run in flight on one pool at once, over every worker (the claim counts them). Set when
-- the run is created (by --detach, or the first worker), so workers that --join or --resume it without a --per-pool
-- of their own keep the limit it was started with. Null for runs from before version 8: a worker's own value applies.
alter table runs add column per_pool integer check (per_pool >= 1);
