-- tenantctl catalog, version 19: what verify judges a finding by, as verify made it, not read off its fix's wording.
--
-- A plain verify (no --deep) leaves open the findings only a --deep one makes (a backup that does not read back, an org
-- whose deep check failed, or whose newest backup is in another store); a --fix --dry-run leaves for a human all but what
-- --fix puts right whole (an org's missing collections and indexes when it builds them all). Both were told apart by the
-- text of the finding's fix ('tenantctl verify --deep …', '… --fix   (creates what is missing)'): rewording a fix changed
-- what verify kept open and what a dry run planned. Each finding now says so itself, set by verify when it makes it.
-- Open rows from before version 19 are marked once, by the wording they were made with.
alter table findings add column only_deep_finds boolean not null default false;
alter table findings add column fix_puts_right boolean not null default false;
update findings set only_deep_finds = true
 where resolved_at is null and (kind = 'backup_corrupt' or coalesce(fix, '') like 'tenantctl verify --deep %');
update findings set fix_puts_right = true
 where resolved_at is null and kind = 'schema_missing' and coalesce(fix, '') like '% --fix   (creates what is missing)';
