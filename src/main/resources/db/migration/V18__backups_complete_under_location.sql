-- tenantctl catalog, version 18: the complete backups recorded under a store's root, found without reading every row.
--
-- A file:// store whose directory does not exist while the catalog records complete backups written there is a volume
-- not mounted, not every backup gone: verify, restore, backup, backups forget and orgs purge count those backups (how
-- many, of how many orgs) before they refuse. The count matched location's prefix with left(location, length(?)) = ?,
-- which no index serves: the whole table was read, every org's pruned history included (a row per org a night, kept
-- for the audit trail). The statement is now a LIKE prefix match, which this index serves: text_pattern_ops compares
-- bytes, so the prefix is a range on it whatever the database's collation; only complete rows, with the org beside
-- the location for the count of orgs.
create index backups_complete_location_idx on backups (location text_pattern_ops, org_id) where status = 'complete';
