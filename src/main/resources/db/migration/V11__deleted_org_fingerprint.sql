-- tenantctl catalog, version 11: what a deleted org's database held when its delete was checked.
--
-- 'orgs delete' backs the org up (frozen) and checks, with a fingerprint before and after, that nothing was written
-- during the backup. A client whose cached routing still says writable can write after that, and 'orgs purge' would
-- drop the write with the database: it is in no backup. The fingerprint the delete checked is kept here, and purge
-- drops a database only while it still matches (as 'rebalance gc' does with a move's ledger). Null: deleted before
-- version 11, or with --no-backup (the operator chose to keep nothing).
alter table orgs add column deleted_fingerprint jsonb;
