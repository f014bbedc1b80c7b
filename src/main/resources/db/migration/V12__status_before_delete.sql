-- tenantctl catalog, version 12: the status an org had when 'orgs delete' marked it deleting.
--
-- 'orgs resume' takes a deleting org back (until purge drops its database). An org suspended (read_only) on purpose
-- and then deleted came back active, writable, which nobody asked for: the undo now puts back the status recorded
-- here ('active' or 'read_only'). Null: deleted before version 12, taken back as active, as then.
alter table orgs add column status_before_delete text;
