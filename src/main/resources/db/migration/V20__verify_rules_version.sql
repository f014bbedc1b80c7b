-- tenantctl catalog, version 20: under which of verify's rules each org was verified clean.
--
-- verify --changed-only skips an org verified clean since its last change. An org verified clean before verify learned
-- a check (schema_extra_constraining: the unique or TTL index a rollback leaves, "clean" before it) was skipped although
-- it was never checked for it. A clean verify now records the version of the rules it checked by, and --changed-only
-- checks again an org verified clean under older ones. Rows from before version 20 recorded none: 0, older than any.
alter table org_verifications add column rules_version integer not null default 0;
