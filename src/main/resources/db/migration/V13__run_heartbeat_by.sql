-- tenantctl catalog, version 13: which worker last renewed a run's heartbeat.
--
-- A run has one heartbeat. When the worker that renewed it last is known dead (a process of this host that is gone,
-- killed or lost with its node), the heartbeat no longer says the run is worked on: a rollout refused "in progress,
-- wait for it" for a minute after its only worker died, though --resume takes such a worker's claims over at once.
alter table runs add column heartbeat_by text;
